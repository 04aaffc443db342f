"""One family of Chinese error pages (400/403/404/500), with DEBUG on as in ``make run``."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from govhall.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def _boom(request):
    raise RuntimeError("broken view")


def _refused(request):
    raise PermissionDenied("只有窗口受理人员可以进行窗口实名核验。")


def _fine(request):
    return HttpResponse("ok")


urlpatterns = [path("boom/", _boom), path("refused/", _refused), path("fine/", _fine), *urlpatterns]


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True
    settings.GOVHALL_DEBUG_ERROR_PAGES = False
    settings.ROOT_URLCONF = __name__


@pytest.mark.django_db
class TestWithDebugOn:
    def test_unknown_address_is_the_chinese_404(self, debug_on, client):
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert next(t.name for t in response.templates) == "404.html"
        assert "页面不存在" in response.content.decode()

    def test_missing_slash_still_redirects(self, debug_on, client):
        assert client.get("/fine").status_code == 301

    def test_uncaught_exception_is_the_chinese_500(self, debug_on, caplog):
        response = Client(raise_request_exception=False).get("/boom/")
        assert response.status_code == 500
        assert "系统繁忙" in response.content.decode()
        assert "broken view" not in response.content.decode()
        assert "broken view" in caplog.text  # still logged for the operator

    def test_refusal_is_the_chinese_403_saying_why(self, debug_on, client):
        response = client.get("/refused/")
        assert response.status_code == 403
        assert "无权访问" in response.content.decode()
        assert "只有窗口受理人员可以进行窗口实名核验。" in response.content.decode()

    def test_api_errors_stay_json(self, debug_on, client):
        response = client.get("/api/v1/no-such-thing/")
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"

    def test_technical_pages_when_asked_for(self, debug_on, settings, client):
        settings.GOVHALL_DEBUG_ERROR_PAGES = True
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_stale_form_gets_the_chinese_403(client):
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post("/account/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
