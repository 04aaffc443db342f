"""Scenario navigation: saving an editor's question tree and resolving an applicant's answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from govhall.core.errors import Problem, Refusal, deny
from govhall.regions.models import Post, Region
from govhall.regions.services.scope import scope_of

from ..models import (
    Item,
    LifeEvent,
    Material,
    MaterialSource,
    Scenario,
    ScenarioOption,
    ScenarioOutcome,
    ScenarioQuestion,
)


class ScenarioError(Refusal):
    """The answers do not form a walk through the tree."""


def _shape_problems(doc: Any) -> list[Problem]:
    """Type checks of a scenario document, so malformed input is an error, not a crash."""

    def is_text(value) -> bool:
        return isinstance(value, str) and bool(value.strip())

    def text_list(value) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    if not isinstance(doc, dict):
        return [Problem("non_field_errors", "object", "情形引导文档须为JSON对象。")]
    problems = []
    for key in ("code", "name"):
        if not is_text(doc.get(key)):
            problems.append(Problem(key, "required", f"“{key}”须为非空文字。"))
    questions = doc.get("questions")
    if not isinstance(questions, list):
        return [*problems, Problem("questions", "list", "“questions”须为列表。")]
    for qi, question in enumerate(questions):
        at = f"questions[{qi}]"
        if not isinstance(question, dict):
            problems.append(Problem(at, "object", f"第{qi + 1}个问题须为对象。"))
            continue
        for key in ("code", "text"):
            if not is_text(question.get(key)):
                problems.append(
                    Problem(f"{at}.{key}", "required", f"第{qi + 1}个问题缺少“{key}”。")
                )
        options = question.get("options")
        if not isinstance(options, list):
            problems.append(
                Problem(f"{at}.options", "list", f"第{qi + 1}个问题的“options”须为列表。")
            )
            continue
        for oi, option in enumerate(options):
            where = f"{at}.options[{oi}]"
            if not isinstance(option, dict):
                problems.append(Problem(where, "object", "选项须为对象。"))
                continue
            for key in ("code", "label"):
                if not is_text(option.get(key)):
                    problems.append(Problem(f"{where}.{key}", "required", f"选项缺少“{key}”。"))
            if option.get("next") is not None and not isinstance(option.get("next"), str):
                problems.append(Problem(f"{where}.next", "text", "“next”须为问题编码或null。"))
            outcomes = option.get("outcomes") or []
            if not isinstance(outcomes, list):
                problems.append(Problem(f"{where}.outcomes", "list", "“outcomes”须为列表。"))
                continue
            for ri, outcome in enumerate(outcomes):
                if not isinstance(outcome, dict) or not is_text(outcome.get("item")):
                    problems.append(
                        Problem(f"{where}.outcomes[{ri}]", "object", "结果须为含“item”的对象。")
                    )
                    continue
                for key in ("include_materials", "exclude_materials"):
                    if not text_list(outcome.get(key, [])):
                        problems.append(
                            Problem(
                                f"{where}.outcomes[{ri}].{key}",
                                "list",
                                f"“{key}”须为材料编号列表。",
                            )
                        )
    return problems


@transaction.atomic
def save_scenario(doc: dict[str, Any]) -> Scenario:
    """Create or replace a scenario and its whole tree from a scenario document
    (docs/catalog.md, "Scenario document")."""
    shape = _shape_problems(doc)
    if shape:
        raise Refusal(shape)
    problems: list[Problem] = []
    questions = doc.get("questions") or []
    if not doc.get("code") or not doc.get("name"):
        problems.append(Problem("code", "required", "情形引导必须有编码和名称。"))
    if not questions:
        problems.append(Problem("questions", "required", "情形引导至少要有一个问题。"))
    question_codes = [q.get("code") for q in questions]
    if len(set(question_codes)) != len(question_codes):
        problems.append(Problem("questions", "duplicate_code", "问题编码不能重复。"))
    item_codes = {
        o["item"]
        for q in questions
        for opt in q.get("options") or []
        for o in opt.get("outcomes") or []
    }
    items = {
        i.implementation_code: i for i in Item.objects.filter(implementation_code__in=item_codes)
    }
    for qi, question in enumerate(questions):
        if not question.get("options"):
            problems.append(
                Problem(
                    f"questions[{qi}].options",
                    "required",
                    f"问题“{question.get('text')}”没有选项。",
                )
            )
        for oi, option in enumerate(question.get("options") or []):
            nxt = option.get("next")
            if nxt and nxt not in question_codes:
                problems.append(
                    Problem(
                        f"questions[{qi}].options[{oi}].next",
                        "unknown_question",
                        f"选项“{option.get('label')}”指向的问题“{nxt}”不存在。",
                    )
                )
            elif nxt and question_codes.index(nxt) <= qi:
                problems.append(
                    Problem(
                        f"questions[{qi}].options[{oi}].next",
                        "backward_jump",
                        f"选项“{option.get('label')}”只能指向后面的问题（避免循环）。",
                    )
                )
            for ri, outcome in enumerate(option.get("outcomes") or []):
                if outcome.get("item") not in items:
                    problems.append(
                        Problem(
                            f"questions[{qi}].options[{oi}].outcomes[{ri}].item",
                            "unknown_item",
                            f"选项“{option.get('label')}”引用的事项“{outcome.get('item')}”不存在。",
                        )
                    )
    if problems:
        raise Refusal(problems)
    region = doc.get("region")
    if region and not isinstance(region, Region):
        code, region = str(region), Region.objects.filter(code=str(region)).first()
        if region is None:
            raise Refusal(Problem("region", "unknown_region", f"行政区划“{code}”不存在。"))
    life_event = doc.get("life_event")
    if life_event and not isinstance(life_event, LifeEvent):
        code, life_event = str(life_event), LifeEvent.objects.filter(code=str(life_event)).first()
        if life_event is None:
            raise Refusal(Problem("life_event", "unknown_life_event", f"人生事件“{code}”不存在。"))
    scenario, _ = Scenario.objects.update_or_create(
        code=doc["code"],
        defaults={
            "name": doc["name"],
            "life_event": life_event,
            "region": region,
            "intro": doc.get("intro", ""),
            "is_published": doc.get("is_published", True),
            "sort_order": doc.get("sort_order", 100),
        },
    )
    scenario.questions.all().delete()
    created = {}
    for index, question in enumerate(questions):
        created[question["code"]] = ScenarioQuestion.objects.create(
            scenario=scenario,
            code=question["code"],
            text=question["text"],
            help_text=question.get("help_text", ""),
            sort_order=index,
        )
    for question in questions:
        for index, option in enumerate(question["options"]):
            row = ScenarioOption.objects.create(
                question=created[question["code"]],
                code=option["code"],
                label=option["label"],
                sort_order=index,
                next_question=created.get(option.get("next")) if option.get("next") else None,
            )
            for outcome in option.get("outcomes") or []:
                ScenarioOutcome.objects.create(
                    option=row,
                    item=items[outcome["item"]],
                    include_materials=list(outcome.get("include_materials") or []),
                    exclude_materials=list(outcome.get("exclude_materials") or []),
                )
    return scenario


@dataclass
class ResolvedItem:
    item: Item
    materials: list[Material] = field(default_factory=list)

    @property
    def materials_you_bring(self) -> list[Material]:
        return [m for m in self.materials if m.source == MaterialSource.APPLICANT]

    @property
    def materials_fetched(self) -> list[Material]:
        return [m for m in self.materials if m.source != MaterialSource.APPLICANT]


@dataclass
class ScenarioResult:
    scenario: Scenario
    path: list[tuple[ScenarioQuestion, ScenarioOption]]
    items: list[ResolvedItem]
    complete: bool
    next_question: ScenarioQuestion | None = None


def resolve(scenario: Scenario, answers: dict[str, str]) -> ScenarioResult:
    """Walk the tree with ``answers`` (question code → option code) from the first question.

    Stops at the first unanswered question (``complete`` False, ``next_question`` set) or
    at an option that ends the walk. Answers to questions off the walked path are errors,
    so a tampered link cannot add items.
    """
    questions = {q.code: q for q in scenario.questions.prefetch_related("options__outcomes")}
    question = scenario.first_question
    path: list[tuple[ScenarioQuestion, ScenarioOption]] = []
    visited: set[str] = set()
    while question is not None:
        question = questions[question.code]
        visited.add(question.code)
        chosen = answers.get(question.code)
        if chosen is None:
            break
        option = next((o for o in question.options.all() if o.code == chosen), None)
        if option is None:
            raise ScenarioError(
                Problem(
                    question.code, "unknown_option", f"问题“{question.text}”没有选项“{chosen}”。"
                )
            )
        path.append((question, option))
        question = option.next_question
    stray = sorted(set(answers) - visited)
    if stray:
        raise ScenarioError(
            Problem(stray[0], "not_on_path", "所答问题不在当前的回答路径上，请从头重新回答。")
        )
    return ScenarioResult(
        scenario=scenario,
        path=path,
        items=_outcome_items(path),
        complete=question is None,
        next_question=question,
    )


def _outcome_items(path) -> list[ResolvedItem]:
    order: list[int] = []
    include: dict[int, set[str]] = {}
    exclude: dict[int, set[str]] = {}
    for _, option in path:
        for outcome in option.outcomes.all():
            if outcome.item_id not in include:
                order.append(outcome.item_id)
                include[outcome.item_id], exclude[outcome.item_id] = set(), set()
            include[outcome.item_id].update(outcome.include_materials)
            exclude[outcome.item_id].update(outcome.exclude_materials)
    items = Item.objects.published().select_related("current", "department").in_bulk(order)
    result = []
    for item_id in order:
        item = items.get(item_id)
        if item is None:
            continue  # suspended or cancelled since the tree was written
        materials = [
            m
            for m in item.current.materials.all()
            if (not m.condition or m.code in include[item_id]) and m.code not in exclude[item_id]
        ]
        result.append(ResolvedItem(item, materials))
    return result


def scenario_document(scenario: Scenario) -> dict[str, Any]:
    """A stored tree back in the document shape ``save_scenario`` takes (for editing)."""
    questions = []
    for question in scenario.questions.prefetch_related("options__outcomes__item").order_by(
        "sort_order", "pk"
    ):
        options = []
        for option in question.options.order_by("sort_order", "pk"):
            options.append(
                {
                    "code": option.code,
                    "label": option.label,
                    "next": option.next_question.code if option.next_question_id else None,
                    "outcomes": [
                        {
                            "item": o.item.implementation_code,
                            "include_materials": list(o.include_materials),
                            "exclude_materials": list(o.exclude_materials),
                        }
                        for o in option.outcomes.order_by("pk")
                    ],
                }
            )
        questions.append(
            {
                "code": question.code,
                "text": question.text,
                "help_text": question.help_text,
                "options": options,
            }
        )
    return {
        "code": scenario.code,
        "name": scenario.name,
        "life_event": scenario.life_event.code if scenario.life_event_id else None,
        "region": scenario.region_id,
        "intro": scenario.intro,
        "is_published": scenario.is_published,
        "sort_order": scenario.sort_order,
        "questions": questions,
    }


def can_maintain(user, region_code: str | None) -> bool:
    """Scenario trees are kept by the catalogue reviewers (编办) of their region."""
    if user is None:
        return True
    scope = scope_of(user)
    if scope.is_superuser:
        return True
    region_code = region_code or settings.GOVHALL_PROVINCE_CODE
    return any(
        held.post == Post.CATALOGUE_REVIEWER and held.region_code == region_code
        for held in scope.posts
    )


def save_scenario_as(user, doc: dict[str, Any]) -> Scenario:
    """``save_scenario`` for a staff user: only the reviewers of the tree's region."""
    shape = _shape_problems(doc)
    if shape:
        raise Refusal(shape)
    region = doc.get("region")
    if region and not Region.objects.filter(code=str(region)).exists():
        raise Refusal(Problem("region", "unknown_region", f"行政区划“{region}”不存在。"))
    existing = Scenario.objects.filter(code=doc.get("code")).first()
    for code in {region, existing.region_id if existing else region}:
        if not can_maintain(user, code):
            raise deny("只有该情形引导所属区划的事项审查人员可以维护它。")
    return save_scenario(doc)
