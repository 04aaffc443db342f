"""The canonical form of a licence version: what the SM2 signature covers.

UTF-8 JSON with keys sorted, no insignificant whitespace and non-ASCII kept as is
(``json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=False)``).
Anyone holding the published issuer key can re-serialise the fields and verify
(docs/licences.md shows it with ``openssl pkeyutl``).
"""

from __future__ import annotations

import json


def dumps(data: dict) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def licence_document(licence, version) -> dict:
    """The metadata of GB/T 36904 for one version (full holder code: it is the licence)."""
    licence_type = licence.type
    return {
        "format": "govhall-licence/1",
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
