"""Plain request bodies checked by a serializer's own fields without DRF's layers.

DRF validates a body through several calls a field (``run_validation``, empty-value
handling, ``to_internal_value``, validators, error collection): about 5 % of the CPU of
``POST /api/v1/applications/apply``. ``PlainBody(Serializer)`` reads the serializer's
declared fields once and takes a body only when every value has the plain shape its field
accepts unchanged or trimmed — text, a listed choice, ``true``/``false``, a UUID in text,
an object, a list of nested bodies — giving the same ``validated_data`` the serializer
would. The rules stay in the serializer: the limits, choices and defaults are its
fields', their validators and its ``validate_<field>`` and ``validate`` methods are run.
Anything else (a missing required field, a value a field would convert or refuse, a rule
failing) gives ``None``, and the view runs the serializer, whose errors are the API's:
an invalid body is answered exactly as before.

For serializers whose fields and ``validate`` methods do not depend on the instance (its
``context``, ``partial`` or ``instance``); a field of another kind is refused when built.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import fields as f
from rest_framework import serializers
from rest_framework.exceptions import ValidationError


class _Declined(Exception):
    """The body is not plain: the serializer decides (and words any error)."""


class PlainBody:
    """``PlainBody(ApplyRequest)(request.data)`` is ``ApplyRequest``'s ``validated_data``
    as a dict, or ``None`` where the serializer must run."""

    def __init__(self, serializer_class: type[serializers.Serializer]):
        self.serializer = serializer_class()
        self.check = _body(self.serializer)

    def __call__(self, data) -> dict | None:
        try:
            return self.check(data)
        except (_Declined, ValidationError, DjangoValidationError):
            return None


def _body(serializer: serializers.Serializer):
    """The check of a (nested) serializer's body: its fields, each field's
    ``validate_<name>``, then ``validate``."""
    if serializer.validators:
        raise TypeError(f"{type(serializer).__name__}: serializer validators are not checked")
    checks = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if field.source != name:
            raise TypeError(f"{type(serializer).__name__}.{name}: a source is not supported")
        method = getattr(serializer, f"validate_{name}", None)
        checks.append((name, field, _value(field), method))
    validate = serializer.validate

    def check(data) -> dict:
        if type(data) is not dict:
            raise _Declined
        found = {}
        for name, field, value_of, method in checks:
            if name in data:
                value = value_of(data[name])
            elif field.required:
                raise _Declined
            elif field.default is f.empty:
                continue  # left out, as the serializer leaves it
            else:
                value = field.get_default()  # checked by the method, as by the serializer
            found[name] = method(value) if method is not None else value
        return validate(found)

    return check


def _run_validators(field, value):
    for validator in field.validators:
        validator(value)
    return value


def _value(field):
    """The check of one field's value: its value as the field would give it, or
    ``_Declined``."""
    if isinstance(field, serializers.ListSerializer) and isinstance(
        field.child, serializers.Serializer
    ):
        item = _body(field.child)

        def many(value):
            if type(value) is not list or (not value and not field.allow_empty):
                raise _Declined
            if field.max_length is not None and len(value) > field.max_length:
                raise _Declined
            if field.min_length is not None and len(value) < field.min_length:
                raise _Declined
            return field.validate(_run_validators(field, [item(one) for one in value]))

        return many
    if isinstance(field, serializers.Serializer):
        return _body(field)
    if type(field) is f.CharField:

        def text(value):
            # Other types are converted; NUL, lone surrogates and controls refused or trimmed.
            if type(value) is not str or not value.isprintable():
                raise _Declined
            if field.trim_whitespace:
                value = value.strip()
            if value == "":
                if not field.allow_blank:
                    raise _Declined
                return ""
            return _run_validators(field, value)

        return text
    if type(field) is f.ChoiceField:
        choices = field.choice_strings_to_values

        def choice(value):
            if type(value) is not str:
                raise _Declined
            if value == "" and field.allow_blank:
                return ""
            if value not in choices:
                raise _Declined
            return _run_validators(field, choices[value])

        return choice
    if type(field) is f.BooleanField:

        def boolean(value):
            if type(value) is not bool:
                raise _Declined
            return _run_validators(field, value)

        return boolean
    if type(field) is f.UUIDField:

        def identifier(value):
            if type(value) is not str:
                raise _Declined
            try:
                parsed = uuid.UUID(hex=value)
            except ValueError:
                raise _Declined from None
            return _run_validators(field, parsed)

        return identifier
    if type(field) is f.DictField and type(field.child) is f._UnvalidatedField:

        def mapping(value):
            if type(value) is not dict or (not value and not field.allow_empty):
                raise _Declined
            return _run_validators(field, {str(key): one for key, one in value.items()})

        return mapping
    raise TypeError(f"{field.field_name}: {type(field).__name__} is not checked here")
