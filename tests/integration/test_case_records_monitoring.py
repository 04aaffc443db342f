"""A local case's records on the monitoring case page: the applicant masked and a link
to the case in the workbench (``cases`` → ``records`` → ``monitoring``)."""

import pytest

from govhall.cases.tests import factories as cf
from govhall.monitoring.tests.test_dashboard import BASE, jiangmen_supervisor, signed_in

pytestmark = pytest.mark.django_db


def test_case_page_of_a_local_case_masks_the_applicant_and_links_the_case(
    client, settings, tmp_path
):
    settings.GOVHALL_STAFF_TOTP_REQUIRED = False
    settings.MEDIA_ROOT = tmp_path
    citizen = cf.applicant(name="欧阳娜娜")
    local = cf.submitted(cf.item(cf.department("江门市民政局")), citizen)
    signed_in(client, jiangmen_supervisor())
    response = client.get(f"{BASE}/cases/{local.number}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/workbench/cases/{local.number}/"' in html
    assert "欧**娜" in html and "欧阳娜娜" not in html
    assert "138****8000" in html and "13800138000" not in html
    assert local.applicant_key not in html and "（不显示）" in html
    assert citizen.person.id_number not in html
