"""The staff side: ``/api/v1/staff/…`` (session, or a bearer token with the staff scope).

Every case is looked up through ``access.staff_cases`` before anything else — before the
body is even read — so a case outside the user's departments and regions is a 404 on
every endpoint, and its number reveals nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.accounts.api.auth import staff_only
from govhall.core.api.auth import AUTHENTICATION
from govhall.core.api.errors import NotFound
from govhall.core.api.serializers import ApiErrors
from govhall.core.errors import refuse
from govhall.core.services import calendar

from ...models import Case, CaseState, CaseStep
from ...services import access, actions
from .. import staff_actions
from ..filters import state_filter
from ..serializers import staff as s
from ..serializers.cases import CaseSummary
from . import CASE_NOT_FOUND

INBOX_FILTERS = ("due_soon", "overdue", "suspended")
PAUSED = (CaseState.SUSPENDED, CaseState.AWAITING_CORRECTION)
ACTION_ERRORS = {
    400: OpenApiResponse(ApiErrors, description="输入有误，field指明字段"),
    403: OpenApiResponse(ApiErrors, description="当前环节不由您的岗位办理"),
    404: OpenApiResponse(ApiErrors, description="办件不存在或不在您的办理范围内"),
    409: OpenApiResponse(
        ApiErrors, description="办件当前状态不允许该操作（transition_not_allowed）"
    ),
}


class StaffMixin:
    authentication_classes = AUTHENTICATION
    permission_classes = [staff_only("办件办理")]


def _inbox_filter(rows, value: str):
    today = timezone.localdate()
    if value == "overdue":
        return rows.filter(due_date__lt=today).exclude(case_state__in=PAUSED)
    if value == "due_soon":
        horizon = calendar.add_working_days(today, settings.GOVHALL_REMINDER_WORKING_DAYS)
        return rows.filter(due_date__gte=today, due_date__lte=horizon.due_date).exclude(
            case_state__in=PAUSED
        )
    return rows.filter(case_state__in=PAUSED)


@extend_schema(
    summary="待办（本人岗位的未办环节）",
    parameters=[
        OpenApiParameter(
            "filter",
            str,
            enum=INBOX_FILTERS,
            description="due_soon 即将到期 / overdue 已超期 / suspended 补正或特别程序中",
        )
    ],
    tags=["staff-cases"],
)
class StaffInbox(StaffMixin, generics.ListAPIView):
    """Open tasks for the user's posts, the most urgent first."""

    serializer_class = s.InboxRow
    filter_backends = []
    queryset = CaseStep.objects.none()

    def get_queryset(self):
        rows = access.inbox(self.request.user).select_related("department")
        value = self.request.query_params.get("filter", "").strip()
        if value:
            if value not in INBOX_FILTERS:
                raise refuse("filter", "choice", "filter须为due_soon、overdue或suspended。")
            rows = _inbox_filter(rows, value)
        return rows.order_by(F("due_date").asc(nulls_last=True), "started_at", "pk")


@extend_schema(
    summary="可查阅的办件",
    parameters=[OpenApiParameter("state", str, enum=CaseState.values, description="办件状态")],
    tags=["staff-cases"],
)
class StaffCaseList(StaffMixin, generics.ListAPIView):
    """Cases the user may read (their departments; regions for supervisors)."""

    serializer_class = CaseSummary
    filter_backends = []
    queryset = Case.objects.none()

    def get_queryset(self):
        rows = access.staff_cases(self.request.user).select_related("department")
        return state_filter(rows, self.request).order_by("-submitted_at", "-pk")


class StaffCaseView(StaffMixin, APIView):
    """Base of the views on one case in the staff scope."""

    def case(self, request, number: str) -> Case:
        case = (
            access.staff_cases(request.user)
            .select_related(
                "department",
                "accepting_department",
                "item_version",
                "application",
                "bundle_case",
                "person",
                "company",
            )
            .filter(number=number)
            .first()
        )
        if case is None:
            raise NotFound(CASE_NOT_FOUND)
        return case

    def detail(self, request, case: Case) -> s.StaffCaseDetail:
        steps = list(case.steps.order_by("sequence").select_related("department", "handler"))
        actions, mine = staff_actions.allowed(request.user, case, steps)
        return s.StaffCaseDetail(s.staff_case_payload(case, steps, actions, mine))


class StaffCaseDetailView(StaffCaseView):
    """A case as its handler sees it, with the actions the user may take now."""

    @extend_schema(
        summary="办件（环节、材料、补正、暂停、可执行的操作）",
        responses={200: s.StaffCaseDetail, 404: ACTION_ERRORS[404]},
        tags=["staff-cases"],
    )
    def get(self, request, number: str):
        case = self.case(request, number)
        access.record_read(
            request.user,
            case,
            purpose=f"办理办件{case.number}：查看申请信息（接口）",
            fields=["申请人信息", "申请表", "申请材料清单"],
        )
        return Response(self.detail(request, case).data)


def _plain(value):
    """Serializer output (OrderedDicts, ReturnLists) as plain dicts and lists for services."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class StaffCaseAction(StaffCaseView):
    """One action on a case in scope: scope (404), then body (400), then the service."""

    action_slug = ""

    def post(self, request, number: str):
        case = self.case(request, number)
        body = s.REQUESTS[self.action_slug](data=request.data)
        body.is_valid(raise_exception=True)
        # The action's service takes exactly its request's fields.
        actions.by_slug(self.action_slug).run(case, request.user, **_plain(body.validated_data))
        return Response(self.detail(request, self.case(request, number)).data)


def action_view(action: actions.Action):
    """A view class per action, so the schema shows each action's own request body."""
    slug, label = action.slug, action.label
    name = "".join(part.title() for part in slug.split("-"))
    view = type(f"StaffCase{name}", (StaffCaseAction,), {"action_slug": slug, "__doc__": label})
    return extend_schema(
        summary=f"{label}（{slug}）",
        request=s.REQUESTS[slug],
        responses={200: s.StaffCaseDetail, **ACTION_ERRORS},
        tags=["staff-cases"],
    )(view)


ACTION_VIEWS = {action.slug: action_view(action) for action in actions.STAFF_ACTIONS}
