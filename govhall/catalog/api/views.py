"""The catalogue API: the public contract (docs/api.md) plus write endpoints for catalogue staff.

Public: ``/api/v1/items/`` (list and search), ``/api/v1/items/<code>/`` (the full guide),
``/api/v1/items/<code>/versions/…`` (published versions stay readable), ``/api/v1/themes/``.
Staff (session-authenticated, scope-checked by the services): ``/api/v1/catalog/…``.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.core.api.errors import NON_FIELD, error, error_response
from govhall.core.api.pagination import StandardPagination
from govhall.core.errors import deny
from govhall.regions.models import Department, Region
from govhall.search.engine import search_items
from govhall.search.grouping import GroupedResults, LeadItems

from ..models import Audience, Bundle, Item, ItemType, ItemVersion, Scenario, Theme
from ..services import bundles, documents, guides, items, rates, scenarios, workflow
from ..services import permissions as scope
from . import serializers as s


def _filters(request) -> tuple[dict, Region | None]:
    """Validated list filters; a bad value is a 400 naming the parameter."""
    params = request.query_params
    out: dict = {}
    region = None
    code = params.get("region", "").strip()
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise ValidationError({"region": f"行政区划代码“{code}”不存在。"})
    dept = params.get("department", "").strip()
    if dept:
        department = Department.objects.filter(credit_code=dept).first()
        if department is None:
            raise ValidationError({"department": f"部门统一社会信用代码“{dept}”不存在。"})
        out["department"] = department
    theme = params.get("theme", "").strip()
    if theme:
        found = Theme.objects.filter(code=theme).first()
        if found is None:
            raise ValidationError({"theme": f"服务主题编码“{theme}”不存在。"})
        out["theme"] = found
    audience = params.get("audience", "").strip()
    if audience:
        if audience not in ("person", "company", *Audience.values):
            raise ValidationError({"audience": "audience须为person、company或服务对象代码1–6。"})
        out["audience"] = audience
    item_type = params.get("item_type", "").strip()
    if item_type:
        if item_type not in ItemType.values:
            raise ValidationError({"item_type": f"事项类型须为{'、'.join(ItemType.values)}之一。"})
        out["item_type"] = item_type
    return out, region


def published_queryset():
    return Item.objects.published().select_related("current", "department", "region")


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="中文全文检索（分词、同义词、拼音、首字母）"),
            OpenApiParameter(
                "region", str, description="行政区划代码：该区划及下级的事项，本级优先"
            ),
            OpenApiParameter("department", str, description="实施主体统一社会信用代码"),
            OpenApiParameter("theme", str, description="服务主题编码"),
            OpenApiParameter("audience", str, description="person、company或服务对象代码"),
            OpenApiParameter("item_type", str, enum=ItemType.values),
            OpenApiParameter(
                "flat",
                bool,
                description=(
                    "与q同用：默认每个基本目录事项只返回一条（本地区的实施事项优先），"
                    "flat=true时返回各地区的每个实施事项"
                ),
            ),
        ],
        tags=["catalogue"],
    )
)
class ItemList(generics.ListAPIView):
    """Published items, filtered and searched, paginated."""

    serializer_class = s.ItemSummarySerializer
    pagination_class = StandardPagination
    filter_backends = []

    def get_queryset(self):
        filters, region = _filters(self.request)
        query = self.request.query_params.get("q", "").strip()
        if len(query) > 100:
            raise ValidationError({"q": "检索词不能超过100个字符。"})
        if query:
            # The standard filters run inside the full-text index (no per-match probe).
            results = search_items(
                query,
                region=region,
                within=region.code if region is not None else None,
                department=filters["department"].pk if "department" in filters else None,
                theme=filters["theme"].code if "theme" in filters else None,
                audience=filters.get("audience"),
                item_type=filters.get("item_type"),
            )
            if _flag(self.request.query_params.get("flat")):
                return results
            return LeadItems(GroupedResults(results))
        queryset = published_queryset()
        if region is not None:
            queryset = queryset.filter(region__code__startswith=region.prefix)
        if "department" in filters:
            queryset = queryset.filter(department=filters["department"])
        if "theme" in filters:
            queryset = queryset.filter(current__themes=filters["theme"])
        if "audience" in filters:
            queryset = queryset.for_audience(filters["audience"])
        if "item_type" in filters:
            queryset = queryset.filter(item_type=filters["item_type"])
        return queryset.order_by("region__code", "basic_code", "implementation_code")


def _flag(value: str | None) -> bool:
    """A boolean query parameter: true/1/yes (anything else, or absent, is false)."""
    if value is None:
        return False
    if value.strip().lower() in ("true", "1", "yes"):
        return True
    if value.strip().lower() in ("false", "0", "no", ""):
        return False
    raise ValidationError({"flat": "flat须为true或false。"})


def _public_item(code: str) -> Item:
    return get_object_or_404(
        Item.objects.select_related("current", "department", "region").exclude(current=None),
        implementation_code=code,
    )


@extend_schema(responses=s.ItemGuideSerializer, tags=["catalogue"])
class ItemDetail(APIView):
    """The full service guide of the version in force."""

    def get(self, request, code: str):
        item = _public_item(code)
        return Response(s.guide_payload(item.current))


@extend_schema(responses=s.VersionSummarySerializer(many=True), tags=["catalogue"])
class ItemPublicVersions(APIView):
    """Every version that has been in force, newest first."""

    def get(self, request, code: str):
        item = _public_item(code)
        versions = item.versions.filter(state__in=ItemVersion.PUBLIC_STATES).order_by("-number")
        return Response(s.VersionSummarySerializer(versions, many=True).data)


@extend_schema(responses=s.ItemGuideSerializer, tags=["catalogue"])
class ItemPublicVersion(APIView):
    """The guide as it was at a published version (stays readable after it is replaced)."""

    def get(self, request, code: str, number: int):
        item = _public_item(code)
        version = get_object_or_404(
            item.versions, number=number, state__in=ItemVersion.PUBLIC_STATES
        )
        return Response(s.guide_payload(version))


class ThemePagination(StandardPagination):
    page_size = 200


@extend_schema_view(
    get=extend_schema(
        parameters=[OpenApiParameter("audience", str, enum=["person", "company"])],
        tags=["catalogue"],
    )
)
class ThemeList(generics.ListAPIView):
    """The 31 natural-person and 34 legal-person service themes (国办函〔2016〕108号)."""

    serializer_class = s.ThemeSerializer
    pagination_class = ThemePagination
    filter_backends = []

    def get_queryset(self):
        queryset = Theme.objects.order_by("audience", "sort_order", "code")
        audience = self.request.query_params.get("audience", "").strip()
        if audience:
            if audience not in ("person", "company"):
                raise ValidationError({"audience": "audience须为person或company。"})
            queryset = queryset.filter(audience=audience)
        # Persons first, as the seed lists them.
        return sorted(queryset, key=lambda t: (t.audience != "person", t.sort_order, t.code))


# --- staff write endpoints --------------------------------------------------------------


class StaffAPIView(APIView):
    """Authenticated catalogue staff (the services check each one's scope)."""

    permission_classes = [permissions.IsAuthenticated]


def _staff_item(user, code: str) -> Item:
    item = get_object_or_404(
        Item.objects.select_related("department", "region"), implementation_code=code
    )
    if not scope.visible_items(user).filter(pk=item.pk).exists():
        raise deny(f"事项“{item.name}”不在您的事项管理范围内。")
    return item


def _staff_version(user, pk: int) -> ItemVersion:
    version = get_object_or_404(ItemVersion.objects.select_related("item__department"), pk=pk)
    _staff_item(user, version.item.implementation_code)
    return version


def _version_payload(version: ItemVersion) -> dict:
    doc = documents.version_document(version)
    doc["id"] = version.pk
    doc["allowed_actions"] = workflow.allowed_actions(version)
    doc["reviews"] = [
        {
            "action": r.action,
            "actor": r.actor_label,
            "comment": r.comment,
            "legality_ok": r.legality_ok,
            "compliance_ok": r.compliance_ok,
            "at": r.created_at.isoformat(),
        }
        for r in version.reviews.all()
    ]
    return doc


@extend_schema(
    request=s.ItemCreateSerializer, responses={201: s.DocumentSerializer}, tags=["catalogue-staff"]
)
class StaffItemCreate(StaffAPIView):
    """Enter a new item with its first draft (catalogue editors of the department)."""

    def post(self, request):
        body = s.ItemCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        item = items.create_item(
            department=data["department"],
            name=data["name"],
            item_type=data["item_type"],
            basic_code=data.get("basic_code") or None,
            parent=data.get("parent") or None,
            content=data.get("content") or {},
            actor=request.user,
        )
        return Response(_version_payload(item.latest_version), status=status.HTTP_201_CREATED)


@extend_schema(responses=s.VersionSummarySerializer(many=True), tags=["catalogue-staff"])
class StaffItemVersions(StaffAPIView):
    """All versions of an item in the user's scope, drafts included."""

    def get(self, request, code: str):
        item = _staff_item(request.user, code)
        return Response(
            s.VersionSummarySerializer(item.versions.order_by("-number"), many=True).data
        )


@extend_schema(
    request=s.DraftCreateSerializer, responses={201: s.DocumentSerializer}, tags=["catalogue-staff"]
)
class StaffDraftCreate(StaffAPIView):
    """Start a new version (变更, 暂停, 取消...) from the one in force."""

    def post(self, request, code: str):
        item = _staff_item(request.user, code)
        body = s.DraftCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        change_type = body.validated_data["change_type"]
        summary = body.validated_data.get("change_summary", "")
        if change_type in ("suspend", "cancel"):
            version = items.request_change(item, change_type, summary, request.user)
        else:
            version = items.new_draft(
                item, request.user, change_type=change_type, change_summary=summary
            )
        return Response(_version_payload(version), status=status.HTTP_201_CREATED)


@extend_schema(
    request=s.DocumentSerializer, responses=s.DocumentSerializer, tags=["catalogue-staff"]
)
class StaffVersionDetail(StaffAPIView):
    """Read a version (any state in scope) or replace a draft's content."""

    def get(self, request, pk: int):
        return Response(_version_payload(_staff_version(request.user, pk)))

    def put(self, request, pk: int):
        version = _staff_version(request.user, pk)
        body = s.DocumentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        items.save_draft(version, body.validated_data, request.user)
        version.refresh_from_db()
        return Response(_version_payload(version))


ACTIONS = {
    "submit": lambda v, u, d: workflow.submit(v, u, d["comment"]),
    "return": lambda v, u, d: workflow.return_version(
        v, u, d["comment"], legality_ok=d["legality_ok"], compliance_ok=d["compliance_ok"]
    ),
    "approve": lambda v, u, d: workflow.approve(
        v,
        u,
        d["comment"],
        legality_ok=d["legality_ok"] is not False,
        compliance_ok=d["compliance_ok"] is not False,
    ),
    "publish": lambda v, u, d: workflow.publish(v, u, d["comment"]),
    "discard": lambda v, u, d: workflow.discard(v, u, d["comment"]),
}


@extend_schema(
    request=s.ReviewActionSerializer, responses=s.DocumentSerializer, tags=["catalogue-staff"]
)
class StaffVersionAction(StaffAPIView):
    """Workflow actions: submit, return (with comment), approve, publish, discard."""

    def post(self, request, pk: int, action: str):
        if action not in ACTIONS:
            return error_response(
                [error("action", "unknown_action", f"没有“{action}”这个操作。")], 404
            )
        version = _staff_version(request.user, pk)
        body = s.ReviewActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = ACTIONS[action](version, request.user, body.validated_data)
        return Response(_version_payload(version))


@extend_schema(
    parameters=[
        OpenApiParameter("from", int, required=True, description="旧版本号"),
        OpenApiParameter("to", int, required=True, description="新版本号"),
    ],
    responses=s.DocumentSerializer,
    tags=["catalogue-staff"],
)
class StaffItemDiff(StaffAPIView):
    """Field-by-field differences between two versions of an item."""

    def get(self, request, code: str):
        item = _staff_item(request.user, code)
        numbers = {}
        for name in ("from", "to"):
            value = request.query_params.get(name, "")
            if not value.isdigit():
                raise ValidationError({name: f"{name}须为版本号（正整数）。"})
            numbers[name] = int(value)
        old = get_object_or_404(item.versions, number=numbers["from"])
        new = get_object_or_404(item.versions, number=numbers["to"])
        changes = documents.diff(documents.content_document(old), documents.content_document(new))
        return Response(
            {
                "from": old.number,
                "to": new.number,
                "changes": [
                    {
                        "field": c.field,
                        "label": c.label,
                        "kind": c.kind,
                        "before": c.before,
                        "after": c.after,
                    }
                    for c in changes
                ],
            }
        )


@extend_schema(
    parameters=[OpenApiParameter("region", str, required=True)],
    responses=s.DocumentSerializer,
    tags=["catalogue-staff"],
)
class StaffRates(StaffAPIView):
    """Catalogue confirmation, entry-submission and review-pass rates of a region."""

    def get(self, request):
        code = request.query_params.get("region", "").strip()
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise ValidationError({"region": f"行政区划代码“{code}”不存在。"})
        return Response([r.as_dict() for r in rates.rates_by_child_region(region)])


# --- split and merge ------------------------------------------------------------------------


@extend_schema(
    request=s.SplitSerializer, responses={201: s.DocumentSerializer}, tags=["catalogue-staff"]
)
class StaffItemSplit(StaffAPIView):
    """拆分: new items (drafts) take over; publishing the first one cancels this item."""

    def post(self, request, code: str):
        item = _staff_item(request.user, code)
        body = s.SplitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        parts = items.split_item(
            item,
            [dict(p) for p in body.validated_data["parts"]],
            body.validated_data["change_summary"],
            request.user,
        )
        return Response(
            {"items": [_version_payload(p.latest_version) for p in parts]},
            status=status.HTTP_201_CREATED,
        )


@extend_schema(
    request=s.MergeSerializer, responses={201: s.DocumentSerializer}, tags=["catalogue-staff"]
)
class StaffItemMerge(StaffAPIView):
    """合并: one new item (draft) replaces several; publishing it cancels them."""

    def post(self, request):
        body = s.MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sources = [_staff_item(request.user, code) for code in body.validated_data["items"]]
        merged = items.merge_items(
            sources,
            name=body.validated_data["name"],
            reason=body.validated_data["change_summary"],
            actor=request.user,
            basic_code=body.validated_data.get("basic_code") or None,
        )
        return Response(_version_payload(merged.latest_version), status=status.HTTP_201_CREATED)


# --- scenarios and bundles --------------------------------------------------------------------


def _published_scenario(code: str) -> Scenario:
    return get_object_or_404(Scenario, code=code, is_published=True)


@extend_schema(responses=s.DocumentSerializer, tags=["catalogue"])
class ScenarioDetail(APIView):
    """A published scenario tree: questions, options and where each option leads."""

    def get(self, request, code: str):
        return Response(scenarios.scenario_document(_published_scenario(code)))


@extend_schema(
    request=s.ScenarioAnswersSerializer, responses=s.DocumentSerializer, tags=["catalogue"]
)
class ScenarioResolve(APIView):
    """The exact items and materials for a set of answers (question code → option code)."""

    def post(self, request, code: str):
        scenario = _published_scenario(code)
        body = s.ScenarioAnswersSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = scenarios.resolve(scenario, body.validated_data["answers"])
        return Response(
            {
                "complete": result.complete,
                "next_question": result.next_question.code if result.next_question else None,
                "items": [
                    {
                        "implementation_code": r.item.implementation_code,
                        "name": r.item.name,
                        "url": r.item.get_absolute_url(),
                        "materials_you_bring": [
                            guides.material_dict(m) for m in r.materials_you_bring
                        ],
                        "materials_fetched": [guides.material_dict(m) for m in r.materials_fetched],
                    }
                    for r in result.items
                ],
            }
        )


@extend_schema(
    request=s.DocumentSerializer, responses=s.DocumentSerializer, tags=["catalogue-staff"]
)
class StaffScenario(StaffAPIView):
    """Read or replace a scenario tree (catalogue reviewers of the tree's region)."""

    def get(self, request, code: str):
        scenario = get_object_or_404(Scenario, code=code)
        if not scenarios.can_maintain(request.user, scenario.region_id):
            raise deny("只有该情形引导所属区划的事项审查人员可以维护它。")
        return Response(scenarios.scenario_document(scenario))

    def put(self, request, code: str):
        body = s.DocumentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        doc = {**body.validated_data, "code": code}
        scenario = scenarios.save_scenario_as(request.user, doc)
        return Response(scenarios.scenario_document(scenario))


@extend_schema(
    request=s.DocumentSerializer, responses=s.DocumentSerializer, tags=["catalogue-staff"]
)
class StaffBundle(StaffAPIView):
    """Create or replace a bundle (一件事) led by one of the user's departments."""

    def put(self, request, code: str):
        body = s.DocumentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data.pop("code", None)
        allowed = {
            "name",
            "audience",
            "region",
            "description",
            "lead_department",
            "life_event",
            "themes",
            "promised_limit_days",
            "is_published",
            "members",
        }
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise ValidationError({unknown[0]: f"未知字段“{unknown[0]}”。"})
        if not data.get("lead_department"):
            raise ValidationError({"lead_department": "须指定牵头部门（统一社会信用代码）。"})
        try:
            bundle = bundles.save_bundle(code=code, actor=request.user, **data)
        except TypeError as exc:
            raise ValidationError({NON_FIELD: f"一件事字段不完整：{exc}"}) from None
        return Response(bundles.bundle_document(bundle))


@extend_schema(responses=s.DocumentSerializer(many=True), tags=["catalogue"])
class BundleList(APIView):
    """Published bundles (一件事) with their member items."""

    def get(self, request):
        queryset = Bundle.objects.filter(is_published=True).order_by("sort_order", "code")
        region = request.query_params.get("region", "").strip()
        if region:
            found = Region.objects.filter(code=region).first()
            if found is None:
                raise ValidationError({"region": f"行政区划代码“{region}”不存在。"})
            queryset = bundles.published_bundles(found)
        return Response([bundles.bundle_document(b) for b in queryset])
