"""What a hall's home page shows: its region, the way up, the halls below, its departments.

Read-only: the portal changes no state, so nothing here is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from govhall.regions.models import LEVEL_ORDER, Department, Hall, Level, Region


@dataclass(frozen=True)
class Section:
    """One entry of every hall's navigation.

    ``url_name`` names the page a subsystem provides for the section: it receives the
    hall's region either as the ``code`` URL argument or, with ``region_in_query``, as
    ``?region=<code>`` (the catalogue's pages). Until that page exists (the name does not
    reverse) the portal shows a placeholder under ``/halls/<code>/<slug>/``, so the
    navigation is complete from day one and never links to a 404.
    """

    slug: str
    title: str | Promise
    description: str | Promise
    url_name: str | None = None
    url_kwargs: tuple[tuple[str, str], ...] = ()
    region_in_query: bool = False

    def url_for(self, hall: Hall) -> str:
        if self.url_name:
            kwargs = dict(self.url_kwargs)
            if not self.region_in_query:
                kwargs["code"] = hall.region_id
            try:
                url = reverse(self.url_name, kwargs=kwargs or None)
            except NoReverseMatch:
                pass
            else:
                if self.region_in_query:
                    url += "?" + urlencode({"region": hall.region_id})
                return url
        return reverse("portal:section", kwargs={"code": hall.region_id, "slug": self.slug})


# Navigation of every hall (§3). Sections whose pages are not built yet fall back to the
# portal's placeholder page.
SECTIONS: list[Section] = [
    Section(
        "personal",
        _("个人办事"),
        _("按主题、按部门查找面向自然人的服务事项"),
        url_name="catalog:audience",
        url_kwargs=(("audience", "person"),),
        region_in_query=True,
    ),
    Section(
        "business",
        _("法人办事"),
        _("企业开办、经营许可、投资项目等面向法人的服务事项"),
        url_name="catalog:audience",
        url_kwargs=(("audience", "company"),),
        region_in_query=True,
    ),
    Section(
        "departments",
        _("部门服务"),
        _("本级各部门进驻大厅的服务事项"),
        url_name="catalog:departments",
        region_in_query=True,
    ),
    Section(
        "progress",
        _("办件查询"),
        _("输入办件编号与证件号码查询办理进度"),
        url_name="cases:progress",
        region_in_query=True,
    ),
    Section(
        "interaction",
        _("互动交流"),
        _("智能客服、在线咨询、投诉与好差评"),
        url_name="assistant:chat",
    ),
    Section(
        "supervision",
        _("效能监督"),
        _("每月公开的办件、投诉与监督结果"),
        url_name="supervision:disclosure",
        region_in_query=True,
    ),
]


def search_url() -> str | None:
    """The catalogue's search page, once it exists (the hall's search box posts there)."""
    try:
        return reverse("catalog:search")
    except NoReverseMatch:
        return None


def section(slug: str) -> Section | None:
    return next((s for s in SECTIONS if s.slug == slug), None)


@dataclass(frozen=True)
class NavItem:
    title: str | Promise
    description: str | Promise
    url: str
    current: bool


def navigation(hall: Hall, current: str | None = None) -> list[NavItem]:
    """The hall's home link followed by its sections; ``current`` marks the page shown."""
    items = [NavItem(_("首页"), _("大厅首页"), hall.get_absolute_url(), current is None)]
    items += [NavItem(s.title, s.description, s.url_for(hall), s.slug == current) for s in SECTIONS]
    return items


@dataclass(frozen=True)
class Crumb:
    name: str
    url: str


# Heading of the list of halls below, by the level of those halls' regions.
CHILD_HALLS_TITLE = {
    Level.CITY: _("各地市分厅"),
    Level.COUNTY: _("县（市、区）分厅"),
    Level.TOWN: _("镇街网上办事站"),
    Level.VILLAGE: _("村居网上办事点"),
}
LEVEL_LABELS = dict(Level.choices)


@dataclass
class HallPage:
    hall: Hall
    region: Region
    breadcrumb: list[Crumb]
    child_halls: list[Hall]
    departments: QuerySet[Department]
    counts: dict[str, int]

    @property
    def count_rows(self) -> list[tuple[str, int]]:
        return [(LEVEL_LABELS[lv], self.counts[lv]) for lv in LEVEL_ORDER if lv in self.counts]

    @property
    def city_code(self) -> str:
        """The prefecture-level city this hall belongs to ("" for the main hall)."""
        if self.region.level == Level.PROVINCE:
            return ""
        return self.region.code[:4] + "00"

    @property
    def child_halls_title(self) -> str | Promise:
        """Named after what is below: Dongguan's branch hall lists towns, not counties."""
        if not self.child_halls:
            return ""
        return CHILD_HALLS_TITLE[Level(self.child_halls[0].region.level)]


def main_hall() -> Hall:
    return Hall.objects.select_related("region").get(region_id=settings.GOVHALL_PROVINCE_CODE)


def hall_for(code: str) -> Hall:
    return Hall.objects.select_related("region__parent").get(region_id=code, is_active=True)


def city_halls() -> list[Hall]:
    """The prefecture-level branch halls, for the "go to hall" choice on every page."""
    return list(
        Hall.objects.filter(region__level=Level.CITY, is_active=True)
        .select_related("region")
        .order_by("region__code")
    )


def breadcrumb(region: Region) -> list[Crumb]:
    """Links from the main hall down to (not including) this hall."""
    ancestors = region.ancestors()
    halls = {
        h.region_id: h
        for h in Hall.objects.filter(region__in=ancestors, is_active=True).select_related("region")
    }
    return [Crumb(a.name, halls[a.code].get_absolute_url()) for a in ancestors if a.code in halls]


def hall_page(hall: Hall) -> HallPage:
    region = hall.region
    child_halls = list(
        Hall.objects.filter(region__parent=region, is_active=True)
        .select_related("region")
        .order_by("region__code")
    )
    # Today's department list: bodies abolished by a reform stay for their old cases only.
    departments = Department.objects.current().filter(region=region).order_by("sort_order", "name")
    counts = dict(
        Region.objects.filter(code__startswith=region.prefix)
        .exclude(code=region.code)
        .values_list("level")
        .annotate(n=Count("code"))
        .order_by()
    )
    return HallPage(hall, region, breadcrumb(region), child_halls, departments, counts)
