"""Shared set-up of the case desk and counter tests (this module holds no tests).

Staff sign in with ``force_login``; the second factor is off for the session under test
(it is the accounts subsystem's concern, tested there). Uploaded files go to a
temporary media root.
"""

import re

import pytest

from govhall.cases.models import Case
from govhall.cases.tests import factories as f
from govhall.regions.models import Department, Post


@pytest.fixture
def desk(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.GOVHALL_STAFF_TOTP_REQUIRED = False


def civil_affairs(region: str = f.JIANGMEN) -> Department:
    """民政局 of a region (a city's by its name, a county's by name fragment)."""
    if region == f.JIANGMEN:
        return f.department("江门市民政局")
    if region == f.CHAOZHOU:
        return f.department("潮州市民政局", f.CHAOZHOU)
    return f.dept_like("民政", region)


def staff(post: str, dept: Department):
    return f.staff(post, dept)


def clerk(dept: Department):
    return f.staff(Post.CLERK, dept)


def signed_in(client, user):
    client.force_login(user)
    return client


def case_url(case: Case, action: str = "") -> str:
    return f"/workbench/cases/{case.number}/" + (f"{action}/" if action else "")


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def status_of(client, url: str) -> int:
    """GET status; a served file is read to the end, which closes it (the test client
    closes it without firing ``request_finished``; ``response.close()`` would fire it and,
    on PostgreSQL, close the test's database connection)."""
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def field_error(html: str, field_id: str) -> str:
    """The error message shown under one field (``<p class="field-error" id="…_error">``)."""
    match = re.search(rf'<p class="field-error" id="{re.escape(field_id)}_error">(.*?)</p>', html)
    return match.group(1).strip() if match else ""


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
