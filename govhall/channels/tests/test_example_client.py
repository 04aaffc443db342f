"""The integration guide's example client (docs/examples/channel_client.py) run against
a live server: it signs a person in through the hall's OIDC (code + PKCE), searches,
reads the guide, uploads the materials, applies in one call, pays and reads the progress —
through the documented API only. The person's browser is simulated (the login and
consent pages); the client itself is the file the guide ships, imported as is."""

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from govhall.accounts.tests.factories import DEFAULT_PASSWORD, PersonFactory
from govhall.accounts.tests.oidc_helpers import REDIRECT_URI, Browser
from govhall.cases.models import Case
from govhall.cases.tests import factories as f
from govhall.channels.models import Channel, ChannelDay
from govhall.channels.services import registry
from govhall.payments.tests.helpers import TOTAL_FEN, fee_item, payer_pays

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "channel_client.py"


def example_module():
    spec = importlib.util.spec_from_file_location("channel_client", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()


def test_the_example_client_signs_in_applies_and_reads_progress(
    live_server, transactional_reference_data, request
):
    example = example_module()
    source = EXAMPLE.read_text(encoding="utf-8")
    assert "django" not in source.lower().replace("no django", "")  # plain requests only

    item = fee_item()  # decided by rules at submission (秒批), then 待缴费
    person = PersonFactory(verified=True, name="林晓东")
    channel, secret = registry.register_channel(
        code="pay-city",
        name="某支付应用城市服务",
        kind=Channel.Kind.PAYMENT_APP,
        redirect_uris=[REDIRECT_URI],
        scopes="openid profile cases payments",
    )

    hall = example.HallClient(
        live_server.url, channel.application.client_id, secret, REDIRECT_URI, timeout=120
    )  # generous: the test machine is shared
    request.addfinalizer(hall.close)  # its kept-alive connections, before the server stops
    sign_in = hall.start_sign_in()
    assert "code_challenge_method=S256" in sign_in.url

    # the person, in the app's web view: the hall's login page, then its consent page
    browser = Browser(live_server.url)
    request.addfinalizer(browser.session.close)
    assert browser.login(person.user.mobile, DEFAULT_PASSWORD).status_code == 302
    consent = browser.follow(browser.get(sign_in.url))
    assert "某支付应用城市服务" in consent.text
    callback = browser.authorize(sign_in.url)
    callback_url = f"{REDIRECT_URI}?" + "&".join(f"{k}={v}" for k, v in callback.items())

    tokens = hall.finish_sign_in(sign_in, callback_url)
    assert tokens.access_token and tokens.refresh_token
    assert set(tokens.scope.split()) == {"openid", "profile", "cases", "payments"}
    assert hall.me()["name"] == "林晓东"

    found = hall.search(item.name)
    assert item.implementation_code in [row["implementation_code"] for row in found]
    guide = hall.guide(item.implementation_code)
    uploads = {}
    for material in example.required_uploads(guide):
        key = example.material_key(material)
        uploads[key] = hall.upload(f.pdf_bytes(), f"{material['name']}.pdf", material["name"], key)
    assert set(uploads) == {"N:申请书", "N:房屋租赁合同"}
    contact = {"contact_phone": "13800138000", "delivery": "electronic"}
    answers = {"household_size": 3, "married": False}
    submitted = hall.apply(item.implementation_code, answers, uploads, contact, "order-1")
    number = submitted["cases"][0]["number"]
    # a retry after a timeout (same key) gives the same case, not a second one
    again = hall.apply(item.implementation_code, answers, uploads, contact, "order-1")
    assert again["cases"][0]["number"] == number

    assert [c["number"] for c in hall.my_cases()] == [number]
    assert hall.case(number)["state"] == "awaiting_payment"

    # pay: the fee, one order however often the person taps, the platform, the receipt
    fee = hall.fee(number)
    assert fee["assessment"]["total_fen"] == TOTAL_FEN and fee["assessment"]["state"] == "due"
    order = hall.open_payment(number, channel="pay-city")
    assert hall.open_payment(number)["order_number"] == order["order_number"]
    assert order["pay_url"].startswith(live_server.url) and order["amount_fen"] == TOTAL_FEN
    payer_pays(order["order_number"])  # the person confirms on the platform's cashier page
    paid = hall.wait_until_paid(order["order_number"], timeout=60, every=0.5)
    assert paid["state"] == "paid" and paid["paid_at"]
    assert hall.fee(number)["assessment"]["state"] == "paid"
    assert hall.receipt(number).startswith(b"%PDF")

    # progress: paid, the case went on (this item concludes once paid)
    progress = hall.case(number)
    assert progress["state"] == "concluded" and progress["channel"] == "mobile"

    # the channel is recorded and its calls counted
    case = Case.objects.get(number=number)
    assert case.channel_client_id == channel.application_id
    assert ChannelDay.objects.get(channel=channel).requests >= 8

    # licences were not granted at sign-in: the hall refuses, naming the scope
    with pytest.raises(example.HallError) as refused:
        hall.licences()
    assert refused.value.status == 403 and refused.value.errors[0]["code"] == "channel_scope"
