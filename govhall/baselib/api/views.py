"""Base-library API (docs/api.md, "Base libraries").

* ``POST /api/v1/exchange/data-updates``: sources push data-update records through the
  exchange, beside process records, with the same client credentials (scope
  ``exchange``), rate limit and call log; one result per record.
* ``GET /api/v1/baselib/attributes``, ``…/themes``: the attribute catalogue (with each
  attribute's owner) and the thematic libraries with their counts, for staff;
  ``…/themes/{code}/members``: a theme's members (masked, keyset pages), for the posts
  that use the base libraries, each member returned logged for them.
* ``GET /api/v1/baselib/conflicts`` and ``POST …/conflicts/{id}/resolve``: the conflict
  list of the caller's departments (owners) and their decision.
"""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.accounts.api.auth import staff_only
from govhall.core.api.auth import AUTHENTICATION
from govhall.core.api.errors import error, error_response
from govhall.core.api.pagination import StandardPagination
from govhall.core.errors import refuse
from govhall.exchange.api.views import (
    CLIENT_ERRORS,
    MAX_BODY_BYTES,
    BatchParser,
    ExchangeClientView,
)
from govhall.exchange.services.ingest import ClientReach
from govhall.regions.models import Department

from ..models import AttributeDefinition, Conflict, ThemeLibrary
from ..services import conflicts, themes, updates

MAX_RECORDS = 1000
IsBaselibStaff = staff_only("基础信息库")


def _allowed_departments(client) -> frozenset[str]:
    """The departments a client may send for: those it lists, else those of its regions."""
    reach = ClientReach.of(client)
    if reach.department_codes:
        return frozenset(reach.department_codes)
    if not reach.prefixes:
        return frozenset()
    condition = Q()
    for prefix in reach.prefixes:
        condition |= Q(region_id__startswith=prefix)
    return frozenset(Department.objects.filter(condition).values_list("credit_code", flat=True))


class DataUpdatesView(ExchangeClientView):
    parser_classes = [BatchParser]

    @extend_schema(
        summary="报送基础库数据更新（数据交换）",
        description=(
            "权威来源部门以客户端凭证令牌（scope=exchange）报送一批（1至1000条）人口库、法人库"
            "数据更新，格式见 docs/baselib.md。每条单独处理：applied 已更新（原值进入历史）；"
            "unchanged 与现值相同；conflict 与现值冲突，已转权威来源部门核实（conflict_id）；"
            "refused 拒收，errors 按字段路径列出中文原因——其中报送部门不是属性的权威来源部门"
            "时拒收并指明来源部门。一条拒收不影响其他各条。"
        ),
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, **CLIENT_ERRORS},
        tags=["exchange"],
        operation_id="exchange_data_updates_create",
    )
    def post(self, request):
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY_BYTES:
            return error_response(
                [error("records", "body_too_large", "请求体过大（超过20MB），请分批报送。")], 413
            )
        records = request.data.get("records") if isinstance(request.data, dict) else None
        if not isinstance(records, list) or not 1 <= len(records) <= MAX_RECORDS:
            raise refuse("records", "invalid", f"records 须为1至{MAX_RECORDS}条记录的数组。")
        self.call_counts["records"] = len(records)
        results = updates.ingest(
            records,
            client=self.exchange_client,
            allowed_departments=_allowed_departments(self.exchange_client),
        )
        counts = {
            status: sum(1 for r in results if r.status == status)
            for status in (updates.APPLIED, updates.UNCHANGED, updates.CONFLICT, updates.REFUSED)
        }
        self.call_counts.update(
            {
                "accepted": counts[updates.APPLIED] + counts[updates.CONFLICT],
                "duplicates": counts[updates.UNCHANGED],
                "rejected": counts[updates.REFUSED],
            }
        )
        refused = next((r for r in results if r.status == updates.REFUSED), None)
        if refused is not None:
            path, messages = next(iter(refused.errors.items()), ("", [""]))
            self.first_error = f"第{refused.index}条拒收：{path}：{messages[0] if messages else ''}"
        return Response(
            {
                "applied": counts[updates.APPLIED],
                "unchanged": counts[updates.UNCHANGED],
                "conflicts": counts[updates.CONFLICT],
                "refused": counts[updates.REFUSED],
                "results": [r.as_dict() for r in results],
            }
        )


def _attribute(d: AttributeDefinition) -> dict:
    return {
        "library": d.library,
        "code": d.code,
        "name": d.name,
        "owner": {"code": d.owner.credit_code, "name": d.owner.name},
        "value_type": d.value_type,
        "choices": d.choices,
        "standard": d.standard,
        "personal": d.personal,
        "description": d.description,
    }


class AttributeListView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsBaselibStaff]

    @extend_schema(
        parameters=[OpenApiParameter("library", str, enum=["population", "legal_person"])],
        responses=OpenApiTypes.OBJECT,
        summary="基础库属性目录（含权威来源部门）",
        tags=["baselib"],
    )
    def get(self, request):
        rows = AttributeDefinition.objects.filter(is_active=True).select_related("owner")
        library = request.query_params.get("library")
        if library:
            if library not in ("population", "legal_person"):
                raise refuse("library", "invalid", "library 须为 population 或 legal_person。")
            rows = rows.filter(library=library)
        return Response({"results": [_attribute(d) for d in rows]})


class ThemeListView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsBaselibStaff]

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="主题库及条目数", tags=["baselib"])
    def get(self, request):
        rows = ThemeLibrary.objects.filter(is_active=True)
        return Response(
            {
                "results": [
                    {
                        "code": t.code,
                        "name": t.name,
                        "library": t.library,
                        "description": t.description,
                        "conditions": t.conditions,
                        "conditions_text": themes.describe(t),
                        "count": t.count,
                        "counted_at": t.counted_at,
                    }
                    for t in rows
                ]
            }
        )


def _cursor(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise refuse(name, "invalid", f"{name} 须为上一页给出的条目编号（正整数）。")
    return int(raw)


class ThemeMembersView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsBaselibStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("after", int, description="下一页：上一页 next 中的条目编号"),
            OpenApiParameter("before", int, description="上一页：本页 previous 中的条目编号"),
            OpenApiParameter("page_size", int, description=f"每页条数，1至{themes.MAX_PAGE_SIZE}"),
            OpenApiParameter("purpose", str, description="查看用途（记入数据主体的使用记录）"),
        ],
        responses={200: OpenApiTypes.OBJECT, 403: OpenApiResponse(description="岗位无权查看")},
        summary="主题库名单（脱敏、分页，每次查看记入数据主体的使用记录）",
        tags=["baselib"],
    )
    def get(self, request, code: str):
        theme = ThemeLibrary.objects.filter(code=code, is_active=True).first()
        if theme is None:
            raise refuse("code", "unknown_theme", f"没有代码为“{code}”的主题库。")
        size = request.query_params.get("page_size") or str(themes.PAGE_SIZE)
        if not size.isdigit() or not 1 <= int(size) <= themes.MAX_PAGE_SIZE:
            raise refuse("page_size", "invalid", f"page_size 须为1至{themes.MAX_PAGE_SIZE}的整数。")
        after, before = _cursor(request, "after"), _cursor(request, "before")
        if after is not None and before is not None:
            raise refuse("before", "invalid", "after 与 before 只能给出其一。")
        page = themes.members(
            theme,
            request.user,
            after=after,
            before=before,
            size=int(size),
            purpose=str(request.query_params.get("purpose", ""))[:100],
        )
        base = request.build_absolute_uri(request.path)

        def link(name, value):
            if value is None:
                return None
            return f"{base}?{name}={value}&page_size={int(size)}"

        return Response(
            {
                "theme": {
                    "code": theme.code,
                    "name": theme.name,
                    "library": theme.library,
                    "count": theme.count,
                    "counted_at": theme.counted_at,
                },
                "columns": [{"code": c, "name": n} for c, n in page.columns],
                "next": link("after", page.next_after),
                "previous": link("before", page.previous_before),
                "results": [
                    {
                        "id": m.pk,
                        "subject": m.subject,
                        "values": {c: value for c, _name, value in m.values},
                    }
                    for m in page.members
                ],
            }
        )


def _conflict(row: dict) -> dict:
    c = row["conflict"]
    return {
        "id": c.pk,
        "library": c.library,
        "subject": c.subject_label,
        "owner": {"code": c.owner.credit_code, "name": c.owner.name},
        "kind": c.kind,
        "kind_text": c.get_kind_display(),
        "status": c.status,
        "reported_as_of": c.reported_as_of,
        "reported_ref": c.reported_ref,
        "attributes": row["items"],
        "created_at": c.created_at,
        "resolved_at": c.resolved_at,
        "note": c.note,
    }


class ConflictListView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsBaselibStaff]

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=["open", "adopted", "kept"])],
        responses=OpenApiTypes.OBJECT,
        summary="本部门（权威来源部门）的数据冲突",
        tags=["baselib"],
    )
    def get(self, request):
        rows = conflicts.visible(request.user)
        status = request.query_params.get("status")
        if status:
            if status not in Conflict.Status.values:
                raise refuse("status", "invalid", "status 须为 open、adopted 或 kept。")
            rows = rows.filter(status=status)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        data = [_conflict(r) for r in conflicts.rows_for_display(page)]
        return paginator.get_paginated_response(data)


class ConflictResolveView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsBaselibStaff]

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiResponse(description="处理方式无效")},
        summary="处理数据冲突：采用报送值（adopt）或保留现值（keep）",
        tags=["baselib"],
    )
    def post(self, request, pk: int):
        data = request.data if isinstance(request.data, dict) else {}
        conflict = conflicts.resolve(
            request.user, pk, str(data.get("decision", "")), str(data.get("note", ""))
        )
        return Response(_conflict(conflicts.rows_for_display([conflict])[0]))
