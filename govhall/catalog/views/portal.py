"""Portal pages of the catalogue: search, browse (themes, departments, audiences, life
events) and scenario navigation (场景式导航).

Every page is shown "for" a hall region (``?region=440700``; the province by default):
lists put that region's own items first, and links carry the region along. All pages
work without JavaScript (GET forms) and are read-only.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from govhall.regions.models import Department, Region
from govhall.search import browse
from govhall.search.engine import Filters, search
from govhall.search.grouping import GroupedResults

from ..models import Bundle, Item, ItemType, LifeEvent, Scenario, Theme, ThemeAudience
from ..services import scenarios as scenario_service

PAGE_SIZE = 20
POPULAR = (
    "营业执照 结婚登记 公积金提取 身份证 社保卡 食品经营许可 出生登记 残疾人证 清税证明 施工许可证"
).split()
AUDIENCE_LABELS = {"person": _("个人办事"), "company": _("法人办事")}
AUDIENCE_CODE_LABELS = {
    "1": "自然人",
    "2": "企业法人",
    "3": "事业法人",
    "4": "社会组织法人",
    "5": "行政机关",
    "6": "其他组织",
}


def _context(request, region: Region, **extra) -> dict:
    """What every portal page needs: the hall being shown and the region query string."""
    hall = getattr(region, "hall", None)
    cities = Region.objects.filter(level="city").order_by("code")
    return {
        "region": region,
        "hall": hall,
        "region_query": urlencode({"region": region.code}),
        "cities": cities,
        "province_code": Region.objects.filter(level="province")
        .values_list("code", flat=True)
        .first(),
        "page_query": _query_without(request),
        **extra,
    }


def _page(request, object_list, size: int = PAGE_SIZE):
    paginator = Paginator(object_list, size)
    return paginator.get_page(request.GET.get("page"))


def _item_list(request, region: Region, items, *, under: tuple, **context):
    """A theme's, a department's or a life event's page of items (one page of them),
    under the listing named by ``under`` (label, URL name) in the breadcrumb."""
    return render(
        request,
        "catalog/portal/item_list.html",
        _context(request, region, page=_page(request, items), breadcrumb=[under], **context),
    )


def _query_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    params.pop("page", None)
    return params.urlencode()


# --- search --------------------------------------------------------------------------------


def search_page(request):
    """全文检索: Chinese words, synonyms, pinyin (yyzz), typos; filters and highlights."""
    region = browse.region_or_province(request.GET.get("region"))
    query = (request.GET.get("q") or "").strip()[:100]
    audience = (
        request.GET.get("audience") if request.GET.get("audience") in AUDIENCE_LABELS else None
    )
    item_type = request.GET.get("type") if request.GET.get("type") in ItemType.values else None
    theme = Theme.objects.filter(code=request.GET.get("theme") or "").first()
    department = None
    if (request.GET.get("department") or "").isdigit():
        department = Department.objects.filter(pk=int(request.GET["department"])).first()
    local_only = request.GET.get("scope") == "local"
    filters = Filters(
        region=region.code if local_only else None,
        department=department.pk if department else None,
        theme=theme.code if theme else None,
        audience=audience,
        item_type=item_type,
    )
    results = GroupedResults(search(query, region=region, filters=filters)) if query else None
    page = groups = facets = None
    if results is not None:
        page = _page(request, range(len(results)))
        groups = results.groups(
            page.start_index() - 1 if len(results) else 0, PAGE_SIZE, highlight=True
        )
        facets = _facets(results.results)
    context = _context(
        request,
        region,
        nav="search",
        query=query,
        results=results,
        page=page,
        groups=groups,
        facets=facets,
        audience=audience,
        item_type=item_type,
        theme=theme,
        department=department,
        local_only=local_only,
        audience_labels=AUDIENCE_LABELS,
        item_types=ItemType.choices,
        themes=Theme.objects.order_by("audience", "sort_order"),
        popular=POPULAR,
        clear_query={
            "audience": _query_without(request, "audience"),
            "type": _query_without(request, "type"),
            "theme": _query_without(request, "theme"),
            "department": _query_without(request, "department"),
        },
    )
    return render(request, "catalog/portal/search.html", context)


FACET_LIMIT = 3000  # above this many matches, counting facets costs more than it helps


def _facets(results) -> dict | None:
    if not len(results) or len(results) > FACET_LIMIT:
        return None
    raw = results.facets()
    types = dict(ItemType.choices)
    departments = dict(
        Department.objects.filter(
            pk__in=[d for d, _ in raw.get("department_id", [])][:10]
        ).values_list("pk", "name")
    )
    audience = {"person": 0, "company": 0}
    for codes, n in raw.get("audience_codes", []):
        if "1" in codes:
            audience["person"] += n
        if set(codes) & set("23456"):
            audience["company"] += n
    return {
        "types": [(code, types.get(code, code), n) for code, n in raw.get("item_type", [])],
        "departments": [
            (d, departments[d], n) for d, n in raw.get("department_id", [])[:10] if d in departments
        ],
        "audiences": [(key, AUDIENCE_LABELS[key], n) for key, n in audience.items() if n],
    }


# --- browse ----------------------------------------------------------------------------------


def themes_page(request):
    """服务主题: the 31 person and 34 company themes with their item counts."""
    region = browse.region_or_province(request.GET.get("region"))
    themes = browse.themes_with_counts(region=region)
    groups = [
        (
            ThemeAudience.PERSON,
            AUDIENCE_LABELS["person"],
            [t for t in themes if t.audience == "person"],
        ),
        (
            ThemeAudience.COMPANY,
            AUDIENCE_LABELS["company"],
            [t for t in themes if t.audience == "company"],
        ),
    ]
    return render(
        request,
        "catalog/portal/themes.html",
        _context(request, region, groups=groups, nav="themes"),
    )


def theme_page(request, code: str):
    region = browse.region_or_province(request.GET.get("region"))
    theme = get_object_or_404(Theme, code=code)
    items = browse.published_items(region, local_only=True).filter(current__themes=theme)
    life_events = theme.life_events.order_by("sort_order")
    lead = _("%(audience)s · %(description)s") % {
        "audience": theme.get_audience_display(),
        "description": theme.description,
    }
    return _item_list(
        request,
        region,
        items,
        title=theme.name,
        lead=lead,
        under=(_("服务主题"), "catalog:themes"),
        nav="themes",
        life_events=life_events,
    )


def audience_page(request, audience: str):
    """个人办事 / 法人办事: the audience's themes and life events, then its items."""
    if audience not in AUDIENCE_LABELS:
        raise Http404(_("没有这个服务对象"))
    region = browse.region_or_province(request.GET.get("region"))
    items = browse.published_items(region, local_only=True).for_audience(audience)
    return render(
        request,
        "catalog/portal/audience.html",
        _context(
            request,
            region,
            audience=audience,
            nav=audience,
            title=AUDIENCE_LABELS[audience],
            themes=browse.themes_with_counts(audience, region),
            life_events=LifeEvent.objects.filter(audience=audience).order_by("sort_order"),
            page=_page(request, items),
        ),
    )


def departments_page(request):
    """部门服务: the hall's departments that have items, and the halls below."""
    region = browse.region_or_province(request.GET.get("region"))
    children = (
        Region.objects.filter(parent=region)
        .annotate(
            n=Count(
                "items", filter=Q(items__status=Item.Status.ACTIVE, items__current__isnull=False)
            )
        )
        .order_by("code")
    )
    return render(
        request,
        "catalog/portal/departments.html",
        _context(
            request,
            region,
            nav="departments",
            departments=browse.departments_with_counts(region),
            children=[c for c in children if c.level in ("city", "county", "town")],
        ),
    )


def _lead_of(department: Department) -> str:
    lead = _("%(region)s · 进驻大厅的服务事项") % {"region": department.region.name}
    if department.is_abolished:
        lead += _("。该部门已于%(date)s撤销") % {
            "date": f"{department.abolished_on:%Y年%-m月%-d日}"
        }
        if department.successor_id:
            lead += _("，职责由%(successor)s承接") % {"successor": department.successor.name}
    return lead


def department_page(request, credit_code: str):
    department = get_object_or_404(
        Department.objects.select_related("region", "successor"), credit_code=credit_code
    )
    items = (
        Item.objects.published()
        .filter(department=department)
        .select_related("current", "department", "region")
        .order_by("basic_code")
    )
    return _item_list(
        request,
        department.region,
        items,
        title=department.name,
        lead=_lead_of(department),
        under=(_("部门服务"), "catalog:departments"),
        nav="departments",
    )


def life_events_page(request):
    region = browse.region_or_province(request.GET.get("region"))
    events = LifeEvent.objects.order_by("audience", "sort_order").prefetch_related("scenarios")
    groups = [
        (AUDIENCE_LABELS["person"], [e for e in events if e.audience == "person"]),
        (AUDIENCE_LABELS["company"], [e for e in events if e.audience == "company"]),
    ]
    return render(
        request,
        "catalog/portal/life_events.html",
        _context(request, region, groups=groups, nav="life-events"),
    )


def life_event_page(request, code: str):
    region = browse.region_or_province(request.GET.get("region"))
    event = get_object_or_404(LifeEvent, code=code)
    items = browse.published_items(region, local_only=True).filter(life_events=event)
    bundles = Bundle.objects.filter(life_event=event, is_published=True).select_related("region")
    scenario_list = Scenario.objects.filter(life_event=event, is_published=True).select_related(
        "region"
    )
    return _item_list(
        request,
        region,
        items,
        title=event.name,
        lead=event.description,
        under=(_("人生事件"), "catalog:life-events"),
        nav="life-events",
        bundles=bundles.prefetch_related("members__item"),
        scenarios=scenario_list,
    )


# --- scenario navigation ----------------------------------------------------------------------


def scenarios_page(request):
    region = browse.region_or_province(request.GET.get("region"))
    scenario_list = Scenario.objects.filter(is_published=True).select_related(
        "region", "life_event"
    )
    return render(
        request,
        "catalog/portal/scenarios.html",
        _context(request, region, scenarios=scenario_list, nav="scenarios"),
    )


def _answers(request, scenario: Scenario) -> dict[str, str]:
    """Answers come as ``a-<question code>=<option code>`` query parameters (bookmarkable)."""
    return {
        key[2:]: value
        for key, value in request.GET.items()
        if key.startswith("a-") and key[2:] and value
    }


def scenario_page(request, code: str):
    """One question per page; at the end, the exact items and materials for the answers."""
    scenario = get_object_or_404(
        Scenario.objects.select_related("region", "life_event"), code=code, is_published=True
    )
    region = scenario.region or browse.region_or_province(request.GET.get("region"))
    answers = _answers(request, scenario)
    error = ""
    # A submitted question without a choice: ask again with an error message.
    asked = request.GET.get("q")
    if asked and asked not in answers and "next" in request.GET:
        error = _("请选择一项后再继续。")
    try:
        result = scenario_service.resolve(scenario, answers)
    except scenario_service.ScenarioError:
        result = scenario_service.resolve(scenario, {})
        answers = {}
        error = _("回答已失效，请从第一个问题重新回答。")
    steps = []
    kept: dict[str, str] = {}
    for question, option in result.path:
        change_link = urlencode({f"a-{k}": v for k, v in kept.items()})
        steps.append((question, option, change_link))
        kept[question.code] = option.code
    hidden = [(f"a-{k}", v) for k, v in kept.items()]
    total_questions = scenario.questions.count()
    context = _context(
        request,
        region,
        nav="scenarios",
        scenario=scenario,
        result=result,
        steps=steps,
        hidden=hidden,
        error=error,
        question_number=len(steps) + 1,
        total_questions=total_questions,
        answers_query=urlencode({f"a-{k}": v for k, v in kept.items()}),
    )
    template = (
        "catalog/portal/scenario_result.html" if result.complete else "catalog/portal/scenario.html"
    )
    return render(request, template, context)
