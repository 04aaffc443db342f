"""The staff workbench shell: sign-in, and a home page showing the user's posts and scope."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from govhall.regions.services.scope import scope_of


class LoginView(auth_views.LoginView):
    template_name = "workbench/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    next_page = "portal:home"


# Panels of the workbench; each subsystem fills its own (cases, catalogue, supervision...).
PANELS = [
    ("inbox", "待办办件", "受理、审核、审批的待办事项将在这里列出。"),
    ("counter", "综合窗口", "一门式受理：查询办事人、代为申办、扫描材料。"),
    ("catalogue", "事项管理", "事项录入、审查与发布。"),
    ("supervision", "效能监督", "黄牌、红牌预警与投诉处理。"),
]


@login_required
def home(request):
    scope = scope_of(request.user)
    posts = (
        request.user.staff_posts.filter(is_active=True)
        .select_related("department__region")
        .order_by("department__region__code", "post")
    )
    return render(
        request,
        "workbench/home.html",
        {"scope": scope, "posts": posts, "panels": PANELS},
    )
