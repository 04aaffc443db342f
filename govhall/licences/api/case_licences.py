"""Licences inside a staff member's case: ``/api/v1/staff/cases/<number>/licences``.

GET lists the licences the applicant consented to for this case (each read logged);
POST is 部门调取 of another licence type of the applicant, with a purpose (logged).
The case is found through the case engine's staff scope first: outside it, 404.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from govhall.cases.api.views.staff import StaffCaseView
from govhall.core.api.serializers import ApiErrors

from ..services import uses, verification


class CaseLicence(serializers.Serializer):
    identifier = serializers.CharField()
    type_code = serializers.CharField()
    type_name = serializers.CharField()
    number = serializers.CharField()
    status = serializers.CharField(help_text="valid / revoked / expired / superseded")
    holder_name = serializers.CharField()
    holder_code = serializers.CharField(help_text="已脱敏")
    issuer = serializers.CharField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    data = serializers.DictField(help_text="照面信息（字段名 → 值）")


class LicenceRequestIn(serializers.Serializer):
    type_code = serializers.CharField(max_length=21, help_text="证照类型代码")
    purpose = serializers.CharField(max_length=200, help_text="调取用途（对持证人公开）")


def _payload(licence) -> dict:
    version = licence.current
    return {
        "identifier": version.identifier,
        "type_code": licence.type.code,
        "type_name": licence.type.name,
        "number": licence.number,
        "status": verification.status_of(version),
        "holder_name": licence.holder_name,
        "holder_code": licence.masked_holder_code,
        "issuer": licence.issuer.name,
        "valid_from": version.valid_from,
        "valid_until": version.valid_until,
        "data": version.data,
    }


ERRORS = {
    400: OpenApiResponse(ApiErrors, description="输入有误，field指明字段"),
    404: OpenApiResponse(ApiErrors, description="办件不存在或不在您的办理范围内"),
}


class CaseLicences(StaffCaseView):
    @extend_schema(
        summary="办件中申请人授权使用的电子证照（每次读取均记录）",
        responses={200: CaseLicence(many=True), 404: ERRORS[404]},
        tags=["staff-cases"],
    )
    def get(self, request, number: str):
        case = self.case(request, number)
        licences = uses.read_for_case(request.user, case)
        return Response(CaseLicence([_payload(x) for x in licences], many=True).data)

    @extend_schema(
        summary="部门调取申请人的电子证照（仅限本办件，记录用途）",
        request=LicenceRequestIn,
        responses={200: CaseLicence(many=True), **ERRORS},
        tags=["staff-cases"],
    )
    def post(self, request, number: str):
        case = self.case(request, number)
        body = LicenceRequestIn(data=request.data)
        body.is_valid(raise_exception=True)
        licences = uses.request_for_case(request.user, case, **body.validated_data)
        return Response(CaseLicence([_payload(x) for x in licences], many=True).data)
