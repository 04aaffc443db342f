"""A model field that keeps a value encrypted in the database and clear in Python."""

from __future__ import annotations

from django.core.exceptions import FieldError
from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Stores a Fernet token (see ``crypto``); the attribute holds the clear text.

    Tokens are randomised, so the only lookup allowed is ``isnull``: query the companion
    blind-index column instead. Audit snapshots read the clear attribute, so name the field
    after what ``core.services.audit.MASKED_FIELDS`` masks (``id_number``).
    """

    description = "Encrypted text"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted: look it up through its "
                "blind index instead."
            )
        return super().get_lookup(lookup_name)
