"""Every hall signs in through the one login page; channel and hall are recorded."""

import pytest
from django.urls import reverse

from govhall.accounts.models import LoginEvent

from .factories import DEFAULT_PASSWORD, PersonFactory

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "headers", "channel", "hall"),
    [
        ({"next": "/halls/440703/"}, {}, "web", "440703"),
        ({"next": "/", "hall": "440703002"}, {}, "web", "440703002"),
        ({"channel": "kiosk", "hall": "440700"}, {}, "kiosk", "440700"),
        ({"channel": "counter"}, {}, "counter", "440000"),
        ({}, {"HTTP_USER_AGENT": IPHONE}, "mobile", "440000"),
    ],
)
def test_channel_and_hall_of_each_sign_in(client, query, headers, channel, hall):
    person = PersonFactory()
    data = {"username": person.id_number, "password": DEFAULT_PASSWORD, **query}
    response = client.post(reverse("accounts:login"), data, **headers)
    assert response.status_code == 302
    event = LoginEvent.objects.get(user=person.user)
    assert event.channel == channel and event.hall.region_id == hall


@pytest.mark.django_db
def test_login_page_of_a_branch_hall_names_it(client):
    page = client.get(reverse("accounts:login") + "?next=/halls/440700/")
    body = page.content.decode()
    assert "江门" in body and 'name="hall" value="440700"' in body


@pytest.mark.django_db
def test_next_is_kept_on_site(client):
    person = PersonFactory()
    response = client.post(
        reverse("accounts:login"),
        {
            "username": person.user.username,
            "password": DEFAULT_PASSWORD,
            "next": "https://evil.example/steal",
        },
    )
    assert response.status_code == 302 and response.url == reverse("accounts:home")
