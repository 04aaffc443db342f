"""``{% fixed %}…{% endfixed %}``: a run of a template that is the same on every request,
rendered once per process and language and then reused.

A page's frame (the header, the staff navigation, the footer) reverses the same URLs,
translates the same sentences and looks up the same static files on every request: on
the staff inbox page that was 17 reversals, 42 translations and 11 static paths, a
quarter of the template's time. Between ``{% fixed %}`` and ``{% endfixed %}`` only text,
``{% url %}``, ``{% translate %}``, ``{% blocktranslate %}`` (without variables) and
``{% static %}`` with constant arguments are allowed — anything that could depend on the
request (a variable, a tag that reads the context) is refused when the template is
compiled, so the block's output depends only on what its cache key holds: the active
language, the script prefix, the URL configuration, the request's current application
(``{% url %}`` namespaces), autoescaping and the settings (any ``setting_changed`` clears
every block's copy).
"""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.template.base import FilterExpression, TextNode, TokenType, Variable
from django.template.defaulttags import CommentNode, URLNode
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation

register = template.Library()

# Bumped by any setting change (tests change STATIC_URL, LANGUAGE_CODE, ROOT_URLCONF…):
# every block's copies made before are then never used again.
_generation = [0]
_KEPT = 32  # copies kept per block (languages × script prefixes × …)


def _settings_changed(**kwargs) -> None:
    _generation[0] += 1


setting_changed.connect(_settings_changed, dispatch_uid="govhall-fixed-text")


def _constant(expression) -> bool:
    """Whether a compiled argument is a literal (a quoted string or a number), unfiltered."""
    if isinstance(expression, FilterExpression):
        if expression.filters:
            return False
        expression = expression.var
    if isinstance(expression, str):
        return True
    return isinstance(expression, Variable) and expression.lookups is None


def _allowed(node) -> bool:
    if isinstance(node, (TextNode, CommentNode)):
        return True
    if isinstance(node, URLNode):
        return (
            node.asvar is None
            and _constant(node.view_name)
            and all(_constant(a) for a in node.args)
            and all(_constant(v) for v in node.kwargs.values())
        )
    if isinstance(node, TranslateNode):
        return (
            node.asvar is None
            and node.message_context is None
            and _constant(node.filter_expression)
        )
    if isinstance(node, BlockTranslateNode):
        return (
            node.asvar is None
            and not node.extra_context
            and node.counter is None
            and not node.plural
            and node.message_context is None
            and all(token.token_type == TokenType.TEXT for token in node.singular)
        )
    if isinstance(node, StaticNode):
        return node.varname is None and _constant(node.path)
    return False


def _current_app(context):
    """What ``{% url %}`` passes to ``reverse`` as ``current_app`` (URLNode.render)."""
    request = getattr(context, "request", None)
    try:
        return request.current_app
    except AttributeError:
        try:
            return request.resolver_match.namespace
        except AttributeError:
            return None


def _request_key(context) -> tuple:
    """What of the key is the same for a whole request: the settings' generation, the
    script prefix, the URL configuration, the current application. Kept on the request
    (a page has some thirty of these blocks); the language is taken every time, since
    ``{% language %}`` may change it within a page."""
    request = getattr(context, "request", None)
    kept = getattr(request, "_fixed_text_key", None)
    if kept is not None and kept[0] == _generation[0]:
        return kept
    key = (_generation[0], get_script_prefix(), get_urlconf(), _current_app(context))
    if request is not None:
        request._fixed_text_key = key
    return key


class FixedNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.rendered: dict[tuple, str] = {}

    def render(self, context):
        key = (translation.get_language(), context.autoescape, *_request_key(context))
        text = self.rendered.get(key)
        if text is None:
            text = self.nodelist.render(context)
            if len(self.rendered) >= _KEPT:  # script prefixes come from the server's
                self.rendered.clear()  # environment: keep the table bounded anyway
            self.rendered[key] = text
        return text


@register.tag
def fixed(parser, token):
    """``{% fixed %}…{% endfixed %}``: text, and ``url``/``translate``/``blocktranslate``/
    ``static`` with constant arguments only, rendered once per language (see the module)."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% fixed %} takes no arguments")
    nodelist = parser.parse(("endfixed",))
    parser.delete_first_token()
    for node in nodelist:
        if not _allowed(node):
            raise template.TemplateSyntaxError(
                "{% fixed %} allows only text, and url, translate, blocktranslate and "
                f"static with constant arguments, not {node!r}"
            )
    return FixedNode(nodelist)
