"""两页开通率 and 使用率 per city on a hand-built data set, equal to the hand count."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from govhall.accounts.tests.factories import PersonFactory
from govhall.cases.tests import factories as f
from govhall.monitoring.models import PageUsage, PopulationBase
from govhall.regions.models import Post

from ..models import SpaceKind, SpaceOpening, SpaceUse
from ..services import indicators

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
MAY, JUNE = datetime.date(2026, 5, 1), datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _no_totp(settings):
    settings.GOVHALL_STAFF_TOTP_REQUIRED = False


def opened(city: str, kind: str, when: datetime.date, used_in=()):
    person = PersonFactory()
    company = None
    if kind == SpaceKind.COMPANY:
        from govhall.accounts.tests.factories import CompanyFactory

        company = CompanyFactory(legal_representative=person)
    opening = SpaceOpening.objects.create(
        kind=kind,
        user=person.user,
        company=company,
        city_code=city,
        opened_at=datetime.datetime.combine(when, datetime.time(10), tzinfo=SHANGHAI),
    )
    for month in used_in:
        SpaceUse.objects.create(opening=opening, month=month)
    return opening


@pytest.fixture
def data_set():
    # Jiangmen: 4 persons opened by the end of May (one more in June), 2 used in May;
    # 1 company opened and used in May. Chaozhou: 1 person, used in April only.
    opened(
        "440700",
        SpaceKind.PERSON,
        datetime.date(2026, 4, 3),
        used_in=[datetime.date(2026, 4, 1), MAY],
    )
    opened("440700", SpaceKind.PERSON, datetime.date(2026, 5, 2), used_in=[MAY])
    opened("440700", SpaceKind.PERSON, datetime.date(2026, 5, 20))
    opened("440700", SpaceKind.PERSON, datetime.date(2026, 5, 31))
    opened("440700", SpaceKind.PERSON, datetime.date(2026, 6, 1), used_in=[JUNE])
    opened("440700", SpaceKind.COMPANY, datetime.date(2026, 5, 9), used_in=[MAY])
    opened(
        "445100", SpaceKind.PERSON, datetime.date(2026, 4, 9), used_in=[datetime.date(2026, 4, 1)]
    )
    PopulationBase.objects.create(
        region_code="440700", year=2025, registered_companies=400, population_20_49=1000
    )
    PopulationBase.objects.create(
        region_code="440700", year=2026, registered_companies=500, population_20_49=2000
    )


def test_the_rates_equal_the_hand_count(data_set):
    rows = {r.code: r for r in indicators.cities(MAY)}
    assert len(rows) == 21  # every city of the province
    jm = rows["440700"]
    assert (jm.persons_opened, jm.persons_using, jm.residents) == (4, 2, 2000)
    assert jm.person_opening_rate == 0.2 and jm.person_usage_rate == 0.1
    assert (jm.companies_opened, jm.companies_using, jm.companies) == (1, 1, 500)
    assert jm.company_opening_rate == 0.2 and jm.company_usage_rate == 0.2
    cz = rows["445100"]
    assert (cz.persons_opened, cz.persons_using) == (1, 0)
    assert cz.residents is None and cz.person_opening_rate is None  # no base loaded


def test_publishing_feeds_the_monitoring_page_usage(data_set):
    assert indicators.publish(MAY) == 1
    usage = PageUsage.objects.get(region_code="440700", month=MAY)
    assert (usage.persons_using, usage.companies_using) == (2, 1)
    assert indicators.publish(MAY) == 1  # again: updated, not duplicated
    assert PageUsage.objects.filter(region_code="440700", month=MAY).count() == 1


def test_staff_see_only_their_cities_and_citizens_none(data_set):
    city_admin = f.staff(Post.HALL_ADMIN, f.department("江门市民政局"))
    client = Client()
    client.force_login(city_admin)
    html = client.get("/workbench/spaces/?period=2026-05").content.decode()
    assert "江门市" in html and "潮州市" not in html and "0.2%" in html
    body = client.get("/api/v1/spaces/indicators?period=2026-05").json()
    assert [r["region"] for r in body["results"]] == ["440700"]
    assert body["results"][0]["person_usage_rate"] == 0.1
    bad = client.get("/api/v1/spaces/indicators?period=2026-13")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "period"

    clerk = Client()
    clerk.force_login(f.staff(Post.CLERK, f.department("江门市民政局")))
    assert clerk.get("/workbench/spaces/").status_code == 403
    assert clerk.get("/api/v1/spaces/indicators").status_code == 403
    citizen = Client()
    citizen.force_login(f.applicant().user)
    assert citizen.get("/api/v1/spaces/indicators").status_code == 403
