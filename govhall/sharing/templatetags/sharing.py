"""``{% case_shared_data case %}``: the shared data a case used, on the staff case page."""

from django import template

from ..services import materials

register = template.Library()


@register.inclusion_tag("sharing/_case_shared.html")
def case_shared_data(case):
    return {"shared": materials.shared_rows_for_case(case), "case": case}
