"""The assistant: a Chinese question in, an answer of cited guide clauses out.

1. ``understanding.understand`` finds the aspect asked, a region named, the topic words.
2. Items come from the search app's engine (segmentation, synonyms, pinyin, typo and
   any-word fallbacks), re-ranked by how much of the topic the item's name, aliases and
   clauses cover; the standard answers of the 问答库 are scored the same way.
3. The answer quotes the clauses of the aspect asked, verbatim, each line with its
   citation (implementation code, version, section key). Nothing else is stated about
   an item, so a fee, material or limit can only appear if the guide says it.
4. With no match, or too weak a match, it says so, offers a human and puts the question
   in the knowledge-base queue of the department concerned.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse

from govhall.catalog.models import Item
from govhall.core.errors import Refusal, refuse
from govhall.regions.models import Region
from govhall.search import engine
from govhall.search.text import index_tokens, is_latin, keys, pinyin_forms, precise_words

from ..models import Aspect, Clause, Conversation, KnowledgeEntry, QueuedQuestion, Turn
from . import clauses as clause_service
from . import learning
from .understanding import PROGRESS, Understanding, expansions, understand

MAX_QUESTION = 200
CANDIDATES = 30
ANSWER_THRESHOLD = 0.5  # below: not answered (needs a human)
CONFIDENT = 0.75  # below: answered, but queued for the knowledge base as low confidence
ENTRY_THRESHOLD = 0.6
ROUTE_THRESHOLD = 0.3  # enough to route a hand-over to the item's department

OVERVIEW_KEYS = ("conditions", "time_limit.promised", "fees", "visits")
ASPECT_LABEL = dict(Aspect.choices)


@dataclass
class Candidate:
    item: Item
    coverage: float
    score: float


@dataclass
class Answer:
    conversation: str
    answer: str
    items: list[dict] = field(default_factory=list)
    citations: list[dict] = field(default_factory=list)
    needs_human: bool = False
    aspect: str = ""
    confidence: float = 0.0
    turn_id: int | None = None

    def as_dict(self) -> dict:
        return {
            "conversation": self.conversation,
            "answer": self.answer,
            "items": self.items,
            "citations": self.citations,
            "needs_human": self.needs_human,
            "aspect": self.aspect,
            "turn": self.turn_id,
        }


# --- matching ------------------------------------------------------------------------------


def _word_weight(word: str) -> float:
    return 1.0 if len(word) >= 2 else 0.3


def word_score(word: str, name_keys: set[str], body_keys: set[str]) -> float:
    """How well one topic word (or a synonym, or its parts, or its sound) is covered."""
    if is_latin(word):
        if word in name_keys:
            return 1.0
        if len(word) >= 3 and any(k.startswith(word) for k in name_keys if is_latin(k)):
            return 0.8
        return 1.0 if word in body_keys else 0.0
    best = 0.0
    for alt in expansions(word):
        parts = precise_words(alt) or [alt]
        if all(p in name_keys for p in parts):
            return 1.0
        if all(p in body_keys for p in parts):
            best = max(best, 0.5)
        pieces = engine.decompose(alt)
        if pieces and all(p in name_keys for p in pieces):
            best = max(best, 0.8)
        elif pieces and all(p in body_keys for p in pieces):
            best = max(best, 0.4)
    if best < 0.8 and len(word) >= 2:
        sound = pinyin_forms(word)[0]
        if len(sound) >= 4 and sound in name_keys:
            best = max(best, 0.8)
    return best


def coverage(
    words: tuple[str, ...],
    name_keys: set[str],
    body_keys: set[str],
    weights: dict[str, float] | None = None,
) -> float:
    if not words:
        return 0.0
    weights = weights or {}
    total = got = 0.0
    for word in words:
        weight = _word_weight(word) * weights.get(word, 1.0)
        total += weight
        got += weight * word_score(word, name_keys, body_keys)
    return got / total if total else 0.0


def informativeness(words, keyed: list[tuple[set[str], set[str]]]) -> dict[str, float]:
    """IDF-like weights over the candidates: a word found in few of them tells items apart;
    a word found in none (男孩子, 以后) says nothing about the catalogue and counts little."""
    n = len(keyed)
    out = {}
    for word in words:
        df = sum(1 for name, body in keyed if word_score(word, name, body) > 0)
        out[word] = 0.3 if df == 0 else 1.0 + math.log(n / df)
    return out


def _name_keys(version) -> set[str]:
    return set(keys([version.name, version.aliases or ""]).split())


def _body_keys(version_ids: list[int]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    rows = Clause.objects.filter(version_id__in=version_ids).values_list("version_id", "tokens")
    for version_id, tokens in rows:
        out.setdefault(version_id, set()).update(tokens.split())
    return out


def _name_precision(words: tuple[str, ...], name: str) -> float:
    """The share of the item's name that the question's words spell out (居民身份证申领
    before 临时居民身份证核发 for 身份证): a tie-breaker between items both matching."""
    core = "".join(ch for ch in name if ch not in "（）()、")
    covered = set()
    for word in words:
        for alt in expansions(word):
            start = core.find(alt)
            if start >= 0:
                covered.update(range(start, start + len(alt)))
                break
    return len(covered) / len(core) if core else 0.0


def _tier_bonus(item: Item, region_code: str | None) -> float:
    if not region_code:
        return 0.0
    code = item.region_id
    if code == region_code:
        return 0.1
    if region_code.startswith(code.rstrip("0")) or code == region_code[:2] + "0000":
        return 0.08  # a level above serves this region too
    if code.startswith(region_code.rstrip("0")):
        return 0.03
    return 0.0


def rank_items(u: Understanding, region_code: str | None) -> list[Candidate]:
    """Published items for the topic, best first, one per basic code."""
    query = " ".join(u.words)
    if not query:
        return []
    results = engine.search(query, region=region_code)
    hits = results.hits(0, CANDIDATES)
    if not hits:
        return []
    versions = {h.item.current_id: h.item.current for h in hits}
    bodies = _body_keys(list(versions))
    trusted = results.mode in ("exact", "pinyin", "corrected")
    keyed = [(_name_keys(h.item.current), bodies.get(h.item.current_id, set())) for h in hits]
    weights = informativeness(u.words, keyed)
    candidates = []
    for rank, (hit, (name_keys, body_keys)) in enumerate(zip(hits, keyed, strict=True)):
        version = hit.item.current
        cov = coverage(u.words, name_keys, body_keys, weights)
        precision = _name_precision(u.words, version.name)
        if precision >= 0.99:
            cov = max(cov, 0.9)  # the question names the item in full
        if results.mode in ("pinyin", "corrected"):
            cov = max(cov, 0.75 if rank == 0 else 0.6)
        search_score = (1.0 if trusted else 0.5) / (1 + rank)
        score = 0.7 * cov + 0.05 * search_score + 0.3 * precision
        score += _tier_bonus(hit.item, region_code)
        candidates.append(Candidate(hit.item, cov, score))
    candidates.sort(key=lambda c: -c.score)
    seen, out = set(), []
    for candidate in candidates:
        if candidate.item.basic_code in seen:
            continue
        seen.add(candidate.item.basic_code)
        out.append(candidate)
    return out


def _region_chain(region_code: str | None) -> list[str]:
    if not region_code:
        return []
    return [region_code, *engine._ancestor_codes(region_code)]


def rank_entries(u: Understanding, region_code: str | None) -> list[tuple[float, KnowledgeEntry]]:
    """Published standard answers of the region and the levels above, best first."""
    words = u.words or tuple(w for w in precise_words(u.text) if len(w) > 1)
    if not words:
        return []
    entries = KnowledgeEntry.objects.filter(state=KnowledgeEntry.State.PUBLISHED).select_related(
        "item", "department", "region"
    )
    chain = _region_chain(region_code)
    if chain:
        entries = entries.filter(region_id__in=chain)
    scored = []
    for entry in entries[:5000]:
        entry_keys = set(entry.tokens.split())
        forward = coverage(words, entry_keys, set())
        if forward == 0:
            continue
        entry_words = [w for w in understand(entry.question).words]
        query_keys = set(index_tokens(u.text)) | set(words)
        backward = coverage(tuple(entry_words), query_keys, set()) if entry_words else 0.0
        score = 0.6 * forward + 0.4 * backward
        if chain and entry.region_id == chain[0]:
            score += 0.02
        scored.append((score, entry))
    scored.sort(key=lambda pair: -pair[0])
    return scored


# --- composing -------------------------------------------------------------------------------


def guide_url(code: str, version: int | None = None) -> str:
    if version is None:
        return reverse("catalog:guide", kwargs={"code": code})
    return reverse("catalog:guide-version", kwargs={"code": code, "number": version})


def item_row(item: Item) -> dict:
    return {
        "implementation_code": item.implementation_code,
        "name": item.name,
        "region": item.region_id,
        "url": guide_url(item.implementation_code),
    }


def citation_of(clause: Clause) -> dict:
    return {
        "implementation_code": clause.implementation_code,
        "version": clause.version_number,
        "section": clause.key,
        "text": clause.text,
        "url": guide_url(clause.implementation_code, clause.version_number),
    }


def select_clauses(item_clauses: list[Clause], aspect: str) -> list[Clause]:
    if not aspect or aspect == Aspect.OVERVIEW:
        by_key = {c.key: c for c in item_clauses}
        chosen = [by_key[k] for k in OVERVIEW_KEYS if k in by_key]
        chosen += [c for c in item_clauses if c.key.startswith("fees.")][:3]
        return sorted(chosen, key=lambda c: c.sort_order)
    return [c for c in item_clauses if c.section == aspect]


def compose_item_answer(item: Item, aspect: str) -> tuple[str, list[dict], bool]:
    """The answer lines (each with its citation marker) for one item and aspect."""
    version = item.current
    item_clauses = clause_service.clauses_of(item)
    chosen = select_clauses(item_clauses, aspect)
    place = item.department.name if item.department_id else item.region.name
    label = ASPECT_LABEL.get(aspect, "") if aspect else "办理要点"
    head = f"“{item.name}”（{place}，办事指南第{version.number}版）的{label}："
    if not chosen:
        return (
            f"“{item.name}”的办事指南（第{version.number}版）没有写明{label}，"
            "我不能替指南作答。您可以查看完整指南，或转人工咨询。",
            [],
            True,
        )
    lines = [head]
    citations = []
    for number, clause in enumerate(chosen, start=1):
        lines.append(f"{number}. {clause.text}〔{number}〕")
        citations.append(citation_of(clause))
    return "\n".join(lines), citations, False


NOT_KNOWN = (
    "抱歉，知识库里没有找到能回答“{question}”的办事指南或标准答案，我不猜测答案。"
    "您可以换个说法，或点击“转人工”由部门工作人员为您解答。"
)
ASK_REGION = "“{name}”由各地分别办理，办理要求可能不同。您在哪个区县办理？"
PROGRESS_ANSWER = (
    "查询办件进度：请在“办件查询”页面输入办件编号和申请人证件号码，"
    "或登录后在“我的办件”中查看每个环节的办理情况。"
)


# --- the conversation ------------------------------------------------------------------------


def _conversation(conversation_id: str | None, region_code: str | None, user) -> Conversation:
    if conversation_id:
        try:
            key = uuid.UUID(str(conversation_id))
        except ValueError:
            raise refuse(
                "conversation", "invalid", "conversation必须是提问时返回的会话编号。"
            ) from None
        found = Conversation.objects.select_for_update().filter(public_id=key).first()
        if found is None:
            raise refuse(
                "conversation",
                "unknown_conversation",
                "会话不存在或已过期，请不带conversation重新提问。",
            )
        return found
    return Conversation.objects.create(
        region_id=region_code, user=user if getattr(user, "is_authenticated", False) else None
    )


def _check_region(region_code) -> str | None:
    if region_code in (None, ""):
        return None
    if not isinstance(region_code, str) or not Region.objects.filter(code=region_code).exists():
        raise refuse("region", "unknown_region", f"区划代码“{region_code}”不存在。")
    return region_code


def _implementation_in(item: Item, region_code: str) -> Item | None:
    """The same catalogue entry as implemented for the region (its own, or a level above)."""
    chain = _region_chain(region_code)
    options = {
        i.region_id: i
        for i in Item.objects.published()
        .filter(basic_code=item.basic_code, region_id__in=chain)
        .select_related("current", "department", "region")
    }
    return next((options[c] for c in chain if c in options), None)


def _variants(item: Item) -> list[Item]:
    return list(
        Item.objects.published()
        .filter(basic_code=item.basic_code)
        .select_related("current", "department", "region")
        .order_by("region_id")
    )


@transaction.atomic
def ask(question, *, region=None, conversation=None, user=None) -> Answer:
    if not isinstance(question, str) or not question.strip():
        raise refuse("question", "required", "请输入您要咨询的问题。")
    question = question.strip()
    if len(question) > MAX_QUESTION:
        raise refuse("question", "max_length", f"问题不能超过{MAX_QUESTION}个字。")
    region_code = _check_region(region)
    talk = _conversation(conversation, region_code, user)
    u = understand(question)
    region_code = u.region_code or region_code or talk.region_id
    if region_code != talk.region_id:
        talk.region_id = region_code
    answer = _answer(u, question, region_code, talk)
    talk.save()
    turn = Turn.objects.create(
        conversation=talk,
        question=question,
        answer=answer.answer,
        aspect=answer.aspect if answer.aspect in Aspect.values else "",
        confidence=answer.confidence,
        needs_human=answer.needs_human,
        items=answer.items,
        citations=answer.citations,
    )
    answer.turn_id = turn.pk
    if (answer.needs_human or answer.confidence < CONFIDENT) and u.aspect != PROGRESS:
        reason = (
            QueuedQuestion.Reason.NO_ANSWER
            if answer.needs_human
            else QueuedQuestion.Reason.LOW_CONFIDENCE
        )
        learning.enqueue(
            question, reason, region_code=region_code, department=_queue_department(talk)
        )
    return answer


def _queue_department(talk):
    """Whose queue: the department of the item discussed, else the region's service
    centre (the department a hand-over would reach, so both land in one group)."""
    from .consultation import responsible_department

    try:
        return responsible_department(talk, talk.region_id)
    except Refusal:
        return None


def _answer(u: Understanding, question: str, region_code: str | None, talk) -> Answer:
    conv = str(talk.public_id)
    if u.aspect == PROGRESS:
        return Answer(conv, PROGRESS_ANSWER, aspect=PROGRESS, confidence=1.0)
    candidates = rank_items(u, region_code)
    entries = rank_entries(u, region_code)
    best_entry = entries[0] if entries else None
    best = candidates[0] if candidates else None
    # A follow-up without a topic of its own ("要带什么材料？") is about the item discussed.
    if not u.words and talk.item_id:
        item = talk.item
        if region_code and item.region_id != region_code:
            item = _implementation_in(item, region_code) or item
        if item.status == Item.Status.ACTIVE and item.current_id:
            best = Candidate(item, 1.0, 1.0)
            candidates = [best]
    if (
        best_entry
        and best_entry[0] >= ENTRY_THRESHOLD
        and (best is None or best_entry[0] >= best.coverage)
    ):
        return _entry_answer(best_entry, conv, u, candidates, talk)
    if best is None or best.coverage < ANSWER_THRESHOLD:
        # The topic changed: route a hand-over by the likeliest item, or by none.
        routed = best is not None and best.coverage >= ROUTE_THRESHOLD
        talk.item = best.item if routed else None
        return Answer(
            conv,
            NOT_KNOWN.format(question=question[:40]),
            items=[item_row(c.item) for c in candidates[:3] if c.coverage > 0.3],
            needs_human=True,
            aspect=u.aspect,
            confidence=best.coverage if best else 0.0,
        )
    item = best.item
    talk.item = item
    if not region_code:
        variants = _variants(item)
        if len({v.region_id for v in variants}) > 1:
            return Answer(
                conv,
                ASK_REGION.format(name=item.name),
                items=[item_row(v) for v in variants],
                aspect=u.aspect,
                confidence=best.coverage,
            )
    text, citations, unknown = compose_item_answer(item, u.aspect)
    others = [item_row(c.item) for c in candidates[1:5] if c.coverage >= ANSWER_THRESHOLD]
    return Answer(
        conv,
        text,
        items=[item_row(item), *others],
        citations=citations,
        needs_human=unknown,
        aspect=u.aspect or Aspect.OVERVIEW,
        confidence=best.coverage,
    )


def entry_citation(entry: KnowledgeEntry) -> dict:
    return {
        "implementation_code": entry.item.implementation_code if entry.item_id else "",
        "version": entry.revision,
        "section": f"qa.{entry.public_id}",
        "text": entry.answer,
        "url": guide_url(entry.item.implementation_code) if entry.item_id else "",
    }


def _entry_answer(pair, conv: str, u: Understanding, candidates, talk) -> Answer:
    score, entry = pair
    source = entry.department.name if entry.department_id else f"{entry.region.name}政务服务"
    text = f"关于“{entry.question}”，{source}的标准答案：\n1. {entry.answer}〔1〕"
    items = []
    if entry.item_id and entry.item.status == Item.Status.ACTIVE:
        talk.item = entry.item
        items.append(item_row(entry.item))
    items += [
        item_row(c.item)
        for c in candidates[:3]
        if c.coverage >= ANSWER_THRESHOLD and c.item.pk != entry.item_id
    ]
    return Answer(
        conv,
        text,
        items=items,
        citations=[entry_citation(entry)],
        aspect=u.aspect or Aspect.FAQ,
        confidence=score,
    )
