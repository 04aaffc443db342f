from django.core.exceptions import ValidationError


def refuse(field: str, code: str, message: str) -> ValidationError:
    """A refusal naming the field and the rule (Chinese), shown as is in UI and API."""
    return ValidationError({field: ValidationError(message, code=code)})
