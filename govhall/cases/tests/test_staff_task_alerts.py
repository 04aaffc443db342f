"""新待办提醒: a case landing in a post's queue becomes one site message for each holder
of that post, once; the workbench's badge counts them; opening the case reads them."""

import pytest
from django.urls import reverse

from govhall.cases.models import Notification
from govhall.cases.services import task_alerts
from govhall.cases.tests import factories as f
from govhall.regions.models import Post

from .staff_support import case_url, civil_affairs, clerk, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("desk")]


def task_messages(user):
    return Notification.objects.filter(user=user, event__startswith=task_alerts.EVENT_PREFIX)


def test_every_holder_of_the_post_is_told_once_and_no_one_else():
    dept = civil_affairs()
    first, second = clerk(dept), clerk(dept)
    reviewer = f.staff(Post.REVIEWER, dept)
    elsewhere = clerk(civil_affairs(f.CHAOZHOU))
    case = f.submitted(f.item(dept))

    assert task_alerts.deliver() == 2
    for user in (first, second):
        (message,) = task_messages(user)
        assert message.case_number == case.number
        assert message.title == "新待办：受理"
        assert case.number in message.body and case.item_name in message.body
        assert message.link == reverse("workbench:case", args=[case.number])
        assert message.sms_sent_at is None and message.send_error == ""
    assert not task_messages(reviewer).exists() and not task_messages(elsewhere).exists()
    assert task_alerts.deliver() == 0  # announced once
    assert task_alerts.deliver(first) == 0


def test_the_applicant_who_holds_the_post_is_not_told_of_their_own_case():
    dept = civil_affairs()
    window = clerk(dept)
    own = f.applicant(name="黄自办")
    own.user.staff_posts.create(department=dept, post=Post.CLERK)
    f.submitted(f.item(dept), own)
    assert task_alerts.deliver() == 1
    assert task_messages(window).count() == 1
    assert not task_messages(own.user).exists()


def test_the_badge_delivers_counts_and_the_case_page_reads(client):
    dept = civil_affairs()
    window = clerk(dept)
    case = f.submitted(f.item(dept))
    signed_in(client, window)

    badge = client.get(reverse("workbench:task-badge"))
    assert badge.status_code == 200 and badge["Cache-Control"].startswith("max-age=0")
    data = badge.json()
    assert data["pending"] == 1 and data["unread"] == 1
    assert data["latest"][0]["link"] == case_url(case)

    for page in (reverse("workbench:home"), reverse("workbench:cases-inbox")):
        html = client.get(page).content.decode()
        assert 'id="task-badge"' in html and reverse("workbench:task-badge") in html
    assert client.get(case_url(case)).status_code == 200
    assert client.get(reverse("workbench:task-badge")).json() == {
        "pending": 1,
        "unread": 0,
        "latest": [],
    }


def test_the_badge_is_for_staff_only(client):
    client.force_login(f.applicant().user)
    assert client.get(reverse("workbench:task-badge")).status_code == 403
    client.logout()
    assert client.get(reverse("workbench:task-badge")).status_code == 302
