"""One way to refuse: a ValidationError naming the field and the rule, in Chinese."""

from django.core.exceptions import ValidationError


def refuse(field: str, code: str, message: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})
