"""The outbound side on the exchange page: status for hall administrators, and closing
an alert (audited)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from govhall.core.models import AuditEntry
from govhall.exchange.models import DeliveryAlert, DeliveryAttempt
from govhall.regions.models import Department, Post

from .conftest import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall_admin():
    return staff(
        Post.HALL_ADMIN, Department.objects.get(region_id="440700", name="江门市行政服务中心")
    )


def test_hall_administrators_see_the_outbox_and_close_an_alert(client, settings, hall_admin):
    settings.GOVHALL_STAFF_TOTP_REQUIRED = False
    DeliveryAttempt.objects.create(
        started_at=timezone.now(), url="https://province.example/api", records=1000
    )
    alert = DeliveryAlert.objects.create(
        kind=DeliveryAlert.Kind.REJECTED, message="上级大厅拒收2条过程信息", records=2
    )
    client.force_login(hall_admin)
    page = client.get("/workbench/exchange/").content.decode()
    assert "向上级大厅报送本厅过程信息" in page
    assert "上级大厅拒收2条过程信息" in page and "未完成" in page

    response = client.post(
        f"/workbench/exchange/alerts/{alert.pk}/resolve/", {"note": "已联系省厅重新报送"}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    entry = AuditEntry.objects.filter(
        object_type="exchange.deliveryalert", object_id=str(alert.pk)
    ).get()
    assert entry.action == AuditEntry.Action.UPDATE and entry.reason == "已联系省厅重新报送"
    assert entry.after["resolved_at"]
    assert "上级大厅拒收2条过程信息" not in client.get("/workbench/exchange/").content.decode()


def test_other_staff_cannot_close_alerts(client, settings):
    settings.GOVHALL_STAFF_TOTP_REQUIRED = False
    alert = DeliveryAlert.objects.create(kind=DeliveryAlert.Kind.STUCK, message="积压")
    clerk = staff(Post.CLERK, Department.objects.get(region_id="440703", name="蓬江区民政局"))
    client.force_login(clerk)
    assert client.post(f"/workbench/exchange/alerts/{alert.pk}/resolve/").status_code == 403
    alert.refresh_from_db()
    assert alert.resolved_at is None
    assert "向上级大厅报送本厅过程信息" not in client.get("/workbench/exchange/").content.decode()
