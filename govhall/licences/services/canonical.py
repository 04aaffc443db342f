"""The canonical form of a licence version: what the SM2 signature covers.

UTF-8 JSON with keys sorted, no insignificant whitespace and non-ASCII kept as is
(``json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=False)``).
Anyone holding the published issuer key can re-serialise the fields and verify
(docs/licences.md shows it with ``openssl pkeyutl``).
"""

from __future__ import annotations

import json
import secrets

import gmssl_pyx

FORMAT = "govhall-licence/2"
ID_CARD = "111"  # 持证主体代码类型: 居民身份证 (GB/T 36904)


def new_salt() -> str:
    """128 random bits as 32 lowercase hex digits: guessing an ID number (a space of
    about 10^10) against the commitment is hopeless without it."""
    return secrets.token_hex(16)


def holder_commitment(salt: str, holder_code: str) -> str:
    """``sm3:`` + hex SM3 (GB/T 32905) of the UTF-8 text salt ‖ ID number (upper case),
    what ``printf '%s%s' SALT ID | openssl dgst -sm3`` prints."""
    text = (salt + holder_code.strip().upper()).encode("utf-8")
    return "sm3:" + gmssl_pyx.sm3_hash(text).hex()


def dumps(data: dict) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def licence_document(licence, version) -> dict:
    """The metadata of GB/T 36904 for one version.

    A person's ID number is not in it: ``holder_code_commitment`` binds it (salted SM3),
    so a bundle passed on shows nothing the holder did not choose to show, and the holder
    proves the licence is theirs by revealing the salt. A company's credit code is public
    register data and stays in clear. Every field is described in docs/licences.md."""
    licence_type = licence.type
    document = {
        "format": FORMAT,
        "identifier": version.identifier,
        "version": version.version,
        "kind": version.kind,
        "type_code": licence_type.code,
        "type_name": licence_type.name,
        "defining_body": licence_type.defining_body,
        "defining_body_code": licence_type.defining_body_code,
        "number": licence.number,
        "holder_name": licence.holder_name,
        "holder_code": licence.holder_code,
        "holder_code_type": licence.holder_code_type,
        "issuer_name": licence.issuer.name,
        "issuer_code": licence.issuer.credit_code,
        "jurisdiction_code": licence.jurisdiction_code,
        "issue_date": version.issue_date.isoformat(),
        "valid_from": version.valid_from.isoformat(),
        "valid_until": version.valid_until.isoformat() if version.valid_until else None,
        "state": licence.state,
        "item_code": licence.item_code,
        "data": version.data,
        "annotations": version.annotations,
        "reason": version.reason,
        "signed_at": version.issued_at.isoformat(timespec="seconds"),
    }
    if licence.holder_code_type == ID_CARD:
        del document["holder_code"]
        document["holder_code_commitment"] = holder_commitment(
            licence.holder_salt, licence.holder_code
        )
    return document
