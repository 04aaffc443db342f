"""The staff workbench shell: sign-in, and a home page showing the user's posts and scope.

Later subsystems fill the panels (cases, counter, catalogue, supervision); the shell only
says who the user is, where they work and how far their reach goes (``scope_of``).
"""

from dataclasses import dataclass

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govhall.accounts.forms import LoginForm
from govhall.regions.models import StaffPost
from govhall.regions.services.scope import REGION_WIDE_POSTS, scope_of


class LoginView(auth_views.LoginView):
    """Staff sign-in; a failed attempt is audited as ``login_failed`` by accounts.signals."""

    template_name = "workbench/login.html"
    redirect_authenticated_user = True
    # The identity subsystem's form: lockout and remaining-tries messages for staff too.
    authentication_form = LoginForm


class LogoutView(auth_views.LogoutView):
    """Sign-out by POST only (Django refuses GET), then back to the main hall."""

    next_page = "portal:home"


@dataclass(frozen=True)
class Panel:
    """A panel of the home page; ``url_name`` is the subsystem's own desk, once it exists."""

    key: str
    title: str | Promise
    description: str | Promise
    url_name: str | None = None

    @property
    def url(self) -> str | None:
        if not self.url_name:
            return None
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


# Panels of the workbench; each subsystem fills its own (cases, catalogue, supervision...).
PANELS = [
    Panel(
        "inbox",
        gettext_lazy("待办办件"),
        gettext_lazy("受理、审核、审批的待办事项将在这里列出。"),
        url_name="workbench:cases-inbox",
    ),
    Panel(
        "counter",
        gettext_lazy("综合窗口"),
        gettext_lazy("一门式受理：查询办事人、代为申办、扫描材料。"),
        url_name="workbench:counter",
    ),
    Panel(
        "catalogue",
        gettext_lazy("事项管理"),
        gettext_lazy("事项录入、审查与发布。"),
        url_name="catalog:desk",
    ),
    Panel(
        "licences",
        gettext_lazy("电子证照"),
        gettext_lazy("本部门签发的证照、亮证核验、证照目录、签发密钥、存量电子化和归档。"),
        url_name="workbench:licences-list",
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
    ),
    Panel(
        "operations",
        gettext_lazy("运行维护"),
        gettext_lazy(
            "定时任务及其运行记录、后台队列与报送积压、数据库和缓存状态、告警（大厅管理员）。"
        ),
        url_name="operations:overview",
    ),
    Panel(
        "spaces",
        gettext_lazy("两页指标"),
        gettext_lazy("企业专属网页、市民个人网页的开通率和使用率（按地市），数据使用异议。"),
        url_name="spaces:indicators",
    ),
    Panel("supervision", gettext_lazy("效能监督"), gettext_lazy("黄牌、红牌预警与投诉处理。")),
]


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
    return render(
        request,
        "workbench/home.html",
        {
            "scope": scope,
            "post_rows": rows,
            "department_count": scope.departments().count() if rows else 0,
            "panels": PANELS,
        },
    )
