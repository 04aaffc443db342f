"""Helpers shared by core's tests."""


def admin_form_data(response) -> dict:
    """What a browser would post back from an admin add/change form, read from its context.

    Reading the rendered form (and its inline formsets' management data) keeps the
    tests independent of which fields a model has today.
    """
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for inline_form in formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None:
                    data[inline_form.add_prefix(name)] = value
    return data
