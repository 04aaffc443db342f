"""Demo data for `make run`: reference data plus a few staff accounts (idempotent)."""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from govhall.demo import licences as licences_demo
from govhall.demo import regions as demo
from govhall.demo import subsystems
from govhall.demo.accounts import load_identity_demo
from govhall.demo.cases import load_cases_demo
from govhall.demo.exchange import load_exchange_demo
from govhall.demo.generators import records as generator
from govhall.regions.services import admin_access

DEMO_PASSWORD_ENV = "GOVHALL_DEMO_PASSWORD"
LOCAL_DEMO_PASSWORD = "govhall-demo-2026"


class Command(BaseCommand):
    help = "载入演示数据（参考数据、演示工作人员与办事人账号、演示事项目录），可重复执行。"

    def handle(self, *args, **options):
        password = os.environ.get(DEMO_PASSWORD_ENV)
        if not password:
            if not settings.DEBUG:
                raise CommandError(f"生产环境请通过环境变量 {DEMO_PASSWORD_ENV} 设置演示账号密码。")
            password = LOCAL_DEMO_PASSWORD
        call_command("load_reference_data", stdout=self.stdout)
        admin_access.ensure_hall_admin_group()
        report = demo.load_demo_staff(password)
        self.stdout.write(
            f"演示工作人员账号：新建{report.users}个，新设岗位{report.created['posts']}个"
            f"（共 admin 及 {len(demo.DEMO_STAFF)} 个岗位账号；"
            f"大厅管理员可登录 /admin/ 管理本辖区）。"
        )
        info = load_identity_demo(password)
        self.stdout.write(
            f"演示身份：demo_citizen（法定代表人）、demo_agent（经办人），法人 {info['company']}，"
            f"OIDC客户端 {info['client_id']}"
        )
        if info["client_secret"]:
            self.stdout.write(f"  客户端密钥（仅显示一次）：{info['client_secret']}")
        call_command("load_catalog_demo", stdout=self.stdout)
        types = licences_demo.load_licence_types()
        held = licences_demo.load_held_licences()
        self.stdout.write(
            f"电子证照：新建证照类型{types}个，演示持证{held}本（demo_citizen、演示法人）。"
        )
        made = load_cases_demo()
        self.stdout.write(f"演示办件：新建{made}件（demo_citizen，蓬江区最低生活保障审批）。")
        pushed = load_exchange_demo()
        if pushed:
            self.stdout.write(
                f"数据交换：登记演示客户端 pengjiang-hall，首批报送接收{pushed}条过程信息。"
            )
        records = generator.load_demo()
        self.stdout.write(
            f"数据监测：演示过程信息新建{records}条（近12个月、21个地级以上市），已汇总进指标。"
        )
        for line in subsystems.load_all(password):
            self.stdout.write(line)
