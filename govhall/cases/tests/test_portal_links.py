"""Where the public finds the way in: 在线申办 on the guide, 申办此一件事 on bundles."""

import pytest
from django.urls import reverse

from govhall.catalog.models import LifeEvent
from govhall.catalog.services import bundles

from . import factories as f

pytestmark = pytest.mark.django_db


def test_guide_offers_online_application_only_when_it_is_possible(client):
    online = f.item()
    counter_only = f.item(name="临时救助申请", channels=["counter"], depth=1)
    apply_url = reverse("cases:item-apply", args=[online.implementation_code])
    assert apply_url in client.get(online.get_absolute_url()).content.decode()
    page = client.get(counter_only.get_absolute_url()).content.decode()
    assert "在线申办" not in page


def test_bundle_on_a_life_event_page_links_to_its_application(client):
    dept = f.department("江门市民政局")
    first, second = f.item(dept), f.item(dept, name="临时救助申请")
    event = LifeEvent.objects.create(code="hardship", name="生活困难", audience="person")
    bundle = bundles.save_bundle(
        code="help-at-home",
        name="困难家庭救助一件事",
        audience="person",
        region=f.JIANGMEN,
        life_event=event.code,
        members=[{"item": i.implementation_code, "required": True} for i in (first, second)],
    )
    page = client.get(reverse("catalog:life-event", args=[event.code]) + f"?region={f.JIANGMEN}")
    assert reverse("cases:bundle-apply", args=[bundle.code]) in page.content.decode()


def test_header_shows_my_cases_and_unread_messages_to_applicants(client):
    identity = f.applicant()
    f.submitted(f.item(), identity)
    client.force_login(identity.user)
    page = client.get(reverse("cases:progress")).content.decode()
    assert reverse("cases:my-cases") in page and "（1条未读）" in page
