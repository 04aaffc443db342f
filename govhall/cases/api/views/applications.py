"""The applicant's drafts: ``/api/v1/applications/…`` (session or bearer token).

Everything goes through ``services.applications``; a draft of anyone else (or of the
same person acting for another company) is "not found".
"""

from __future__ import annotations

import re

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.accounts.api.auth import identity_of
from govhall.catalog.models import Bundle, Item
from govhall.catalog.services import published
from govhall.core.api.auth import AUTHENTICATION
from govhall.core.api.errors import NotFound
from govhall.core.api.parsers import FormParser, JSONParser, MultiPartParser
from govhall.core.api.plain import PlainBody
from govhall.core.api.serializers import ApiErrors
from govhall.core.errors import refuse

from ...models import Application
from ...services import applications
from ..serializers import applications as s

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,64}$")
ERRORS = {
    400: OpenApiResponse(ApiErrors, description="输入有误，field指明字段"),
    404: OpenApiResponse(ApiErrors, description="申请不存在或不属于当前办事身份"),
}
SUBMITTED = OpenApiResponse(ApiErrors, description="申请已提交，不能再修改（not_draft）")
REPLAYED = OpenApiResponse(s.SubmissionOut, description="重复提交：第一次的结果")
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description=(
        "客户端生成的唯一键（1–64个可见ASCII字符），重试时原样发送。键按用户和接口分别计；"
        "同一键用于内容不同的请求返回409（idempotency_conflict），不会重放另一份申请。"
    ),
)
CONFLICT = OpenApiResponse(
    ApiErrors, description="同一Idempotency-Key已用于内容不同的提交（idempotency_conflict）"
)


class ApplicantAPIView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]
    # The services check the form as ``form.<field>``; callers sent ``answers``.
    error_field_prefixes = {"form.": "answers."}

    def draft(self, request, public_id) -> Application:
        try:
            return applications.draft_of(identity_of(request), public_id)
        except Application.DoesNotExist:
            raise NotFound("申请不存在，或不属于当前办事身份。") from None


def _payload(application: Application) -> dict:
    return s.ApplicationOut(s.application_payload(application)).data


CONTACT_FIELDS = ("contact_name", "contact_phone", "delivery", "delivery_address")
# ``ApplyRequest``'s rules on a plain body without DRF's layers; any other body (and every
# invalid one) goes through the serializer, which words the errors.
_plain_apply = PlainBody(s.ApplyRequest)


def _idempotency_key(request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if key and not IDEMPOTENCY_KEY.match(key):
        raise refuse("Idempotency-Key", "invalid", "Idempotency-Key须为1–64个可见ASCII字符。")
    return key


def _item_or_bundle(data: dict) -> tuple[Item | None, Bundle | None]:
    """The item (by implementation code) or bundle (by code) a request names."""
    if data["item"].strip():
        code = data["item"].strip()
        # The item and its department are read fresh; its published version and
        # materials come from this process's copies when it has read them already.
        item = published.item_by_code(code)
        if item is None:
            raise refuse("item", "unknown", f"事项实施编码“{code}”不存在。")
        return published.attach([item])[0], None
    code = data["bundle"].strip()
    bundle = Bundle.objects.filter(code=code).first()
    if bundle is None:
        raise refuse("bundle", "unknown", f"“一件事”编码“{code}”不存在。")
    return None, bundle


def _submission(application: Application, cases) -> dict:
    """The body of a submission's answer (``SubmissionOut``, rendered without it)."""
    bundle_case = cases[0].bundle_case if cases and cases[0].bundle_case_id else None
    return s.submission(application, bundle_case.number if bundle_case else None, cases)


class ApplicationCreateView(ApplicantAPIView):
    """Open a draft for an item or a bundle (一件事) as the acting identity."""

    @extend_schema(
        summary="开始申办（生成草稿）",
        request=s.ApplicationStartRequest,
        responses={201: s.ApplicationOut, **ERRORS},
        tags=["applications"],
    )
    def post(self, request):
        body = s.ApplicationStartRequest(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        item, bundle = _item_or_bundle(data)
        application = applications.start(
            identity_of(request), item=item, bundle=bundle, channel=data["channel"]
        )
        return Response(_payload(application), status=status.HTTP_201_CREATED)


class ApplicationDetailView(ApplicantAPIView):
    """Read, fill in (PATCH keeps unsent answers) or discard a draft."""

    @extend_schema(
        summary="申请草稿（表单、所需材料、尚需解决的问题）",
        responses={200: s.ApplicationOut, 404: ERRORS[404]},
        tags=["applications"],
    )
    def get(self, request, public_id):
        return Response(_payload(self.draft(request, public_id)))

    @extend_schema(
        summary="保存表单内容和联系方式",
        request=s.ApplicationUpdateRequest,
        responses={200: s.ApplicationOut, 409: SUBMITTED, **ERRORS},
        tags=["applications"],
    )
    def patch(self, request, public_id):
        application = self.draft(request, public_id)
        body = s.ApplicationUpdateRequest(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        # PATCH: fields not sent keep their saved answers.
        answers = {**application.answers, **data.pop("answers", {})}
        applications.save_answers(application, answers, contact=data)
        application.refresh_from_db()
        return Response(_payload(application))

    @extend_schema(
        summary="删除草稿",
        responses={204: None, 404: ERRORS[404], 409: SUBMITTED},
        tags=["applications"],
    )
    def delete(self, request, public_id):
        applications.discard(self.draft(request, public_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MaterialAttachView(ApplicantAPIView):
    """Supply one material: upload it (multipart) or pick a locker file (JSON)."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        summary="提供一份材料（上传，或选用材料库中的文件）",
        request={
            "multipart/form-data": s.MaterialUploadRequest,
            "application/json": s.MaterialFromLockerRequest,
        },
        responses={201: s.SuppliedMaterial, **ERRORS},
        tags=["applications"],
    )
    def post(self, request, public_id):
        application = self.draft(request, public_id)
        identity = identity_of(request)
        body = s.MaterialAttachRequest(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if "file" in data:
            stored = applications.store_file(
                identity.user,
                data["file"],
                title=data["title"],
                kind=data["key"],
                company=identity.company,
            )
        else:
            stored = applications.locker_of(identity).filter(public_id=data["locker_file"]).first()
            if stored is None:
                raise refuse("locker_file", "unknown", "材料库中没有这个文件。")
        material = applications.attach(application, data["key"], file=stored)
        return Response(s.supplied_material(material), status=status.HTTP_201_CREATED)


class MaterialDetachView(ApplicantAPIView):
    """Take back a supplied material before submission."""

    @extend_schema(
        summary="撤下一份已提供的材料",
        responses={204: None, 404: ERRORS[404], 409: SUBMITTED},
        tags=["applications"],
    )
    def delete(self, request, public_id, key: str):
        application = self.draft(request, public_id)
        if not application.materials.filter(key=key).exists():
            raise NotFound("该申请没有提供这份材料。", field="key")
        applications.detach(application, key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApplicationSubmitView(ApplicantAPIView):
    """Submit once; a retry (same draft or same Idempotency-Key) returns the same cases."""

    @extend_schema(
        summary="提交申请（幂等）",
        description=(
            "同一申请或同一Idempotency-Key重复提交，返回第一次生成的办件（200）；"
            "第一次提交返回201。"
        ),
        parameters=[IDEMPOTENCY_HEADER],
        request=s.SubmitIn,
        responses={
            201: s.SubmissionOut,
            200: REPLAYED,
            409: CONFLICT,
            **ERRORS,
        },
        tags=["applications"],
    )
    def post(self, request, public_id):
        key = _idempotency_key(request)
        identity = identity_of(request)
        application = self.draft(request, public_id)
        options = s.SubmitIn(data=request.data or {})
        options.is_valid(raise_exception=True)
        cases = applications.submit(
            application,
            identity,
            idempotency_key=key,
            licence_consent=options.validated_data["licence_consent"],
        )
        return Response(
            _submission(application, cases),
            status=status.HTTP_200_OK if cases.replayed else status.HTTP_201_CREATED,
        )


class ApplicationApplyView(ApplicantAPIView):
    """The whole application in one call (一次提交): for the mobile app and other channels
    that hold every answer and locker file already. Nothing is kept when a check fails."""

    @extend_schema(
        summary="一次提交申请（表单、材料库文件、提交，幂等）",
        description=(
            "与“开始申办→保存表单→提供材料→提交”效果相同，在一个事务中完成；"
            "任何一项检查不通过则返回400且不留下草稿。"
            "同一Idempotency-Key重复提交，返回第一次生成的办件（200）。"
        ),
        parameters=[IDEMPOTENCY_HEADER],
        request=s.ApplyRequest,
        responses={
            201: s.SubmissionOut,
            200: REPLAYED,
            400: ERRORS[400],
            409: CONFLICT,
        },
        tags=["applications"],
    )
    def post(self, request):
        key = _idempotency_key(request)
        identity = identity_of(request)
        data = _plain_apply(request.data)
        if data is None:
            body = s.ApplyRequest(data=request.data)
            body.is_valid(raise_exception=True)
            data = dict(body.validated_data)
        item, bundle = _item_or_bundle(data)
        wanted = [(m["key"], m["locker_file"]) for m in data["materials"]]
        files = applications.locker_files(identity, [w[1] for w in wanted])
        for index, (need_key, public_id) in enumerate(wanted):
            if public_id not in files:
                raise refuse(
                    f"materials.{index}.locker_file",
                    "unknown",
                    f"材料库中没有为“{need_key}”选择的文件。",
                )
        application, cases = applications.apply(
            identity,
            item=item,
            bundle=bundle,
            channel=data["channel"],
            answers=data["answers"],
            contact={k: data[k] for k in CONTACT_FIELDS if k in data},
            materials={need_key: files[public_id] for need_key, public_id in wanted},
            idempotency_key=key,
            licence_consent=data["licence_consent"],
        )
        return Response(
            _submission(application, cases),
            status=status.HTTP_200_OK if cases.replayed else status.HTTP_201_CREATED,
        )


class LockerUploadView(ApplicantAPIView):
    """Put a file into the acting identity's materials locker (材料库), for the one-call
    application: channels upload each material here, then name it in ``apply``."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="上传文件到材料库（供一次提交申请选用）",
        request={"multipart/form-data": s.LockerUploadRequest},
        responses={201: s.StoredFileOut, 400: ERRORS[400]},
        tags=["applications"],
    )
    def post(self, request):
        identity = identity_of(request)
        body = s.LockerUploadRequest(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        stored = applications.store_file(
            identity.user,
            data["file"],
            title=data["title"] or data["file"].name,
            kind=data["key"],
            company=identity.company,
        )
        return Response(s.stored_file(stored), status=status.HTTP_201_CREATED)
