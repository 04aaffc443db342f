"""manage.py register_channel CODE NAME --kind KIND --redirect-uri URI [...] — prints the
client id and, once, the secret."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from govhall.channels.models import Channel
from govhall.channels.services import registry


class Command(BaseCommand):
    help = "登记第三方渠道（OIDC客户端，授权码+PKCE）；客户端密钥只显示这一次。"

    def add_arguments(self, parser):
        parser.add_argument("code", help="渠道代码（小写字母、数字、连字符）")
        parser.add_argument("name", help="渠道名称")
        parser.add_argument("--kind", required=True, choices=Channel.Kind.values)
        parser.add_argument("--redirect-uri", action="append", required=True)
        parser.add_argument("--logout-uri", action="append", default=[])
        parser.add_argument("--scopes", default=registry.DEFAULT_SCOPES, help="以空格分隔")
        parser.add_argument("--rate", type=int, default=600, help="每分钟调用上限")
        parser.add_argument("--operator", default="", help="运营单位")
        parser.add_argument("--contact", default="", help="联系人及电话")
        parser.add_argument("--public", action="store_true", help="公开客户端（无密钥）")

    def handle(self, *args, **options):
        try:
            channel, secret = registry.register_channel(
                code=options["code"],
                name=options["name"],
                kind=options["kind"],
                redirect_uris=options["redirect_uri"],
                post_logout_redirect_uris=options["logout_uri"],
                scopes=options["scopes"],
                rate_per_minute=options["rate"],
                operator=options["operator"],
                contact=options["contact"],
                confidential=not options["public"],
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(f"channel: {channel.code}（{channel.get_kind_display()}）")
        self.stdout.write(f"client_id: {channel.application.client_id}")
        if secret:
            self.stdout.write(f"client_secret: {secret}")
            self.stdout.write("（密钥只显示这一次，本系统只保存其摘要。）")
