"""The minimum real-name level guard that catalogue items use."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from govhall.accounts.decorators import realname_required
from govhall.accounts.models import RealNameLevel

from .factories import PersonFactory


@realname_required(RealNameLevel.ONLINE_VERIFIED)
def apply_view(request):
    return HttpResponse("申办表")


@pytest.mark.django_db
def test_level_guard_lets_verified_persons_through():
    factory = RequestFactory()
    request = factory.get("/items/XK00001/apply/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert apply_view(request).url.startswith(reverse("accounts:login"))
    request.user = PersonFactory().user
    response = apply_view(request)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:level-required") + "?level=2")
    request.user = PersonFactory(verified=True).user
    assert apply_view(request).content.decode() == "申办表"


@pytest.mark.django_db
def test_level_required_page_explains(client):
    person = PersonFactory()
    client.force_login(person.user)
    page = client.get(reverse("accounts:level-required") + "?level=2&next=https://evil.example/")
    body = page.content.decode()
    assert page.status_code == 403
    assert "二级：在线核验" in body and "一级：自助注册" in body
    assert 'href="https://evil.example/"' not in body  # the return link stays on site
