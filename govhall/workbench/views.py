"""The staff workbench shell: sign-in, and a home page showing the user's posts and scope.

Later subsystems fill the panels (cases, counter, catalogue, supervision); the shell only
says who the user is, where they work and how far their reach goes (``scope_of``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govhall.accounts.forms import LoginForm
from govhall.regions.models import Post, StaffPost
from govhall.regions.services.scope import REGION_WIDE_POSTS, StaffScope, scope_of


class LoginView(auth_views.LoginView):
    """Staff sign-in; a failed attempt is audited as ``login_failed`` by accounts.signals."""

    template_name = "workbench/login.html"
    redirect_authenticated_user = True
    # The identity subsystem's form: lockout and remaining-tries messages for staff too.
    authentication_form = LoginForm


class LogoutView(auth_views.LogoutView):
    """Sign-out by POST only (Django refuses GET), then back to the main hall."""

    next_page = "portal:home"


HANDLING_POSTS = frozenset({Post.CLERK, Post.REVIEWER, Post.APPROVER})


def _holds(*posts):
    return lambda user, scope: scope.is_superuser or any(h.post in posts for h in scope.posts)


def _staff(user, scope) -> bool:
    return scope.is_staff_member


def _catalogue(user, scope) -> bool:
    from govhall.catalog.services.permissions import is_catalogue_staff

    return is_catalogue_staff(user)


def _operations(user, scope) -> bool:
    from govhall.operations.access import can_operate

    return can_operate(user)


@dataclass(frozen=True)
class Panel:
    """A card of the home page: shown only when ``usable(user, scope)`` says the user's
    posts let them use that desk (a card that leads to a 403 page is a dead end)."""

    key: str
    title: str | Promise
    description: str | Promise
    url_name: str | None = None
    usable: Callable[[object, StaffScope], bool] = _staff

    @property
    def url(self) -> str | None:
        if not self.url_name:
            return None
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


# Panels of the workbench; each subsystem fills its own (cases, catalogue, supervision...).
# A panel without a desk yet (``url_name`` None) is not shown.
PANELS = [
    Panel(
        "inbox",
        gettext_lazy("待办办件"),
        gettext_lazy("受理、审核、审批的待办事项。"),
        url_name="workbench:cases-inbox",
        usable=_holds(*HANDLING_POSTS),
    ),
    Panel(
        "counter",
        gettext_lazy("综合窗口"),
        gettext_lazy("一门式受理：查询办事人、代为申办、扫描材料。"),
        url_name="workbench:counter",
        usable=_holds(Post.CLERK, Post.HALL_ADMIN),
    ),
    Panel(
        "catalogue",
        gettext_lazy("事项管理"),
        gettext_lazy("事项录入、审查与发布。"),
        url_name="catalog:desk",
        usable=_catalogue,
    ),
    Panel(
        "licences",
        gettext_lazy("电子证照"),
        gettext_lazy("本部门签发的证照、亮证核验、证照目录、签发密钥、存量电子化和归档。"),
        url_name="workbench:licences-list",
        usable=_holds(*HANDLING_POSTS, Post.HALL_ADMIN),
    ),
    Panel(
        "monitoring",
        gettext_lazy("数据监测"),
        gettext_lazy("“三率一数”等指标与目标、地区排名、月度走势、办件追溯、导出与月度报告。"),
        url_name="workbench:monitoring",
    ),
    Panel(
        "exchange",
        gettext_lazy("数据交换"),
        gettext_lazy("分厅和业务系统报送办件过程信息的情况、每日数据质量得分与问题反馈。"),
        url_name="exchange:clients",
        usable=_holds(Post.HALL_ADMIN, Post.SUPERVISOR),
    ),
    Panel(
        "operations",
        gettext_lazy("运行维护"),
        gettext_lazy(
            "定时任务及其运行记录、后台队列与报送积压、数据库和缓存状态、告警（大厅管理员）。"
        ),
        url_name="operations:overview",
        usable=_operations,
    ),
    Panel(
        "supervision",
        gettext_lazy("效能监督"),
        gettext_lazy("黄牌、红牌预警的核实、整改与办结，投诉处理，差评回访整改，绩效考评。"),
        url_name="supervision:warnings",
        usable=_holds(*HANDLING_POSTS, Post.SUPERVISOR, Post.HALL_ADMIN),
    ),
    Panel(
        "consultation",
        gettext_lazy("在线咨询"),
        gettext_lazy("接入群众从智能客服转来的咨询、实时答复、结束并查看响应时间与满意率。"),
        url_name="assistant:staff-queue",
        usable=_holds(*HANDLING_POSTS, Post.HALL_ADMIN),
    ),
    Panel(
        "knowledge",
        gettext_lazy("知识库"),
        gettext_lazy("本部门的标准答案（问答库）编写、审核与发布；智能客服答不了的待完善问题。"),
        url_name="assistant:knowledge",
    ),
    Panel(
        "spaces",
        gettext_lazy("两页指标"),
        gettext_lazy("企业专属网页、市民个人网页的开通率和使用率（按地市），数据使用异议。"),
        url_name="spaces:indicators",
        usable=_holds(Post.SUPERVISOR, Post.HALL_ADMIN),
    ),
    Panel(
        "channels",
        gettext_lazy("第三方渠道"),
        gettext_lazy("支付、社交、银行应用和自助终端接入的调用量、出错、办件和评价（按日）。"),
        url_name="channels:usage",
        usable=_holds(Post.HALL_ADMIN),
    ),
    Panel(
        "baselib",
        gettext_lazy("基础信息库"),
        gettext_lazy("人口库、法人库的属性目录和权威来源部门，主题库，本部门报送数据的冲突核实。"),
        url_name="baselib:overview",
        usable=_holds(*HANDLING_POSTS, Post.SUPERVISOR, Post.HALL_ADMIN),
    ),
    Panel(
        "sharing",
        gettext_lazy("共享目录"),
        gettext_lazy("申请基础库共享数据、审核和撤销本部门资源的共享授权、两端调用记录。"),
        url_name="sharing:staff-index",
        usable=_holds(*HANDLING_POSTS, Post.HALL_ADMIN),
    ),
    Panel(
        "mobile",
        gettext_lazy("移动端入口监测"),
        gettext_lazy(
            "移动端页面、接口和渠道接入点的定期检测：可用率、响应时间和告警（大厅管理员）。"
        ),
        url_name="mobile:entries",
        usable=_operations,
    ),
]


def panels_for(user, scope: StaffScope) -> list[Panel]:
    """The cards this user can use: a desk exists and one of their posts opens it."""
    return [p for p in PANELS if p.url and p.usable(user, scope)]


# The figures a card shows (open tasks, open warnings…), registered by the app that owns
# the desk from its AppConfig.ready: ``figures(user, scope)`` answers what the card's
# template reads, or None. The shell imports none of those apps.
FIGURES: dict[str, Callable[[object, StaffScope], object]] = {}


def register_figures(key: str, figures: Callable[[object, StaffScope], object]) -> None:
    FIGURES[key] = figures


def figures_for(user, scope: StaffScope, panels: list[Panel]) -> dict[str, object]:
    shown = {p.key for p in panels}
    return {key: figures(user, scope) for key, figures in FIGURES.items() if key in shown}


@dataclass(frozen=True)
class CalendarAlert:
    years: tuple[int, ...]
    url: str


# From November the next year's holiday schedule is due (the State Council publishes it
# in October or November); until it is loaded every deadline into that year is a guess.
CALENDAR_ALERT_FROM_MONTH = 11


def calendar_alert(scope: StaffScope, today: date) -> CalendarAlert | None:
    """For hall administrators: the years whose holiday schedule is missing and needed now
    — this year always, next year from November — with where to load it."""
    from govhall.core.services import calendar

    if not (scope.is_superuser or any(h.post == Post.HALL_ADMIN for h in scope.posts)):
        return None
    needed = [today.year] + ([today.year + 1] if today.month >= CALENDAR_ALERT_FROM_MONTH else [])
    missing = tuple(year for year in needed if not calendar.is_known_year(year))
    if not missing:
        return None
    return CalendarAlert(missing, f"{reverse('admin:core_calendaryear_add')}?year={missing[0]}")


@dataclass(frozen=True)
class PostRow:
    department: str
    region: str
    post: str
    reach: str


def reach_of(post: StaffPost) -> str:
    """In words: what this one post covers (see ``regions.services.scope``)."""
    if post.post in REGION_WIDE_POSTS:
        return _("%(region)s及下辖全部区划") % {"region": post.department.region.name}
    return _("本部门")


@login_required
def home(request):
    scope = scope_of(request.user)
    posts = (
        request.user.staff_posts.filter(is_active=True, department__is_active=True)
        .select_related("department__region")
        .order_by("department__region__code", "department__sort_order", "post")
    )
    rows = [
        PostRow(p.department.name, p.department.region.name, p.get_post_display(), reach_of(p))
        for p in posts
    ]
    panels = panels_for(request.user, scope)
    figures = figures_for(request.user, scope, panels)
    return render(
        request,
        "workbench/home.html",
        {
            "scope": scope,
            "post_rows": rows,
            "department_count": scope.departments().count() if rows else 0,
            "panels": panels,
            "inbox": figures.get("inbox"),
            "supervision_counts": figures.get("supervision"),
            "calendar_alert": calendar_alert(scope, timezone.localdate()),
        },
    )
