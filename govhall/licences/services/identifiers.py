"""证照标识 (GB/T 36903, DB44/T 2167): ``1.2.156.3005.2.<type>.<issuer>.<serial>.<vvv><c>``.

``<type>`` is the licence-type code (defining body's credit code + 3 digits),
``<issuer>`` the issuing department's credit code, ``<serial>`` its serial for that
type, ``<vvv>`` the three-digit version, and ``<c>`` the ISO 7064 MOD 37,36 check
character computed over the string without the root and without the dots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.iso7064 import mod_37_36

from govhall.core.errors import refuse

ROOT = "1.2.156.3005.2."
FIELD = "identifier"
_SHAPE = re.compile(
    r"^1\.2\.156\.3005\.2\.(?P<type>[0-9A-Z]{21})\.(?P<issuer>[0-9A-Z]{18})\."
    r"(?P<serial>[0-9A-Z]{1,20})\.(?P<version>\d{3})(?P<check>[0-9A-Z*])$"
)


@dataclass(frozen=True)
class Identifier:
    type_code: str
    issuer_code: str
    serial: str
    version: int

    def __str__(self) -> str:
        return build(self.type_code, self.issuer_code, self.serial, self.version)


def check_character(type_code: str, issuer_code: str, serial: str, version: int) -> str:
    return mod_37_36.calc_check_digit(f"{type_code}{issuer_code}{serial}{version:03d}")


def build(type_code: str, issuer_code: str, serial: str, version: int) -> str:
    if not 1 <= version <= 999:
        raise refuse(FIELD, "version", "证照版本号须在 001–999 之间。")
    check = check_character(type_code, issuer_code, serial, version)
    return f"{ROOT}{type_code}.{issuer_code}.{serial}.{version:03d}{check}"


def parse(text: str) -> Identifier:
    """Split and check an identifier; refuse it naming the broken rule."""
    text = (text or "").strip().upper()
    if not text.startswith(ROOT):
        raise refuse(FIELD, "prefix", "证照标识须以 1.2.156.3005.2. 开头。")
    match = _SHAPE.match(text)
    if match is None:
        raise refuse(
            FIELD,
            "format",
            "证照标识格式应为：1.2.156.3005.2.证照类型代码(21位).颁证单位代码(18位).顺序号.版本号(3位)校验位。",
        )
    body = text[len(ROOT) :].replace(".", "")
    try:
        mod_37_36.validate(body)
    except StdnumError:
        raise refuse(FIELD, "checksum", "证照标识校验位不正确。") from None
    return Identifier(match["type"], match["issuer"], match["serial"], int(match["version"]))
