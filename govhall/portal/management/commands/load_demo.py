"""Demo data for `make run`: reference data plus a few staff accounts (idempotent)."""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from govhall.regions.models import Department, Post, StaffPost

DEMO_PASSWORD_ENV = "GOVHALL_DEMO_PASSWORD"
LOCAL_DEMO_PASSWORD = "govhall-demo-2026"

# username, display name, department (region code, name), post
DEMO_STAFF = [
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
]


class Command(BaseCommand):
    help = "载入演示数据（参考数据与演示工作人员账号），可重复执行。"

    def handle(self, *args, **options):
        password = os.environ.get(DEMO_PASSWORD_ENV)
        if not password:
            if not settings.DEBUG:
                raise CommandError(f"生产环境请通过环境变量 {DEMO_PASSWORD_ENV} 设置演示账号密码。")
            password = LOCAL_DEMO_PASSWORD
        call_command("load_reference_data", stdout=self.stdout)
        with transaction.atomic():
            created = self._staff(password)
        self.stdout.write(
            f"演示工作人员账号：新建{created}个（admin 及 {len(DEMO_STAFF)} 个岗位账号）。"
        )

    def _staff(self, password: str) -> int:
        User = get_user_model()
        created = 0
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "", password, display_name="系统管理员")
            created += 1
        for username, display, (region, dept_name), post in DEMO_STAFF:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username, password=password, display_name=display, is_staff=False
                )
                created += 1
            department = Department.objects.get(region_id=region, name=dept_name)
            StaffPost.objects.get_or_create(user=user, department=department, post=post)
        return created
