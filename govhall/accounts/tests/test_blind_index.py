"""The blind index is HMAC-SHA256 of "kind:value" under the index key; the keyed HMAC is
kept per process, so a changed key must take effect at once (rotation, tests)."""

import hashlib
import hmac

from govhall.accounts import crypto

NUMBER = "440703199001010012"


def _expected(key: str, message: str) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def test_blind_index_is_hmac_sha256_of_kind_and_value(settings):
    settings.GOVHALL_BLIND_INDEX_KEY = "first-index-key"
    assert crypto.blind_index("id_number", NUMBER) == _expected(
        "first-index-key", f"id_number:{NUMBER}"
    )
    assert crypto.blind_index("phone", NUMBER) == _expected("first-index-key", f"phone:{NUMBER}")
    assert crypto.blind_index("id_number", NUMBER) == crypto.blind_index("id_number", NUMBER)


def test_a_changed_index_key_takes_effect_at_once(settings):
    settings.GOVHALL_BLIND_INDEX_KEY = "first-index-key"
    before = crypto.blind_index("id_number", NUMBER)
    settings.GOVHALL_BLIND_INDEX_KEY = "second-index-key"
    after = crypto.blind_index("id_number", NUMBER)
    assert after != before
    assert after == _expected("second-index-key", f"id_number:{NUMBER}")
