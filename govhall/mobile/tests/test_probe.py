"""Entry monitoring against the local live server only: every entry registered and
probed, availability by day, and an alert after two failed probes in a row."""

import pytest
from django.test import Client

from govhall.cases.tests import factories as cf
from govhall.operations import registry
from govhall.operations.services import figures
from govhall.regions.models import Post

from ..models import EntryAlert, EntryKind, MobileEntry, ProbeResult
from ..services import entries, probe


@pytest.fixture
def local(settings, live_server, transactional_reference_data, fast_password_hashing):
    settings.GOVHALL_PROBE_BASE_URL = live_server.url
    settings.GOVHALL_PROBE_TIMEOUT = 30
    return live_server.url


@pytest.fixture
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_every_entry_is_registered_and_reachable_and_the_item_form_validates(local):
    dept = cf.department("江门市民政局")
    phone_item = cf.item(dept)
    desk_only = cf.item(dept, name="电脑端专办事项", channels=["online", "counter"])
    summary = probe.run()
    failures = list(ProbeResult.objects.filter(ok=False).values_list("entry__code", "error"))
    assert failures == []
    assert summary.checked == MobileEntry.objects.filter(is_active=True).count()
    assert summary.checked >= len(entries.BUILTINS) + 1 and summary.failed == 0
    form_entry = MobileEntry.objects.get(kind=EntryKind.ITEM_FORM, item=phone_item)
    assert form_entry.path == f"/items/{phone_item.implementation_code}/"
    assert not MobileEntry.objects.filter(item=desk_only).exists()
    assert {b.code for b in entries.BUILTINS} <= set(
        MobileEntry.objects.values_list("code", flat=True)
    )
    (today,) = probe.daily([form_entry.pk])[form_entry.pk]
    assert today["probes"] == 1 and today["availability"] == 100.0
    assert today["mean_ms"] == ProbeResult.objects.get(entry=form_entry).elapsed_ms

    # The hall administrator's page lists it with its availability.
    admin = cf.staff(Post.HALL_ADMIN, dept)
    client = Client()
    client.force_login(admin)
    page = client.get("/workbench/mobile/entries/").content.decode()
    assert "移动端入口监测" in page and form_entry.name in page and "100.0%" in page
    detail = client.get(f"/workbench/mobile/entries/{form_entry.code}/").content.decode()
    assert 'id="daily"' in detail and "100.0%" in detail
    clerk = Client()
    clerk.force_login(cf.staff(Post.CLERK, dept))
    assert clerk.get("/workbench/mobile/entries/").status_code == 403


def test_a_failing_entry_raises_an_alert_after_two_failed_probes(local):
    entry = MobileEntry.objects.create(
        code="bank-app-landing",
        name="某银行App城市服务入口",
        kind=EntryKind.CHANNEL,
        path="/channels/bank-app/missing/",
        channel="某银行App",
    )
    probe.run(codes=[entry.code])
    assert not EntryAlert.objects.exists()
    assert all("某银行App" not in a.message for a in figures.alerts(figures.snapshot()))
    probe.run(codes=[entry.code])
    alert = EntryAlert.objects.get(entry=entry, closed_at=None)
    assert "连续2次检测失败" in alert.message and "404" in alert.message
    assert any("某银行App城市服务入口" in a.message for a in figures.alerts(figures.snapshot()))
    probe.run(codes=[entry.code])  # a third failure does not open a second alert
    assert EntryAlert.objects.filter(entry=entry).count() == 1

    entry.path = "/"
    entry.save()
    probe.run(codes=[entry.code])
    alert.refresh_from_db()
    assert alert.closed_at is not None
    assert list(entry.results.order_by("checked_at").values_list("ok", flat=True)) == [
        False,
        False,
        False,
        True,
    ]
    (day,) = probe.daily([entry.pk])[entry.pk]
    assert day["probes"] == 4 and day["availability"] == 25.0


def test_a_broken_application_form_fails_the_probe():
    good = [{"name": "household_size", "label": "家庭人口", "type": "integer", "required": True}]
    assert probe.form_problems(good) == []
    broken = [{"name": "x", "label": "无类型", "required": True}]
    with pytest.raises(KeyError):
        probe.form_problems(broken)


class _Answer:
    def __init__(self, status_code, data=None):
        self.status_code, self._data = status_code, data

    def json(self):
        return self._data


class _Hall:
    """What the hall answers the probe: the item page, its guide.json, its apply page."""

    def __init__(self, form_fields):
        self.form_fields, self.asked = form_fields, []

    def get(self, url, allow_redirects, timeout):
        self.asked.append(url)
        if url.endswith("guide.json"):
            return _Answer(200, {"form_fields": self.form_fields})
        return _Answer(302 if url.endswith("apply/") else 200)


def test_an_item_form_entry_fails_when_its_form_cannot_be_built_and_passes_when_it_can():
    entry = MobileEntry(code="item-x", kind=EntryKind.ITEM_FORM, path="/items/X/")
    broken = probe.check(entry, _Hall([{"name": "x", "label": "无类型", "required": True}]), "")
    assert not broken.ok and "申请表单无法生成" in broken.error
    good = [{"name": "household_size", "label": "家庭人口", "type": "integer", "required": True}]
    hall = _Hall(good)
    fine = probe.check(entry, hall, "http://hall.test")
    assert fine.ok and fine.status_code == 200
    assert hall.asked == [
        "http://hall.test/items/X/",
        "http://hall.test/items/X/guide.json",
        "http://hall.test/items/X/apply/",
    ]


def test_the_probe_is_a_periodic_job():
    job = registry.get("probe_mobile_entries")
    assert job is not None and job.schedule.seconds == 15 * 60
