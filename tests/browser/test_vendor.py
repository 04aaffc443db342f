"""The committed copies in static/vendor are the versions package.json pins (no browser)."""

import json
import re

import pytest

from tests.browser.helpers import AXE_PATH, REPO_ROOT

VENDOR = REPO_ROOT / "static" / "vendor"


def pinned() -> dict[str, str]:
    return json.loads((REPO_ROOT / "package.json").read_text())["devDependencies"]


def test_npm_versions_are_exact_and_locked():
    lock = json.loads((REPO_ROOT / "package-lock.json").read_text())["packages"]
    for name, version in pinned().items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} must be pinned exactly"
        assert lock[f"node_modules/{name}"]["version"] == version
    assert pinned()["htmx.org"].startswith("2.0."), "stay on htmx 2.0.x"


@pytest.mark.parametrize(
    ("package", "path", "version_pattern"),
    [
        ("axe-core", AXE_PATH, r"/\*! axe v([\d.]+)"),
        ("htmx.org", VENDOR / "htmx" / "htmx.min.js", r'version:"([\d.]+)"'),
    ],
    ids=["axe-core", "htmx"],
)
def test_vendored_file_matches_the_pinned_version(package, path, version_pattern):
    match = re.search(version_pattern, path.read_text(encoding="utf-8")[:200_000])
    assert match, f"no version banner in {path}"
    assert match.group(1) == pinned()[package], "run `npm ci && npm run vendor`"
    assert (path.parent / "LICENSE").is_file()
