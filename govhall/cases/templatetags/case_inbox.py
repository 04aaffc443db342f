"""The staff inbox's rows, written in one pass.

Fifty rows of eight cells made about a thousand template variables a page (each looked
up, localised and escaped through Django's lazy wrappers): more than half of the page's
CPU, four times its queries. The row is one format string here, its values escaped with
the standard library's ``html.escape`` (what Django's ``escape`` calls) and its column
labels escaped once per page. The text of a row (link, due date, days left, checkbox
label) is made by the view (``views.staff.inbox.Row``).
"""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString

register = template.Library()

_ROW = (
    '\n      <tr class="{css}">\n'
    "        <td>{pick}</td>\n"
    '        <td data-label="{l_number}"><a href="{url}">{number}</a></td>\n'
    '        <td data-label="{l_item}">{item}</td>\n'
    '        <td data-label="{l_applicant}">{applicant}</td>\n'
    '        <td data-label="{l_step}">{step}</td>\n'
    '        <td data-label="{l_department}">{department}</td>\n'
    '        <td data-label="{l_due}">{due}</td>\n'
    '        <td data-label="{l_remaining}">{remaining}</td>\n'
    "      </tr>\n    "
)
_PICK = '<input type="checkbox" name="case" value="{number}" id="pick-{pk}" aria-label="{label}">'
_LABELS = ("number", "item", "applicant", "step", "department", "due", "remaining")


@register.simple_tag
def inbox_rows(rows, *labels) -> SafeString:
    """The ``<tr>`` of each row; ``labels``: the seven column names, in column order (the
    ``data-label`` the 390 px layout shows before each cell)."""
    if len(labels) != len(_LABELS):
        raise template.TemplateSyntaxError(f"inbox_rows needs {len(_LABELS)} column labels")
    named = {f"l_{k}": escape(str(v)) for k, v in zip(_LABELS, labels, strict=True)}
    out = []
    for row in rows:
        step = row.step
        number = escape(str(step.case_number))
        pick = (
            _PICK.format(number=number, pk=step.pk, label=escape(str(row.pick_label)))
            if row.can_bulk_accept
            else ""
        )
        out.append(
            _ROW.format(
                css=escape(row.css),
                pick=pick,
                url=escape(row.url),
                number=number,
                item=escape(str(step.item_name)),
                applicant=escape(str(step.applicant_name)),
                step=escape(str(step.name)),
                department=escape(str(step.department_name)),
                due=escape(row.due),
                remaining=escape(str(row.remaining_text)),
                **named,
            )
        )
    return SafeString("".join(out))
