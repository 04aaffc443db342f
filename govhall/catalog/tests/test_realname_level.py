"""Items require a minimum real-name level (§4); the guide and the API show it."""

import pytest

from govhall.accounts.models import RealNameLevel
from govhall.core.errors import Refusal

from .factories import ensure_themes, published_item

pytestmark = pytest.mark.django_db


def test_default_level_is_self_registered(client):
    ensure_themes()
    item = published_item()
    assert item.current.min_realname_level == RealNameLevel.SELF_REGISTERED
    body = client.get(f"/api/v1/items/{item.implementation_code}/").json()
    assert body["min_realname_level"] == 1


def test_item_requiring_counter_verification_shows_it_in_guide_and_api(client):
    ensure_themes()
    item = published_item(min_realname_level=RealNameLevel.IN_PERSON)
    body = client.get(f"/api/v1/items/{item.implementation_code}/").json()
    assert body["min_realname_level"] == 3
    page = client.get(f"/items/{item.implementation_code}/").content.decode()
    assert "申请人实名等级" in page
    assert "三级：窗口核验" in page


def test_level_outside_the_three_levels_is_refused():
    ensure_themes()
    with pytest.raises(Refusal) as caught:
        published_item(min_realname_level=4)
    problem = caught.value.problems[0]
    assert problem.field == "min_realname_level"
    assert problem.message == "“最低实名等级”不能大于3。"
