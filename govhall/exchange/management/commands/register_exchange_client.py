"""manage.py register_exchange_client NAME --code C --kind K --region 440703 [...]

Registers a branch hall or business system as an exchange client (OAuth2 client
credentials, scope ``exchange``) and prints its client id and secret — the secret only
this once.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from govhall.exchange.models import ExchangeClient
from govhall.exchange.services import clients


class Command(BaseCommand):
    help = "登记数据交换客户端（客户端凭证，授权范围exchange）；客户端密钥只显示这一次。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="系统名称")
        parser.add_argument("--code", required=True, help="客户端代码（小写字母、数字、连字符）")
        parser.add_argument(
            "--kind",
            required=True,
            choices=ExchangeClient.Kind.values,
            help="branch_hall 分厅；vertical 垂直业务系统；department 部门自建业务系统",
        )
        parser.add_argument(
            "--region", action="append", required=True, help="可报送区划代码（可多次）"
        )
        parser.add_argument(
            "--department", action="append", default=[], help="可报送部门的统一社会信用代码"
        )
        parser.add_argument(
            "--own-item", action="append", default=[], help="在本系统办理的事项实施编码"
        )
        parser.add_argument("--rate", type=int, default=120, help="每分钟调用上限（默认120）")
        parser.add_argument("--contact", default="", help="联系人及电话")

    def handle(self, *args, **options):
        try:
            client, secret = clients.register(
                options["name"],
                options["code"],
                options["kind"],
                options["region"],
                options["department"],
                options["own_item"],
                options["rate"],
                contact=options["contact"],
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(f"client_code: {client.code}")
        self.stdout.write(f"client_id: {client.application.client_id}")
        self.stdout.write(f"client_secret: {secret}")
        self.stdout.write("（密钥只显示这一次，本系统只保存其摘要。）")
