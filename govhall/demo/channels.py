"""Demo: two third-party channels (docs/channels.md) — a payment app's city service and a
hall's self-service terminal — registered as OIDC clients of the demo hall.

Their secrets are fixed for the demo (``<code>-<demo password>``) so the example client
(docs/examples/channel_client.py) can be run against ``make run`` at once.
"""

from govhall.channels.models import Channel
from govhall.channels.services import registry

REDIRECT_URI = "http://127.0.0.1:8765/callback"
DEMO_CHANNELS = (
    (
        "demo-pay-city",
        "某支付应用城市服务（演示）",
        Channel.Kind.PAYMENT_APP,
        "openid profile phone cases payments",
        600,
    ),
    (
        "demo-hall-kiosk",
        "江门市民服务中心自助终端（演示）",
        Channel.Kind.KIOSK,
        "openid profile cases",
        120,
    ),
)


def load(password: str) -> str:
    made = []
    for code, name, kind, scopes, rate in DEMO_CHANNELS:
        if Channel.objects.filter(code=code).exists():
            continue
        registry.register_channel(
            code=code,
            name=name,
            kind=kind,
            redirect_uris=[REDIRECT_URI],
            scopes=scopes,
            rate_per_minute=rate,
            operator="演示",
            client_id=code,
            client_secret=f"{code}-{password}",
        )
        made.append(code)
    if not made:
        return ""
    return (
        f"第三方渠道：登记{len(made)}个（client_id：{'、'.join(made)}，"
        f"密钥为“client_id-演示密码”，回调 {REDIRECT_URI}），见 /workbench/channels/。"
    )
