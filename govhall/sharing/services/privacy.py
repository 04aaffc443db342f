"""The personal-data scan every open dataset passes before it is published.

Open data must carry no personal information (个人信息保护法 art. 4; 政务数据 open only when
de-identified). The scan reads every cell and stops a dataset that contains a valid
citizen ID number (GB 11643-1999 check character), a mainland mobile number, or the
name of a person the hall knows (an account holder or an applicant). Office telephone
numbers with an area code (0750-…) and the 12345 hotline are not personal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from govhall.core.identifiers import validate_id_number

ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")
# A Chinese personal name is two to four characters; only such cells are looked up.
NAME_LIKE = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")


@dataclass(frozen=True)
class Finding:
    row: int  # 1-based, not counting the header
    column: str
    rule: str  # id_number | mobile | person_name

    def __str__(self) -> str:
        label = {"id_number": "身份证号码", "mobile": "手机号码", "person_name": "自然人姓名"}
        return f"第{self.row}行“{self.column}”列含{label[self.rule]}"


def _known_names(candidates: set[str]) -> set[str]:
    from govhall.accounts.models import Person
    from govhall.cases.models import Case

    if not candidates:
        return set()
    found: set[str] = set()
    batch = sorted(candidates)
    for start in range(0, len(batch), 500):
        chunk = batch[start : start + 500]
        found.update(Person.objects.filter(name__in=chunk).values_list("name", flat=True))
        found.update(
            Case.objects.filter(applicant_name__in=chunk).values_list("applicant_name", flat=True)
        )
    return found


def scan(columns: list[str], rows: Iterable[tuple], limit: int = 20) -> list[Finding]:
    """Every finding (at most ``limit``) in the rows; an empty list means publishable."""
    findings: list[Finding] = []
    name_cells: dict[str, list[tuple[int, str]]] = {}
    for number, row in enumerate(rows, start=1):
        for column, value in zip(columns, row, strict=True):
            if not isinstance(value, str) or not value:
                continue
            for match in ID_CANDIDATE.finditer(value):
                if validate_id_number(match.group(1)).valid:
                    findings.append(Finding(number, column, "id_number"))
                    break
            if MOBILE.search(value):
                findings.append(Finding(number, column, "mobile"))
            if NAME_LIKE.match(value):
                name_cells.setdefault(value, []).append((number, column))
        if len(findings) >= limit:
            return findings[:limit]
    for name in _known_names(set(name_cells)):
        for number, column in name_cells[name]:
            findings.append(Finding(number, column, "person_name"))
    findings.sort(key=lambda f: (f.row, f.column))
    return findings[:limit]
