"""Password rules added to Django's validators (see AUTH_PASSWORD_VALIDATORS).

Citizens' passwords guard their cases and licences, so besides length and the common-
password list a password must mix character kinds and must not contain the personal
numbers an attacker knows first: the ID number's birth date and last six characters, or
the mobile number. Validators read those from ``user.person`` or, before the person
exists (registration), from ``user._pending_id_number``.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterKindsValidator:
    def __init__(self, min_kinds: int = 2):
        self.min_kinds = min_kinds

    def validate(self, password, user=None):
        kinds = sum(
            bool(re.search(pattern, password)) for pattern in (r"[A-Za-z]", r"\d", r"[^A-Za-z\d]")
        )
        if kinds < self.min_kinds:
            raise ValidationError(
                _("密码须包含字母、数字、符号中的至少%(min_kinds)s种。")
                % {"min_kinds": self.min_kinds},
                code="password_kinds",
            )

    def get_help_text(self):
        return _("须包含字母、数字、符号中的至少%(min_kinds)s种。") % {"min_kinds": self.min_kinds}


class PersonalNumbersValidator:
    def validate(self, password, user=None):
        if user is None:
            return
        person = getattr(user, "person", None) if getattr(user, "pk", None) else None
        id_number = getattr(user, "_pending_id_number", "") or (
            person.id_number if person is not None else ""
        )
        fragments = []
        if id_number and len(id_number) == 18:
            fragments += [id_number[6:14], id_number[-6:]]
        if getattr(user, "mobile", None):
            fragments.append(user.mobile)
        upper = password.upper()
        if any(fragment and fragment in upper for fragment in fragments):
            raise ValidationError(
                _("密码不能包含身份证号码中的出生日期或后六位，也不能包含手机号码。"),
                code="password_personal_numbers",
            )

    def get_help_text(self):
        return _("不能包含身份证号码中的出生日期或后六位，也不能包含手机号码。")
