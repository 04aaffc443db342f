"""企业全生命周期: the company page's items by stage — 设立变更, 准营, 经营, 注销 — each a set
of the province's company service themes (``catalog.data.themes``: c01 设立变更, c02 准营准办,
c03 资质认证, c04 年检年审, c05 税收财务, c06 人力资源, c07 社会保障, c32 法人注销), linked
to the theme pages of the company's region, with how many of the company's own cases fell
in each. 设立 and 变更 share one theme in the catalogue, so they are one stage here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse

from govhall.catalog.models import Theme

from .profile import company_region

STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("设立变更", ("c01",)),
    ("准营", ("c02", "c03")),
    ("经营", ("c04", "c05", "c06", "c07")),
    ("注销", ("c32",)),
)


@dataclass
class Stage:
    name: str
    themes: list[tuple[str, str]] = field(default_factory=list)  # (name, url)
    cases: int = 0


def stages(company, cases) -> list[Stage]:
    """``cases``: the company's cases as the page may show them (``applicant_cases``)."""
    region = company_region(company)
    codes = [code for _, group in STAGES for code in group]
    themes = {t.code: t for t in Theme.objects.filter(code__in=codes)}
    counted = dict(
        cases.filter(item_version__themes__code__in=codes)
        .values_list("item_version__themes__code")
        .annotate(n=Count("pk", distinct=True))
    )
    rows = []
    for name, group in STAGES:
        stage = Stage(name)
        for code in group:
            theme = themes.get(code)
            if theme is None:
                continue
            url = reverse("catalog:theme", args=[code])
            stage.themes.append((theme.name, f"{url}?region={region}" if region else url))
            stage.cases += counted.get(code, 0)
        rows.append(stage)
    return rows
