"""``{% case_documents case as docs %}``: the printable documents a case has now."""

from django import template

from ..documents import service

register = template.Library()


@register.simple_tag
def case_documents(case):
    return service.available(case)
