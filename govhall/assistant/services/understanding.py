"""What a question asks (the aspect), where (a region named in it) and about what (words).

Rules, not a model: the aspects of a guide are a closed list and people name them with
a few dozen everyday phrases (要带什么 → materials, 多久 → time limit), which a table
covers reliably, explains itself, and runs in microseconds on two cores. The words left
after removing the aspect phrases and fillers are the topic, matched by the search
app's segmentation, synonyms and pinyin.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from govhall.search import synonyms
from govhall.search.text import STOPWORDS, normalize, precise_words, query_tokens

from ..models import Aspect

PROGRESS = "progress"

# Longest phrases first within each aspect; aspects in priority order.
ASPECT_PHRASES: list[tuple[str, tuple[str, ...]]] = [
    (PROGRESS, ("办到哪一步", "办到哪了", "办到哪", "进度", "审批到哪", "办件状态", "批下来没")),
    (
        Aspect.MATERIALS,
        (
            "需要准备什么",
            "需要带什么",
            "要准备什么",
            "要准备啥",
            "要提交什么",
            "需要提交",
            "要带什么",
            "要带啥",
            "带什么",
            "带啥",
            "准备什么",
            "准备啥",
            "什么证件",
            "哪些证件",
            "什么资料",
            "哪些资料",
            "哪些材料",
            "什么材料",
            "啥材料",
            "材料清单",
            "申请材料",
            "材料",
            "资料",
            "证件",
        ),
    ),
    (
        Aspect.FEES,
        (
            "收不收费",
            "要不要钱",
            "要钱吗",
            "多少钱",
            "收费吗",
            "收费标准",
            "工本费",
            "收费",
            "费用",
            "要钱",
            "交钱",
            "花钱",
            "免费",
            "几块钱",
            "给钱",
        ),
    ),
    (
        Aspect.VISITS,
        ("跑几次", "跑几趟", "去几次", "去几趟", "到现场几次", "要跑", "跑一次", "跑腿", "几趟"),
    ),
    (
        Aspect.TIME_LIMIT,
        (
            "多长时间",
            "多久能",
            "多久",
            "几天",
            "多少天",
            "几个工作日",
            "时限",
            "要等",
            "什么时候能拿",
            "什么时候能办好",
            "多快",
            "办好",
            "办结",
            "拿到证",
        ),
    ),
    (
        Aspect.LOCATION,
        (
            "在哪里办",
            "在哪办",
            "去哪里办",
            "去哪办",
            "哪里办",
            "去哪里",
            "去哪儿",
            "在哪儿",
            "在哪里",
            "在哪",
            "去哪",
            "哪儿",
            "地址",
            "地点",
            "窗口",
            "几点",
            "上班时间",
            "办公时间",
            "工作时间",
            "周末",
            "节假日",
        ),
    ),
    (
        Aspect.CHANNELS,
        (
            "网上能办",
            "网上办",
            "网上申请",
            "网上办理",
            "在线办",
            "在线申请",
            "手机上办",
            "手机办",
            "网办",
            "线上",
        ),
    ),
    (
        Aspect.CONDITIONS,
        (
            "什么条件",
            "哪些条件",
            "满足什么",
            "符合什么",
            "有什么要求",
            "能不能办",
            "能办吗",
            "可以办吗",
            "能不能申请",
            "能申请吗",
            "有资格",
            "资格",
            "条件",
            "符合",
            "够不够",
        ),
    ),
    (Aspect.PROCESS, ("怎么走流程", "办理流程", "流程", "步骤", "程序", "手续")),
    (Aspect.LEGAL_BASIS, ("法律依据", "政策依据", "依据", "法规", "哪条规定")),
    (Aspect.RESULT, ("发什么证", "拿到什么", "办完给什么", "结果", "证书")),
    (Aspect.CONSULTATION, ("咨询电话", "联系电话", "电话", "投诉电话", "联系方式")),
]

# Words that carry no topic on their own in a spoken question.
FILLERS = frozenset(
    "那 这 这个 那个 它 还 呢 要 得 多 吗 啥 好 么 能 会 该 呀 哦 嗯 也 就 都 又 给 让 "
    "一下 下 请 您 你 他 她 咱 俺 啊 哈 么 刚 刚刚 已经 现在 今天 明天 怎么样 "
    "我家 家里 自己 本人 一个 个人 如果 的话 应该 一般 具体 哪些 哪个 什么样 事 事情 "
    "问 问问 想问 咨询 知道 告诉 帮 帮忙 帮我 谢谢 你好 您好 可不可以 是不是 有没有 "
    "需不需要 要不要 能不能 怎么弄 弄 搞 怎么搞 流程 手续 办事 业务 几次 一次 几 "
    "下来 以后 之后 然后 时候 东西 地方 办法 需要 新".split()
)


COLLOQUIAL_FILE = Path(__file__).resolve().parent.parent / "data" / "colloquial.txt"


@functools.lru_cache(maxsize=1)
def colloquial() -> tuple[tuple[tuple[str, str], ...], dict[str, tuple[str, ...]]]:
    """(phrase → formal words, longest first), (word → alternatives) from data/colloquial.txt."""
    phrases: list[tuple[str, str]] = []
    alternatives: dict[str, tuple[str, ...]] = {}
    for line in COLLOQUIAL_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if ">" in line:
            left, right = (part.strip() for part in line.split(">", 1))
            phrases.append((normalize(left), normalize(right)))
        elif "=" in line:
            left, right = (part.strip() for part in line.split("=", 1))
            alternatives[normalize(left)] = tuple(normalize(w) for w in right.split())
    phrases.sort(key=lambda pair: -len(pair[0]))
    return tuple(phrases), alternatives


def formalise(text: str) -> str:
    for phrase, formal in colloquial()[0]:
        if phrase in text:
            text = text.replace(phrase, f" {formal} ")
    return text


@dataclass(frozen=True)
class Understanding:
    text: str  # the normalised question
    aspect: str  # an Aspect value, PROGRESS, or "" (not asked: an overview)
    topic: str  # the question without aspect phrases and the region name
    words: tuple[str, ...]  # the topic's content words
    region_code: str | None  # a region named in the question


@functools.lru_cache(maxsize=1)
def _region_names() -> tuple[tuple[str, str], ...]:
    """(name, code) of every city and county, longest first; short forms too (蓬江)."""
    from govhall.regions.models import Region

    pairs: dict[str, str] = {}
    for code, name in Region.objects.filter(level__in=["province", "city", "county"]).values_list(
        "code", "name"
    ):
        pairs.setdefault(name, code)
        short = re.sub(r"(省|市|区|县|自治县)$", "", name)
        if len(short) >= 2 and short != name:
            pairs.setdefault(short, code)
    return tuple(sorted(pairs.items(), key=lambda p: -len(p[0])))


def find_region(text: str) -> tuple[str | None, str]:
    """The region named in the text (the longest name found), and the text without it."""
    for name, code in _region_names():
        if name in text:
            return code, text.replace(name, " ")
    return None, text


@functools.lru_cache(maxsize=1)
def _phrase_table() -> dict[str, tuple[int, str]]:
    """phrase → (priority, aspect)."""
    table: dict[str, tuple[int, str]] = {}
    for priority, (aspect, phrases) in enumerate(ASPECT_PHRASES):
        for phrase in phrases:
            table.setdefault(phrase, (priority, aspect))
    return table


def detect_aspect(text: str) -> tuple[str, str]:
    """The aspect asked and the text without its phrases.

    Phrases are matched on whole segmented words (one word or a run of up to four), never
    inside a word, so 资格 asks for conditions but 教师资格认定 stays a topic. Every aspect
    phrase is removed (多少钱、要多久 leaves the topic clean); the highest-priority
    aspect found wins.
    """
    table = _phrase_table()
    words = precise_words(text)
    found: tuple[int, str] | None = None
    kept: list[str] = []
    i = 0
    while i < len(words):
        for span in (4, 3, 2, 1):
            joined = "".join(words[i : i + span])
            if i + span <= len(words) and joined in table:
                hit = table[joined]
                found = hit if found is None or hit[0] < found[0] else found
                i += span
                break
        else:
            kept.append(words[i])
            i += 1
    return (found[1] if found else ""), " ".join(kept)


def content_words(text: str) -> tuple[str, ...]:
    words = []
    for word in query_tokens(text):
        if word in STOPWORDS or word in FILLERS:
            continue
        words.append(word)
    return tuple(dict.fromkeys(words))


def understand(question: str) -> Understanding:
    text = normalize(question)
    region_code, rest = find_region(text)
    aspect, topic = detect_aspect(rest)
    topic = " ".join(formalise(topic).split())
    words = content_words(topic)
    return Understanding(text, aspect, topic, words, region_code)


def expansions(word: str) -> tuple[str, ...]:
    """The word, its synonyms (search app) and its everyday alternatives."""
    found = synonyms.expand(word)
    extra = colloquial()[1].get(word, ())
    return tuple(dict.fromkeys((*found, *extra)))


def reset_caches() -> None:
    _region_names.cache_clear()
