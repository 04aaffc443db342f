"""Demo staff for `make run`: one account per post, in the seed cities (idempotent).

Run it again and nothing changes: existing accounts keep their password, missing posts
are added, and hall administrators get the admin group and ``is_staff``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from govhall.regions.models import Department, Post, StaffAccount, StaffPost
from govhall.regions.services import admin_access

# username, display name, department (region code, name), post
DEMO_STAFF: list[tuple[str, str, tuple[str, str], str]] = [
    ("jm_clerk", "江门窗口·陈敏", ("440700", "江门市行政服务中心"), Post.CLERK),
    ("jm_reviewer", "江门民政·李卫", ("440700", "江门市民政局"), Post.REVIEWER),
    ("jm_approver", "江门民政·黄涛", ("440700", "江门市民政局"), Post.APPROVER),
    ("jm_supervisor", "江门监察·梁静", ("440700", "江门市监察局"), Post.SUPERVISOR),
    ("jm_hall_admin", "江门大厅·吴昊", ("440700", "江门市行政服务中心"), Post.HALL_ADMIN),
    ("gd_editor", "省编办·周琳", ("440000", "广东省机构编制委员会办公室"), Post.CATALOGUE_EDITOR),
    (
        "gd_catalogue_reviewer",
        "省编办·郑洁",
        ("440000", "广东省机构编制委员会办公室"),
        Post.CATALOGUE_REVIEWER,
    ),
    ("cz_hall_admin", "潮州大厅·林楠", ("445100", "潮州市政务服务中心"), Post.HALL_ADMIN),
    # data monitoring (§8): the province watches every city; Chaozhou watches its own
    ("gd_supervisor", "省政务数据局·何敏", ("440000", "广东省政务服务数据管理局"), Post.SUPERVISOR),
    ("cz_supervisor", "潮州中心·蔡伟", ("445100", "潮州市政务服务中心"), Post.SUPERVISOR),
    # case handling (§5): a county that accepts and a city that decides, and Chaozhou
    ("jm_mz_clerk", "江门民政·何丽", ("440700", "江门市民政局"), Post.CLERK),
    ("pj_clerk", "蓬江民政·赵晴", ("440703", "蓬江区民政局"), Post.CLERK),
    ("pj_reviewer", "蓬江民政·钱浩", ("440703", "蓬江区民政局"), Post.REVIEWER),
    ("pj_approver", "蓬江民政·孙悦", ("440703", "蓬江区民政局"), Post.APPROVER),
    ("pj_centre_clerk", "蓬江窗口·周舟", ("440703", "蓬江区政务服务中心"), Post.CLERK),
    ("jm_gs_clerk", "江门工商·吴迪", ("440700", "江门市工商行政管理局"), Post.CLERK),
    ("jm_gs_reviewer", "江门工商·郑凯", ("440700", "江门市工商行政管理局"), Post.REVIEWER),
    ("jm_gs_approver", "江门工商·王芳", ("440700", "江门市工商行政管理局"), Post.APPROVER),
    ("cz_clerk", "潮州民政·蔡琪", ("445100", "潮州市民政局"), Post.CLERK),
]
SUPERUSER = ("admin", "系统管理员")


@dataclass
class DemoReport:
    created: Counter = field(default_factory=Counter)

    @property
    def users(self) -> int:
        return self.created["users"]


@transaction.atomic
def load_demo_staff(password: str) -> DemoReport:
    """Create the demo superuser and staff with their posts; needs the reference data."""
    User = get_user_model()
    report = DemoReport()
    username, display = SUPERUSER
    if not User.objects.filter(username=username).exists():
        User.objects.create_superuser(username, "", password, display_name=display)
        report.created["users"] += 1
    departments = {}
    for _, _, key, _ in DEMO_STAFF:
        if key not in departments:
            departments[key] = Department.objects.get(region_id=key[0], name=key[1])
    for username, display, key, post in DEMO_STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username, password=password, display_name=display)
            report.created["users"] += 1
        # A staff account of its department's city (a county account for county posts).
        region = departments[key].region
        home = region if region.level in ("province", "city") else region.parent
        StaffAccount.objects.get_or_create(user=user, defaults={"region": home})
        _, created = StaffPost.objects.get_or_create(
            user=user, department=departments[key], post=post
        )
        report.created["posts"] += created
        if post == Post.HALL_ADMIN and admin_access.grant_hall_admin_access(user):
            report.created["hall_admins"] += 1
    return report
