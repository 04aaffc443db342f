"""The open-data catalogue: datasets in three formats, the public contract, DCAT, and the
personal-data scan that stops a dataset before it is published."""

from __future__ import annotations

import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.test import Client

from govhall.accounts.tests.factories import PersonFactory
from govhall.core.identifiers import make_id_number
from govhall.core.models import AuditEntry
from govhall.demo.licences import load_licence_types
from govhall.monitoring.models import MonthlyRollup
from govhall.monitoring.services import indicators
from govhall.operations import registry
from govhall.regions.models import Department, Hall
from govhall.sharing.jobs import OpenDataWithheld, publish_open_data
from govhall.sharing.models import OpenDataset
from govhall.sharing.services import datasets, privacy, publishing
from tests.common import item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def download(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content)


def test_every_dataset_downloads_in_three_formats_with_the_same_rows():
    item(name="城乡居民最低生活保障申请")
    load_licence_types()
    outcomes = publishing.publish_all()
    assert {o.key for o in outcomes} == set(datasets.REGISTRY)
    assert all(o.published for o in outcomes), [o.findings for o in outcomes]

    client = Client()
    body = client.get("/api/v1/open-data/").json()
    assert body["count"] == len(datasets.REGISTRY) == len(body["results"])
    for entry in body["results"]:
        assert set(entry) == {
            "id",
            "title",
            "publisher",
            "licence",
            "updated_at",
            "fields",
            "distributions",
        }
        spec = datasets.REGISTRY[entry["id"]]
        names = [c.name for c in spec.columns]
        assert [f["name"] for f in entry["fields"]] == names
        formats = {d["format"]: d["url"] for d in entry["distributions"]}
        assert set(formats) == {"CSV", "JSON", "XLSX"}
        assert all(set(d) == {"format", "url"} for d in entry["distributions"])
        rows = OpenDataset.objects.get(key=entry["id"]).row_count
        detail = client.get(f"/api/v1/open-data/{entry['id']}/").json()
        assert rows == detail["row_count"] > 0, entry["id"]

        table = list(csv.reader(io.StringIO(download(client, formats["CSV"]).decode("utf-8-sig"))))
        assert table[0] == names and len(table) - 1 == rows
        document = json.loads(download(client, formats["JSON"]))
        assert document["dataset"] == entry["id"] and len(document["rows"]) == rows
        assert list(document["rows"][0]) == names
        sheet = openpyxl.load_workbook(io.BytesIO(download(client, formats["XLSX"]))).active
        values = list(sheet.values)
        assert list(values[0]) == [c.title for c in spec.columns] and len(values) - 1 == rows
        # The same first row in all three formats.
        assert ["" if v is None else str(v) for v in values[1]] == table[1]
        assert [str(v) for v in document["rows"][0].values()] == table[1]

    items = next(e for e in body["results"] if e["id"] == "service-items")
    assert "城乡居民最低生活保障申请" in download(client, items["distributions"][0]["url"]).decode(
        "utf-8-sig"
    )


def test_no_dataset_carries_personal_data_even_when_people_and_cases_exist():
    for n in range(5):
        PersonFactory(name=f"陈{'一二三四五'[n]}明")
    publishing.publish_all()
    for key, spec in datasets.REGISTRY.items():
        columns = [c.name for c in spec.columns]
        assert privacy.scan(columns, spec.rows()) == [], key
        assert OpenDataset.objects.get(key=key).status == OpenDataset.Status.PUBLISHED


def test_a_dataset_with_personal_data_is_withheld_and_the_clean_files_stay():
    first = publishing.publish("halls")
    assert first.published
    clean = OpenDataset.objects.get(key="halls").files

    hall = Hall.objects.order_by("pk").first()
    number = make_id_number("440703", datetime.date(1980, 5, 17), 12)
    hall.address = f"联系人身份证{number}"
    hall.hotline = "13800138000"
    hall.save()
    outcome = publishing.publish("halls")
    assert not outcome.published
    assert {f.rule for f in outcome.findings} == {"id_number", "mobile"}
    record = OpenDataset.objects.get(key="halls")
    assert record.status == OpenDataset.Status.WITHHELD
    assert "身份证号码" in record.withheld_reason and "手机号码" in record.withheld_reason
    assert record.files == clean  # still downloadable, without the bad row
    text = download(Client(), "/open-data/halls.csv").decode("utf-8-sig")
    assert number not in text and "13800138000" not in text

    with pytest.raises(OpenDataWithheld, match="halls"):
        publish_open_data()


def test_the_names_of_people_the_hall_knows_are_found():
    PersonFactory(name="林晓峰")
    department = Department.objects.order_by("pk").first()
    department.short_name = "x"
    department.name = "林晓峰"
    department.save()
    outcome = publishing.publish("departments")
    assert [f.rule for f in outcome.findings] == ["person_name"]


@pytest.mark.parametrize(
    ("value", "rules"),
    [
        (make_id_number("445102", datetime.date(1990, 1, 2), 5), {"id_number"}),
        ("44510219900102005X", set()),  # wrong check character: not an ID number
        ("0768-2288123", set()),  # an office number with its area code
        ("12345", set()),
        ("+86 13912345678", {"mobile"}),
        ("电话13912345678转", {"mobile"}),
        ("XK00001000", set()),
    ],
)
def test_the_scan_rules(value, rules):
    assert {f.rule for f in privacy.scan(["c"], [(value,)])} == rules


def test_monthly_indicators_are_the_monitoring_figures():
    month = datetime.date(2026, 10, 1)
    jiangmen = Department.objects.filter(region_id="440703").order_by("pk").first()
    MonthlyRollup.objects.create(
        month=month,
        region_code="440703",
        level="county",
        department_code=jiangmen.credit_code,
        item_type="XK",
        volume=40,
        online_applied=30,
        fully_online=20,
        visits_0=10,
        online_visits_0=12,
        online_visits_1=9,
    )
    rows = list(datasets.REGISTRY["monthly-indicators"].rows(today=datetime.date(2026, 11, 15)))
    assert {r[0] for r in rows} == {
        f"{y}-{m:02d}" for y, m in [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 11)]
    }
    row = next(r for r in rows if r[0] == "2026-10" and r[1] == "440700")
    s = indicators.Slice.month(2026, 10, region_code="440700")
    figures = indicators.case_figures(indicators.counters(s))
    assert row[3:5] == (40, 30)
    assert list(row[5:]) == [figures[i].rate for i in indicators.CASE_RATIOS]
    assert row[5] == 75.0
    province = next(r for r in rows if r[0] == "2026-10" and r[1] == "440000")
    assert province[3] == 40


def test_dcat_catalogue_lists_each_dataset_with_its_downloads():
    publishing.publish_all()
    response = Client().get("/open-data/catalog.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    catalog = response.json()
    assert catalog["@type"] == "dcat:Catalog"
    ids = {d["dct:identifier"] for d in catalog["dcat:dataset"]}
    assert ids == set(datasets.REGISTRY)
    for d in catalog["dcat:dataset"]:
        urls = [x["dcat:downloadURL"] for x in d["dcat:distribution"]]
        assert len(urls) == 3 and all(u.startswith("http://testserver/open-data/") for u in urls)


def test_page_unknown_dataset_and_format():
    publishing.publish_all()
    client = Client()
    page = client.get("/open-data/").content.decode()
    assert "政务服务事项目录" in page and 'href="http://testserver/open-data/halls.xlsx"' in page
    assert client.get("/open-data/halls.exe").status_code == 404
    assert client.get("/open-data/no-such.csv").status_code == 404
    detail = client.get("/api/v1/open-data/no-such/")
    assert detail.status_code == 404 and detail["Content-Type"] == "application/json"
    assert client.get("/api/v1/open-data/halls/").json()["id"] == "halls"


def test_the_scheduler_knows_the_job():
    declared = registry.jobs()["publish_open_data"]
    assert "个人信息" in declared.description


def test_publishing_unchanged_data_again_writes_nothing_new():
    publishing.publish("halls")
    before = OpenDataset.objects.get(key="halls")
    audits = AuditEntry.objects.count()
    assert publishing.publish("halls").published
    after = OpenDataset.objects.get(key="halls")
    assert after.files == before.files and after.updated_at == before.updated_at
    assert after.checked_at > before.checked_at
    assert AuditEntry.objects.count() == audits
