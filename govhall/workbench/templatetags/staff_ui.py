"""Template tags of the staff shell.

``{% scroll_table "heading-id" %}…{% end_scroll_table %}`` writes the frame every staff
table shares: a keyboard-focusable scroll region named by the heading (or caption) whose
id it is given, and a ``data-table stack`` table — stacked into labelled cards at 390 px
by workbench.css. ``table_class`` and ``table_id`` change the table's class and id.
"""

from django import template
from django.utils.html import format_html

register = template.Library()


class ScrollTableNode(template.Node):
    def __init__(self, labelledby, nodelist, options):
        self.labelledby, self.nodelist, self.options = labelledby, nodelist, options

    def render(self, context):
        options = {k: v.resolve(context) for k, v in self.options.items()}
        table_id = options.get("table_id")
        return format_html(
            '<div class="table-scroll" role="region" aria-labelledby="{}" tabindex="0">'
            '<table class="{}"{}>{}</table></div>',
            self.labelledby.resolve(context),
            options.get("table_class") or "data-table stack",
            format_html(' id="{}"', table_id) if table_id else "",
            self.nodelist.render(context),
        )


@register.tag("scroll_table")
def scroll_table(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("scroll_table needs the id of the heading")
    options = {}
    for bit in bits[2:]:
        name, _, value = bit.partition("=")
        if name not in ("table_class", "table_id") or not value:
            raise template.TemplateSyntaxError(f"scroll_table: unknown option {bit}")
        options[name] = parser.compile_filter(value)
    nodelist = parser.parse(("end_scroll_table",))
    parser.delete_first_token()
    return ScrollTableNode(parser.compile_filter(bits[1]), nodelist, options)
