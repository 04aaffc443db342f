"""The one way departments read shared data: ``POST /api/v1/sharing/reads/``.

A department system calls with a bearer token from ``POST /o/token/``
(``grant_type=client_credentials``, ``scope=sharing``); the token's client is registered
to a department (``ClientProfile.department``), and that department is the requester. The
call names the resource, the subject, the data items, the purpose of its approval and,
when it serves handling, the case. ``GET /api/v1/sharing/resources/`` lists the catalogue
with the caller's approvals.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.accounts.models import ClientProfile
from govhall.cases.models import Case
from govhall.core.errors import refuse
from govhall.exchange.api.auth import ExchangeTokenAuthentication

from ..models import Approval, Resource
from ..services import reads

SCOPE = "sharing"


class SharingTokenAuthentication(ExchangeTokenAuthentication):
    www_authenticate_realm = "sharing"


class SharingTokenScheme(OpenApiAuthenticationExtension):
    target_class = "govhall.sharing.api.sharing.SharingTokenAuthentication"
    name = "sharingClientCredentials"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": "部门业务系统以客户端凭证获取令牌（授权范围sharing）",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/o/token/",
                    "scopes": {SCOPE: "在获准范围内调用共享数据"},
                }
            },
        }

    def get_security_requirement(self, auto_schema):
        return {self.name: [SCOPE]}


class IsSharingClient(BasePermission):
    """A valid token with the ``sharing`` scope of an active client registered to a
    department (kept on the view as ``department`` and ``client_id``)."""

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if token is None:
            return False
        if not token.allow_scopes([SCOPE]):
            raise exceptions.PermissionDenied(
                "访问令牌缺少“sharing”授权范围，请以 scope=sharing 重新申请令牌。",
                code="scope_missing",
            )
        profile = (
            ClientProfile.objects.select_related("department", "application")
            .filter(application_id=token.application_id)
            .first()
        )
        if profile is None or profile.department_id is None or not profile.is_active:
            raise exceptions.PermissionDenied(
                "该客户端未登记所属部门或已停用，不能调用共享数据。", code="sharing_no_department"
            )
        view.department = profile.department
        view.client_id = profile.application.client_id
        return True


class ReadRequest(serializers.Serializer):
    resource = serializers.CharField(max_length=40, help_text="共享资源代码，例如 RK-HYDJ")
    subject = serializers.CharField(max_length=30, help_text="公民身份号码或统一社会信用代码")
    fields = serializers.ListField(
        child=serializers.CharField(max_length=60),
        required=False,
        allow_empty=False,
        help_text="数据项代码；不填则返回获准的全部数据项",
    )
    purpose = serializers.CharField(max_length=200, help_text="用途，须与获准的共享申请一致")
    case_number = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="办理中调用时的办件编号"
    )


class SharingView(APIView):
    authentication_classes = [SharingTokenAuthentication]
    permission_classes = [IsSharingClient]


class ReadView(SharingView):
    @extend_schema(
        tags=["sharing"],
        operation_id="sharing_read",
        request=ReadRequest,
        responses={200: dict},
    )
    def post(self, request):
        data = ReadRequest(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        resource = Resource.objects.select_related("owner").filter(code=values["resource"]).first()
        if resource is None:
            raise refuse(
                "resource", "unknown_resource", f"共享目录中没有资源“{values['resource']}”。"
            )
        case = None
        if values.get("case_number"):
            case = (
                Case.objects.select_related("person", "company")
                .filter(number=values["case_number"])
                .first()
            )
            if case is None:
                raise refuse("case_number", "unknown_case", f"没有办件{values['case_number']}。")
        result = reads.read(
            requester=self.department,
            resource=resource,
            subject=values["subject"],
            fields=values.get("fields"),
            purpose=values["purpose"],
            case=case,
            client_id=self.client_id,
        )
        row = result.read
        return Response(
            {
                "read_id": str(row.public_id),
                "resource": resource.code,
                "outcome": row.outcome,
                "subject": row.subject_masked,
                "data": [
                    {
                        "field": code,
                        "name": result.names.get(code, code),
                        "value": value,
                        # Coded items (婚姻状况 GB/T 2261.2…): the code and its label, so a
                        # system need not map labels back; null for items that are not coded.
                        "code": result.codes.get(code),
                        "label": value if code in result.codes else None,
                    }
                    for code, value in result.values.items()
                ],
                "source": row.source_name,
                "source_updated_at": row.source_updated_at.isoformat()
                if row.source_updated_at
                else None,
                "read_at": row.at.isoformat(),
            }
        )


class ResourceList(SharingView):
    @extend_schema(tags=["sharing"], operation_id="sharing_resources", responses={200: dict})
    def get(self, request):
        mine = {}
        for approval in Approval.objects.filter(requester=self.department).order_by("-pk"):
            mine.setdefault(approval.resource_id, []).append(
                {
                    "id": str(approval.public_id),
                    "status": approval.status,
                    "in_force": approval.in_force(),
                    "fields": approval.fields,
                    "purpose": approval.purpose,
                    "valid_until": approval.valid_until.isoformat(),
                }
            )
        results = [
            {
                "code": r.code,
                "name": r.name,
                "owner": r.owner.name,
                "library": r.library,
                "sharing_type": r.sharing_type,
                "update_cycle": r.update_cycle,
                "legal_basis": r.legal_basis,
                "fields": [{"code": f.code, "name": f.name} for f in r.fields.all()],
                "approvals": mine.get(r.pk, []),
            }
            for r in Resource.objects.filter(is_active=True)
            .select_related("owner")
            .prefetch_related("fields")
        ]
        return Response({"count": len(results), "results": results})
