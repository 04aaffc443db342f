"""The synonym table: which words of a query also match which other words.

Groups live in ``SynonymGroup`` (editable in the admin, seeded from data/synonyms.txt).
Each process keeps a word → group map and rebuilds it when an editor saves a group
(a version number in the shared cache tells other processes to reload too).
"""

from __future__ import annotations

import threading
from pathlib import Path

from django.core.cache import cache
from django.db import transaction

from .text import DATA_DIR, normalize

SYNONYM_FILE = DATA_DIR / "synonyms.txt"
CACHE_KEY = "search:synonyms:version"

_lock = threading.Lock()
_state: dict = {"version": None, "map": None}


def read_synonym_file(path: Path = SYNONYM_FILE) -> list[tuple[str, str]]:
    """(terms joined by spaces, note) for every group of the file."""
    groups = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        terms, _, note = line.partition("|")
        words = [normalize(w) for w in terms.split() if w.strip()]
        if len(words) >= 2:
            groups.append((" ".join(words), note.strip()))
    return groups


def invalidate() -> None:
    _state["map"] = None
    try:
        cache.incr(CACHE_KEY)
    except ValueError:
        cache.set(CACHE_KEY, 1, None)


def synonym_map() -> dict[str, tuple[str, ...]]:
    """word → every word of its groups (itself included), for the active groups."""
    from .models import SynonymGroup

    version = cache.get(CACHE_KEY)
    with _lock:
        if _state["map"] is not None and _state["version"] == version:
            return _state["map"]
        mapping: dict[str, set[str]] = {}
        for group in SynonymGroup.objects.filter(is_active=True).only("terms"):
            words = group.term_list
            for word in words:
                mapping.setdefault(word, set()).update(words)
        _state["map"] = {
            word: tuple(sorted(words, key=len, reverse=True)) for word, words in mapping.items()
        }
        _state["version"] = version
        return _state["map"]


def expand(word: str) -> tuple[str, ...]:
    """The word and its synonyms (just the word when it has none)."""
    return synonym_map().get(word, (word,))


@transaction.atomic
def load_synonyms(path: Path = SYNONYM_FILE) -> int:
    """Add the file's groups that the table lacks (edits made in the admin are kept)."""
    from .models import SynonymGroup

    have = set(SynonymGroup.objects.values_list("terms", flat=True))
    added = 0
    for terms, note in read_synonym_file(path):
        if terms not in have:
            SynonymGroup.objects.create(terms=terms, note=note)  # audited by registration
            added += 1
    return added
