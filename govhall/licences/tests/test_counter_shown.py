"""亮证核验: a clerk checks a QR shown at the counter; the holder sees where it was shown."""

import pytest
from django.urls import reverse

from govhall.cases.tests import factories as cf
from govhall.regions.models import Post

from ..models import LicenceUse
from ..services import issuing, uses, verification
from . import factories as f

pytestmark = pytest.mark.django_db


def test_clerk_checks_a_shown_qr_and_the_holder_sees_it(client, settings):
    settings.GOVHALL_STAFF_TOTP_REQUIRED = False
    civil = cf.department("江门市民政局")
    identity = cf.applicant(name="梁大海")
    licence = issuing.issue(
        f.licence_type(issuers=[civil]),
        civil,
        issuing.Holder.of_person(identity.person),
        data={"household_size": 1},
    )
    centre = cf.department("江门市行政服务中心")
    clerk = cf.staff(Post.CLERK, centre)
    client.force_login(clerk)
    url = reverse("workbench:licences-shown")

    response = client.post(url, {"text": ""})
    assert response.status_code == 400 and "二维码内容或证照标识" in response.content.decode()

    response = client.post(url, {"text": verification.qr_text(licence.current)})
    text = response.content.decode()
    assert response.status_code == 200 and "有效" in text and "梁*海" in text
    assert identity.person.id_number not in text
    use = LicenceUse.objects.get(kind=LicenceUse.Kind.COUNTER)
    assert (use.user, use.department) == (clerk, centre)
    assert [u.kind for u in uses.uses_of_holder(identity)] == ["counter"]

    response = client.post(url, {"text": "1.2.156.3005.2.X"})
    assert "查无此证" in response.content.decode()
    assert LicenceUse.objects.count() == 1


def test_only_staff_may_check(client):
    client.force_login(cf.applicant().user)
    assert client.get(reverse("workbench:licences-shown")).status_code == 403
