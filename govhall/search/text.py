"""Text processing shared by indexing and querying: normalisation, segmentation, pinyin.

Full-text engines split on spaces, and Chinese has none, so both sides of the search
go through rjieba (the Rust port of jieba): documents are cut in *search mode* (every
dictionary word plus its shorter dictionary sub-words: 营业执照 → 营业, 执照, 营业执照)
and queries in *precise mode* (营业执照). Any precise-mode word of a text is also among
its search-mode words, so a query word finds the documents that contain it. HMM
guessing of unknown words is off on both sides: it makes the same characters segment
differently in different contexts, which would break that guarantee.

Pinyin (pypinyin, tone-less) is produced for the words of item names and aliases only,
as full spellings and initials (营业执照 → yingyezhizhao, yyzz), so that "yyzz" or a
homophone typo (营叶执照) still finds the business licence without matching every
body text word that happens to sound alike.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import rjieba
from pypinyin import lazy_pinyin

DATA_DIR = Path(__file__).resolve().parent / "data"
WORDS_FILE = DATA_DIR / "words.txt"

# Characters kept inside a token: letters and digits of any script (CJK included).
_TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_RE = re.compile(r"^[a-z0-9]+$")
_LETTERS_RE = re.compile(r"^[a-z]+$")
# Function words that carry no meaning on their own in an item text.
STOPWORDS = frozenset(
    "的 了 和 与 及 或 等 在 是 为 对 由 向 于 其 之 以 中 并 将 可 把 被 从 有 个 所 "
    "我 我们 要 想 怎么 怎么办 怎样 如何 哪里 在哪 在哪里 什么 办 去 吗 呢 啊 吧 "
    "需要 可以 办理 申请 请问".split()
)

_lock = threading.Lock()
_segmenter: rjieba.Jieba | None = None


def _load_segmenter() -> rjieba.Jieba:
    """rjieba with jieba's dictionary plus the government-service words of data/words.txt."""
    global _segmenter
    if _segmenter is not None:
        return _segmenter
    with _lock:
        if _segmenter is None:
            segmenter = rjieba.Jieba()
            for word in read_word_list(WORDS_FILE):
                segmenter.add_word(word, None, None)
            _segmenter = segmenter
    return _segmenter


def read_word_list(path: Path) -> list[str]:
    """One word per line; blank lines and ``#`` comments ignored."""
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(line)
    return words


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), lower case, one space for any run of whitespace."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return " ".join(text.split())


def has_cjk(text: str) -> bool:
    return bool(_CJK_RE.search(text))


def is_latin(token: str) -> bool:
    return bool(_LATIN_RE.match(token))


def is_letters(token: str) -> bool:
    return bool(_LETTERS_RE.match(token))


def _clean(tokens: Iterable[str]) -> list[str]:
    """Keep letters and digits only (this makes tokens safe inside FTS query syntax)."""
    out = []
    for token in tokens:
        for part in _TOKEN_RE.findall(token):
            out.append(part)
    return out


def index_tokens(text: str, *, unigrams: bool = False) -> list[str]:
    """Tokens of a document text, in order, duplicates kept (for term counts).

    Each precise-mode word is followed by every shorter dictionary word inside it
    (jieba's own search mode only adds 2- and 3-character ones, so 经营许可 would be
    lost inside 食品经营许可证). With ``unigrams`` (names and aliases, which are short)
    every Chinese character is a token too, so a one-character query still matches.
    Results are cached: catalogue texts repeat a lot (the same materials and conditions
    in every region), which makes bulk indexing several times faster.
    """
    return list(_index_tokens(text, unigrams))


@functools.lru_cache(maxsize=50_000)
def _index_tokens(text: str, unigrams: bool) -> tuple[str, ...]:
    text = normalize(text)
    if not text:
        return ()
    segmenter = _load_segmenter()
    out: list[str] = []
    for word in _clean(segmenter.cut(text, hmm=False)):
        out.append(word)
        if len(word) > 2 and has_cjk(word):
            out.extend(w for w in segmenter.cut_all(word) if len(w) > 1 and w != word)
        if unigrams and len(word) > 1 and has_cjk(word):
            out.extend(c for c in word if has_cjk(c))
    return tuple(out)


def query_tokens(text: str) -> list[str]:
    """Precise-mode tokens of a query, de-duplicated, stopwords dropped (unless nothing else)."""
    text = normalize(text)
    if not text:
        return []
    tokens = _clean(_load_segmenter().cut(text, hmm=False))
    seen: dict[str, None] = {}
    for token in tokens:
        seen.setdefault(token, None)
    meaningful = [t for t in seen if t not in STOPWORDS]
    return meaningful or list(seen)


def precise_words(text: str) -> list[str]:
    """Precise-mode words of a text (for highlighting and the name vocabulary)."""
    return _clean(_load_segmenter().cut(normalize(text), hmm=False))


@functools.lru_cache(maxsize=200_000)
def pinyin_forms(word: str) -> tuple[str, str]:
    """(full pinyin, initials) of a word, tone-less; Latin letters and digits pass through."""
    syllables = lazy_pinyin(word, errors=lambda chars: [c for c in chars if c.isalnum()])
    syllables = [s.lower() for s in syllables if s]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s and not s.isdigit())
    return full, initials


def pinyin_tokens(texts: Iterable[str]) -> list[str]:
    """Pinyin tokens for names and aliases: whole text and each word, full and initials."""
    return list(_pinyin_tokens(tuple(texts)))


@functools.lru_cache(maxsize=50_000)
def _pinyin_tokens(texts: tuple[str, ...]) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for text in texts:
        text = normalize(text)
        if not has_cjk(text):
            continue
        for run in _TOKEN_RE.findall(text):
            if not has_cjk(run):
                continue
            words = [run, *_load_segmenter().cut_for_search(run, hmm=False)]
            for word in words:
                if not has_cjk(word):
                    continue
                full, initials = pinyin_forms(word)
                if full:
                    out.setdefault(full, None)
                if len(initials) >= 2:
                    out.setdefault(initials, None)
    return tuple(out)


def keys(texts: Iterable[str]) -> str:
    """Words (with their inner dictionary words) and pinyin of short texts, for ranking."""
    return _keys(tuple(texts))


@functools.lru_cache(maxsize=50_000)
def _keys(texts: tuple[str, ...]) -> str:
    out: dict[str, None] = {}
    for text in texts:
        for word in index_tokens(text):
            out.setdefault(word, None)
    for token in pinyin_tokens(texts):
        out.setdefault(token, None)
    return " " + " ".join(out) + " " if out else ""


def query_pinyin(text: str) -> str:
    """The tone-less pinyin of a whole query's Chinese characters (for homophone typos)."""
    return "".join(pinyin_forms(part)[0] for part in _TOKEN_RE.findall(normalize(text)))


def cjk_runs(text: str) -> list[str]:
    """Maximal runs of Chinese characters in a text."""
    return re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", normalize(text))
