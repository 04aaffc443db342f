"""The staff inbox page with its ``{% fixed %}`` runs (core/templatetags/fixed_text.py) is
the page the same templates without them write, for each signed-in user."""

import copy
import re

import pytest
from django.conf import settings
from django.template.backends.django import DjangoTemplates
from django.template.loaders import app_directories, filesystem

from govhall.cases.tests import factories as f
from govhall.cases.views.staff import inbox as inbox_view

from .staff_support import civil_affairs, clerk, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("desk")]


def _plain(contents: str) -> str:
    return contents.replace("{% fixed %}", "").replace("{% endfixed %}", "")


class PlainFiles(filesystem.Loader):
    def get_contents(self, origin):
        return _plain(super().get_contents(origin))


class PlainApps(app_directories.Loader):
    def get_contents(self, origin):
        return _plain(super().get_contents(origin))


def plain_backend() -> DjangoTemplates:
    params = copy.deepcopy(settings.TEMPLATES[0])
    params.pop("BACKEND")
    params.update(NAME="plain", APP_DIRS=False)
    params["OPTIONS"]["loaders"] = [f"{__name__}.PlainFiles", f"{__name__}.PlainApps"]
    return DjangoTemplates(params)


# Masked CSRF tokens differ on every use; the expiry dialog's seconds may tick in between.
_VARYING = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": "|data-age=")[^"]+')


def _same(html: str) -> str:
    return _VARYING.sub(r"\1…", html)


def test_the_inbox_page_is_what_the_templates_without_fixed_runs_write(client, monkeypatch):
    dept = civil_affairs()
    for n in range(53):  # two pages: the pager's links too
        f.submitted(f.item(dept), f.applicant(name=f"申请人{n}"))
    plain = plain_backend()
    pairs = []
    real_render = inbox_view.render

    def both(request, name, context):
        response = real_render(request, name, context)
        pairs.append((response.content.decode(), plain.get_template(name).render(context, request)))
        return response

    monkeypatch.setattr(inbox_view, "render", both)
    first, second = clerk(dept), clerk(dept)
    names = {first.pk: str(first), second.pk: str(second)}
    assert names[first.pk] != names[second.pk]
    for user in (first, second, first):
        signed_in(client, user)
        for query in ("", "?page=2", "?filter=overdue"):
            assert client.get("/workbench/cases/" + query).status_code == 200
    assert len(pairs) == 9
    for (fixed, plain_html), user in zip(
        pairs, [first] * 3 + [second] * 3 + [first] * 3, strict=True
    ):
        assert _same(fixed) == _same(plain_html)
        other = names[second.pk if user == first else first.pk]
        assert f'<span class="tool-link">{names[user.pk]}</span>' in fixed
        assert other not in fixed
    assert "下一页" in pairs[0][0] and "上一页" in pairs[1][0]
