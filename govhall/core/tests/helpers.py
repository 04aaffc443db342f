"""Helpers shared by core's tests."""

import io

from django.core.management import call_command
from django.db import connection

from govhall.core.models import AuditEntry
from govhall.core.services import audit


def raw_sql(sql: str, params=()) -> None:
    """Run ``sql`` past the models (as a tamperer with database access would)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def record_some(n: int) -> list[AuditEntry]:
    return [
        audit.record(audit.Action.OTHER, object_type="test.thing", object_id=str(i), after={"i": i})
        for i in range(n)
    ]


def verify() -> tuple[str, str]:
    """Run ``manage.py verify_audit`` and return (stdout, stderr); raises CommandError
    (its report is then in ``verify.stderr``)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    finally:
        verify.stderr = err.getvalue()
    return out.getvalue(), err.getvalue()


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
