"""``{% fixed %}`` (core/templatetags/fixed_text.py): what it renders is what the same
template without it renders, per language, script prefix and settings; anything that
could depend on the request is refused when the template is compiled."""

import pytest
from django.template import Context, Engine, RequestContext, TemplateSyntaxError
from django.test import override_settings
from django.urls import set_script_prefix
from django.utils import translation

FRAME = (
    "{% load i18n static fixed_text %}"
    "{% fixed %}<a href=\"{% url 'workbench:home' %}\">"
    "{% translate '退出' %}{% translate 'Yes' %}</a>"
    "<link href=\"{% static 'css/govhall.css' %}\">"
    "{% blocktranslate %}长者模式{% endblocktranslate %}{% endfixed %}"
)


def render(source: str, **values) -> str:
    return Engine.get_default().from_string(source).render(Context(values))


def plain(source: str) -> str:
    return source.replace("{% fixed %}", "").replace("{% endfixed %}", "")


def test_renders_what_the_template_without_it_renders_in_each_language():
    template = Engine.get_default().from_string(FRAME)
    for language in ("zh-hans", "en", "zh-hans"):
        with translation.override(language):
            first, again = template.render(Context()), template.render(Context())
            assert first == again == render(plain(FRAME))
    with translation.override("en"):
        english = template.render(Context())
    with translation.override("zh-hans"):
        chinese = template.render(Context())
    # Each language its own copy (the hall has no catalogue of its own yet; Django's has "Yes").
    assert "是</a>" in chinese and "Yes</a>" in english


def test_a_new_script_prefix_or_changed_settings_are_not_served_a_stale_copy():
    template = Engine.get_default().from_string(FRAME)
    before = template.render(Context())
    assert 'href="/workbench/"' in before
    set_script_prefix("/hall/")
    try:
        moved = template.render(Context())
        assert 'href="/hall/workbench/"' in moved and moved == render(plain(FRAME))
    finally:
        set_script_prefix("/")
    with override_settings(STATIC_URL="/elsewhere/"):
        changed = template.render(Context())
        assert '"/elsewhere/css/govhall' in changed and changed == render(plain(FRAME))
    assert template.render(Context()) == before


@pytest.mark.parametrize(
    "inside",
    [
        "{{ user }}",
        "{% url name %}",
        "{% url 'workbench:case' number %}",
        "{% translate message %}",
        "{% translate '退出' as label %}",
        "{% translate '退出'|upper %}",
        "{% blocktranslate %}{{ n }}件{% endblocktranslate %}",
        "{% blocktranslate with n=count %}{{ n }}件{% endblocktranslate %}",
        "{% static path %}",
        "{% if nav %}x{% endif %}",
        "{% csrf_token %}",
        "{% include 'base.html' %}",
    ],
)
def test_anything_that_reads_the_context_is_refused_at_compile_time(inside):
    with pytest.raises(TemplateSyntaxError):
        Engine.get_default().from_string(
            "{% load i18n static fixed_text %}{% fixed %}" + inside + "{% endfixed %}"
        )


def test_what_is_around_it_still_renders_per_request():
    source = "{% load i18n fixed_text %}{{ user }} {% fixed %}{% translate '退出' %}{% endfixed %}"
    template = Engine.get_default().from_string(source)
    assert template.render(Context({"user": "林小英"})) == "林小英 退出"
    assert template.render(Context({"user": "陈大文"})) == "陈大文 退出"


def test_a_language_block_within_a_request_gets_its_own_copy(rf):
    source = (
        "{% load i18n fixed_text %}{% fixed %}{% translate 'Yes' %}{% endfixed %}"
        "{% language 'en' %}{% fixed %}{% translate 'Yes' %}{% endfixed %}{% endlanguage %}"
        "{% fixed %}{% translate 'Yes' %}{% endfixed %}"
    )
    template = Engine.get_default().from_string(source)
    request = rf.get("/")
    with translation.override("zh-hans"):
        assert template.render(RequestContext(request)) == "是Yes是"
        assert template.render(RequestContext(request)) == "是Yes是"
