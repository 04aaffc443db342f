"""Generated applicant histories for the next-service benchmark (``bench/recommend.py``).

Structure taken from the demo catalogue's life events (``journeys.LIFE_EVENTS``: 生孩子,
开办企业, 退休 …, each an ordered list of items) and its declared item relations
(``journeys.RELATIONS``). An applicant lives through one or two life events (the common
ones more often, Zipf-like); within an event each item is applied for with a
probability that falls along the list (people drop out), neighbours are sometimes done
in the other order, and a few unrelated popular items are applied for in between (what
people do anyway: a 社保卡, a 居住证). Days between applications are random, so a history
is what the process records of one applicant would show. Pure data: no database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from govhall.demo.catalog import journeys


@dataclass(frozen=True)
class Application:
    applicant: str
    item: str  # template key, standing for the item's implementation code
    day: int  # days since the start of the window


def events() -> list[tuple[str, list[str]]]:
    """(life event, its items in order) of the demo catalogue."""
    return [(code, list(keys)) for code, _name, _aud, _desc, _themes, keys in journeys.LIFE_EVENTS]


def declared_follow_ons() -> dict[str, list[str]]:
    """The catalogue's declared follow-on items (后置事项), in declared order."""
    out: dict[str, list[str]] = {}
    for source, kind, target, _note in journeys.RELATIONS:
        if kind == "follow_on":
            out.setdefault(source, []).append(target)
    return out


def all_relations() -> dict[str, list[str]]:
    """Every declared relation read as "next": follow-ons, the items an item is a
    prerequisite of, and related items (both ways)."""
    out: dict[str, list[str]] = {}
    for source, kind, target, _note in journeys.RELATIONS:
        if kind == "follow_on":
            out.setdefault(source, []).append(target)
        elif kind == "prerequisite":
            out.setdefault(target, []).append(source)
        else:
            out.setdefault(source, []).append(target)
            out.setdefault(target, []).append(source)
    return out


def generate(applicants: int, *, seed: int = 1, days: int = 720) -> list[Application]:
    rng = random.Random(f"histories:{seed}")
    life = events()
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(life))]
    order = list(range(len(life)))
    random.Random(f"event-order:{seed}").shuffle(order)
    popular = sorted({key for _code, keys in life for key in keys})
    random.Random(f"popular:{seed}").shuffle(popular)
    popular = popular[:12]
    popular_weights = [1.0 / (rank + 1) for rank in range(len(popular))]
    out: list[Application] = []
    for number in range(applicants):
        applicant = f"a{seed}-{number}"
        chosen = rng.choices(order, weights=weights, k=1 if rng.random() < 0.7 else 2)
        day = rng.randrange(days // 2)
        steps: list[str] = []
        for index in dict.fromkeys(chosen):
            keys = list(life[index][1])
            for i in range(len(keys) - 1):  # neighbours done the other way round
                if rng.random() < 0.15:
                    keys[i], keys[i + 1] = keys[i + 1], keys[i]
            keep = 0.95
            for key in keys:
                if rng.random() < keep:
                    steps.append(key)
                keep *= 0.85
            # unrelated popular items in between
            for _ in range(rng.choices((0, 1, 2), weights=(0.55, 0.3, 0.15))[0]):
                steps.insert(
                    rng.randrange(len(steps) + 1), rng.choices(popular, popular_weights)[0]
                )
        seen = set()
        for key in steps:
            if key in seen:
                continue
            seen.add(key)
            out.append(Application(applicant, key, day))
            day += rng.randint(1, 40)
    return out
