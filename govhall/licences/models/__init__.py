from .batches import DigitisationBatch
from .keys import IssuerKey
from .licences import (
    HolderKind,
    Licence,
    LicenceShare,
    LicenceState,
    LicenceType,
    LicenceUse,
    LicenceVersion,
    SerialCounter,
    VersionKind,
)

__all__ = [
    "DigitisationBatch",
    "HolderKind",
    "IssuerKey",
    "Licence",
    "LicenceShare",
    "LicenceState",
    "LicenceType",
    "LicenceUse",
    "LicenceVersion",
    "SerialCounter",
    "VersionKind",
]
