"""Headers: a strict Content-Security-Policy on every page type (nonce, no
'unsafe-inline' or 'unsafe-eval' for scripts), no template with inline script, style
attributes or event handlers, and production settings that pass ``check --deploy``."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from govhall.regions.models import Post
from tests.common import applicant, department, staff

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)
NONCE = re.compile(r"'nonce-([A-Za-z0-9_\-]+)'")


def directives(header: str) -> dict[str, str]:
    out = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        out[name] = value
    return out


def check_policy(response, path: str) -> None:
    header = response.get("Content-Security-Policy")
    assert header, f"{path}: no Content-Security-Policy"
    policy = directives(header)
    script = policy["script-src"]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, path
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'", path
    (nonce,) = NONCE.findall(script)
    body = response.content.decode() if not response.streaming else ""
    # Every inline <script>/<style> carries this response's nonce; none goes without.
    for tag, attributes, content in re.findall(
        r"<(script|style)\b([^>]*)>(.*?)</\1>", body, flags=re.S | re.I
    ):
        if tag.lower() == "script" and ("src=" in attributes or "application/json" in attributes):
            continue
        if not content.strip():
            continue
        assert f'nonce="{nonce}"' in attributes, f"{path}: <{tag}{attributes}> without the nonce"
    assert not re.search(r"<[a-z][^>]*\sstyle=\"", body), f"{path}: a style attribute"
    assert not re.search(r"<[a-z][^>]*\son[a-z]+=", body), f"{path}: an inline event handler"


def test_every_page_type_sends_the_policy():
    pages = [
        "/",
        "/halls/440700/",
        "/account/login/",
        "/licences/verify/",
        "/workbench/login/",
        "/admin/login/",
        "/api/v1/regions/",
        "/api/v1/schema/?format=json",
        "/no-such-page/",
        "/api/v1/no-such-thing/",
    ]
    anonymous = Client()
    for path in pages:
        check_policy(anonymous.get(path), path)

    citizen = Client()
    citizen.force_login(applicant().user)
    for path in ("/my/licences/", "/my/cases/", "/account/"):
        response = citizen.get(path)
        assert response.status_code == 200, path
        check_policy(response, path)

    clerk = Client()
    clerk.force_login(staff(Post.CLERK, department("江门市民政局")))
    response = clerk.get("/workbench/")
    assert response.status_code == 200
    check_policy(response, "/workbench/")


def test_nonces_are_fresh_per_response():
    client = Client()
    first = NONCE.findall(client.get("/")["Content-Security-Policy"])
    second = NONCE.findall(client.get("/")["Content-Security-Policy"])
    assert first and second and first != second


def test_the_api_docs_relax_styles_only():
    response = Client().get("/api/v1/docs/")
    policy = directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" in policy["style-src"]
    assert "'unsafe-inline'" not in policy["script-src"] and NONCE.search(policy["script-src"])
    assert "fonts.googleapis.com" not in Client().get("/api/v1/redoc/").content.decode()


def test_no_template_has_inline_script_style_attributes_or_handlers():
    offenders = []
    folders = [ROOT / "templates", *sorted((ROOT / "govhall").glob("*/templates"))]
    folders += sorted((ROOT / "govhall").glob("*/*/templates"))
    for folder in folders:
        for path in folder.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            where = path.relative_to(ROOT)
            for match in re.finditer(r"<script\b([^>]*)>", text):
                attributes = match.group(1)
                if "src=" not in attributes and "nonce=" not in attributes:
                    offenders.append(f"{where}: inline <script>")
            for match in re.finditer(r"<style\b([^>]*)>", text):
                if "nonce=" not in match.group(1):
                    offenders.append(f"{where}: <style> without the nonce")
            if re.search(r"<[a-zA-Z][^>]*\sstyle=", text):
                offenders.append(f"{where}: style attribute")
            if re.search(r"<[a-zA-Z][^>]*\son[a-z]+=", text):
                offenders.append(f"{where}: inline event handler")
    assert offenders == []


def test_production_settings_pass_check_deploy():
    result = subprocess.run(
        [sys.executable, "-m", "govhall.operations.deploycheck"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
