"""Test URLconf: a page with the session-expiry warning, as base.html will include it."""

from django.http import HttpResponse
from django.template import RequestContext, Template
from django.template.loader import get_template
from django.urls import include, path

WARNING = "accounts/_session_timeout.html"


def page(request):
    # Once base.html includes the warning itself, do not add it a second time.
    in_base = WARNING in get_template("base.html").template.source
    scripts = "" if in_base else '{% block scripts %}{% include "' + WARNING + '" %}{% endblock %}'
    template = Template(
        '{% extends "base.html" %}{% block content %}<h1>办事页面</h1>{% endblock %}' + scripts
    )
    return HttpResponse(template.render(RequestContext(request, {})))


urlpatterns = [
    path("session-page/", page),
    path("", include("govhall.urls")),
]
