"""What the hall already knows about an applicant: held e-licences and shared data.

The licences (§6) and sharing (§11) subsystems register providers here; the case
engine asks them when it lists the materials an applicant need not upload and when
it evaluates 秒批 rules. With no provider registered, nothing is held.

An e-licence stands for a material under one key, ``licence_key(type_code)``, in every
item that asks for that licence type; the licences an application used that way are
handed to the ``hooks.submitted`` receivers as ``LicenceStandIn`` values.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from govhall.core.identifiers import validate_id_number


@dataclass(frozen=True)
class HeldLicence:
    type_code: str
    identifier: str
    name: str
    number: str = ""
    issuer: str = ""


@dataclass(frozen=True)
class LicenceStandIn:
    """An e-licence standing for a material of a submitted application (用证): online with
    the applicant's consent given at submission, at a counter on the clerk's check."""

    type_code: str
    identifier: str  # of the licence version used
    material_name: str


LICENCE_KEY_PREFIX = "L:"
MATERIAL_KEY_LENGTH = 220  # ApplicationMaterial.key


def licence_key(type_code: str) -> str:
    """The material key an e-licence of ``type_code`` supplies (the same in every item)."""
    return f"{LICENCE_KEY_PREFIX}{type_code}"[:MATERIAL_KEY_LENGTH]


@dataclass(frozen=True)
class SharedOffer:
    """The hall's answer for a material it fetches from shared data (免提交): ``available``,
    or ``reason`` why not — the applicant is then asked for the material with that reason;
    ``source`` names where the data comes from."""

    available: bool
    reason: str = ""
    source: str = ""


_licence_providers: list[Callable] = []
_shared_providers: list[Callable] = []
_shared_material_providers: list[Callable] = []


def register_licence_provider(function: Callable) -> None:
    """``function(person, company) -> list[HeldLicence]`` (valid licences only)."""
    if function not in _licence_providers:
        _licence_providers.append(function)


def register_shared_provider(function: Callable) -> None:
    """``function(person, company) -> set[str]``: shared-data sources that hold a record."""
    if function not in _shared_providers:
        _shared_providers.append(function)


def register_shared_material_provider(function: Callable) -> None:
    """``function(application, item, material) -> SharedOffer | None`` for a catalogue
    material from shared data (None: not one it serves — the material stays a flag)."""
    if function not in _shared_material_providers:
        _shared_material_providers.append(function)


def shared_offer(application, item, material) -> SharedOffer | None:
    for provider in _shared_material_providers:
        offer = provider(application, item, material)
        if offer is not None:
            return offer
    return None


def held_licences(person, company=None) -> list[HeldLicence]:
    return [licence for provider in _licence_providers for licence in provider(person, company)]


def shared_sources(person, company=None) -> set[str]:
    found: set[str] = set()
    for provider in _shared_providers:
        found |= set(provider(person, company))
    return found


def applicant_facts(person, company=None, on: datetime.date | None = None) -> dict:
    """``applicant.*`` facts for decision rules: age, real-name level, region, kind."""
    on = on or datetime.date.today()
    facts = {
        "kind": "company" if company else "person",
        "realname_level": person.realname_level if person else 0,
        "age": None,
        "region": "",
    }
    if person is not None:
        result = validate_id_number(person.id_number, today=on)
        if result.valid:
            birth = datetime.date(
                int(result.normalized[6:10]),
                int(result.normalized[10:12]),
                int(result.normalized[12:14]),
            )
            facts["age"] = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
            facts["region"] = result.normalized[:6]
    return facts
