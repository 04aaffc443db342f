"""manage.py register_oidc_client NAME --redirect-uri URI [...] — prints the secret once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from govhall.accounts.services import clients
from govhall.regions.models import Department


class Command(BaseCommand):
    help = "登记部门业务系统为OIDC客户端；客户端密钥只显示这一次。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="系统名称")
        parser.add_argument("--redirect-uri", action="append", required=True)
        parser.add_argument("--logout-uri", action="append", default=[])
        parser.add_argument("--scopes", default="openid profile", help="以空格分隔")
        parser.add_argument("--department", help="所属部门的统一社会信用代码")
        parser.add_argument("--public", action="store_true", help="公开客户端（无密钥）")

    def handle(self, *args, **options):
        department = None
        if options["department"]:
            department = Department.objects.filter(credit_code=options["department"]).first()
            if department is None:
                raise CommandError(f"没有统一社会信用代码为 {options['department']} 的部门。")
        try:
            registered = clients.register_client(
                name=options["name"],
                redirect_uris=options["redirect_uri"],
                post_logout_redirect_uris=options["logout_uri"],
                scopes=options["scopes"],
                department=department,
                confidential=not options["public"],
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(f"client_id: {registered.application.client_id}")
        if registered.client_secret:
            self.stdout.write(f"client_secret: {registered.client_secret}")
            self.stdout.write("（密钥只显示这一次，本系统只保存其摘要。）")
