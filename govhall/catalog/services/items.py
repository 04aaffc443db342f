"""Creating items, editing drafts, catalogue confirmation and loading documents in bulk."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from govhall.core import context
from govhall.core.errors import PERMISSION_DENIED, Problem, Refusal
from govhall.core.services import audit
from govhall.regions.models import Department

from ..models import BasicItem, ChangeType, Item, ItemVersion, ReviewRecord
from . import codes, documents, permissions, rules, workflow

OPEN_STATES = (
    ItemVersion.State.DRAFT,
    ItemVersion.State.SUBMITTED,
    ItemVersion.State.REVIEWED,
)


def actor_label(actor) -> str:
    return actor.get_username() if actor is not None else "system"


def _department(value: Department | str, field: str = "department") -> Department:
    if isinstance(value, Department):
        return value
    department = Department.objects.select_related("region").filter(credit_code=value).first()
    if department is None:
        raise Refusal(
            Problem(field, "unknown_department", f"实施主体统一社会信用代码“{value}”不存在。")
        )
    return department


def _basic_item(
    item_type: str, basic_code: str | None, name: str, parent: Item | None
) -> BasicItem:
    """The basic catalogue entry to implement: an existing code, or a newly generated one."""
    if item_type not in dict(codes.ItemType.choices):
        raise Refusal(Problem("item_type", "choice", f"事项类型“{item_type}”无效。"))
    if not basic_code:
        return _new_basic_item(item_type, name, parent)
    parsed = codes.parse_basic_code(basic_code)
    if parsed.item_type != item_type:
        raise Refusal(
            Problem(
                "basic_code",
                "basic_code_type_mismatch",
                f"基本编码“{basic_code}”的类型字母“{parsed.item_type}”与事项类型“{item_type}”不一致。",
            )
        )
    if parent is not None and (not parsed.is_sub_item or parsed.main_code != parent.basic_code):
        raise Refusal(
            Problem(
                "basic_code",
                "sub_item_code",
                f"子项的基本编码须为主项“{parent.basic_code}”的前7位加非000的子项号，"
                f"“{basic_code}”不符。",
            )
        )
    if parent is None and parsed.is_sub_item:
        raise Refusal(
            Problem(
                "parent",
                "sub_item_needs_parent",
                f"基本编码“{basic_code}”是子项编码，必须指定所属主项。",
            )
        )
    basic, _ = BasicItem.objects.get_or_create(
        code=basic_code, defaults={"name": name, "item_type": item_type}
    )
    return basic


def _new_basic_item(item_type: str, name: str, parent: Item | None, attempts: int = 5):
    """Generate the next free code; a concurrent writer taking it first means try the next."""
    for _attempt in range(attempts):
        code = codes.next_basic_code(item_type, parent.basic_code if parent else None)
        try:
            with transaction.atomic():
                return BasicItem.objects.create(code=code, name=name, item_type=item_type)
        except IntegrityError:
            continue
    raise Refusal(Problem("basic_code", "code_contention", "生成基本编码时发生冲突，请稍后重试。"))


def _new_item(department, basic, item_type: str, parent, name: str, actor) -> Item:
    """``department``'s implementation of ``basic``: its implementation code, region and
    exercise level follow from the department."""
    return Item.objects.create(
        implementation_code=codes.implementation_code(department, basic.code),
        basic_item=basic,
        basic_code=basic.code,
        item_type=item_type,
        department=department,
        region=department.region,
        exercise_level=codes.exercise_level_for(department.region),
        parent=parent,
        name=name,
        created_by=actor,
    )


@transaction.atomic
def create_item(
    *,
    department: Department | str,
    name: str,
    item_type: str,
    basic_code: str | None = None,
    parent: Item | str | None = None,
    content: dict[str, Any] | None = None,
    actor=None,
    change_type: str = ChangeType.NEW,
    change_summary: str = "",
    source_items: list[Item] = (),
) -> Item:
    """Enter a new item in the catalogue with its first draft version."""
    department = _department(department)
    permissions.require_edit(actor, department)
    if isinstance(parent, str):
        parent = Item.objects.filter(implementation_code=parent).first() or _missing_parent(parent)
    if parent is not None and (parent.department_id != department.pk or parent.is_sub_item):
        raise Refusal(Problem("parent", "parent_scope", "主项必须是同一部门的主项（不能是子项）。"))
    raw = dict(content or {})
    raw.update(name=name, change_type=change_type, change_summary=change_summary)
    # A bare catalogue entry starts as an instant, information-only guide to be filled in.
    for key, default in (("promised_limit_days", 0), ("case_type", "1"), ("depth", 1)):
        if raw.get(key) in (None, ""):
            raw[key] = default
    doc = documents.clean_or_raise(raw)
    problems = rules.consistency(doc, item_type)
    if problems:
        raise Refusal(problems)
    try:
        with transaction.atomic():
            basic = _basic_item(item_type, basic_code, doc["name"], parent)
            item = _new_item(department, basic, item_type, parent, doc["name"], actor)
    except IntegrityError:
        raise Refusal(
            Problem(
                "basic_code",
                "duplicate_item",
                f"“{department.name}”已实施基本编码为“{basic_code or ''}”的事项，不能重复录入。",
            )
        ) from None
    version = ItemVersion(item=item, number=1, created_by=actor)
    documents.write_content(version, doc)
    version.source_items.set(source_items)
    _record(version, ReviewRecord.Action.CREATE, actor)
    return item


def _missing_parent(code: str):
    raise Refusal(Problem("parent", "unknown_item", f"主项“{code}”不存在。"))


def _record(version: ItemVersion, action: str, actor, comment: str = "", **checks) -> ReviewRecord:
    return ReviewRecord.objects.create(
        version=version,
        action=action,
        actor=actor,
        actor_label=actor_label(actor),
        comment=comment,
        **checks,
    )


@transaction.atomic
def save_draft(version: ItemVersion, raw: dict[str, Any], actor=None) -> ItemVersion:
    """Replace a draft's content; consistency rules must hold (completeness only at submit)."""
    version = (
        ItemVersion.objects.select_for_update()
        .select_related("item__department")
        .get(pk=version.pk)
    )
    permissions.require_edit(actor, version.item.department)
    if not version.is_editable:
        raise Refusal(
            Problem(
                "state",
                "not_editable",
                f"第{version.number}版当前状态为“{version.get_state_display()}”，不能修改；"
                "请基于它新建版本。",
            )
        )
    raw = {**raw, "implementation_code": version.item.implementation_code}
    raw["change_type"] = version.change_type  # fixed when the draft was started
    raw.setdefault("change_summary", version.change_summary)
    doc = documents.clean_or_raise(raw)
    problems = rules.consistency(doc, version.item.item_type)
    if problems:
        raise Refusal(problems)
    before = documents.content_document(version)
    documents.write_content(version, doc)
    changed = [c.label for c in documents.diff(before, doc)]
    audit.record(
        audit.Action.UPDATE,
        instance=version,
        after={"changed": changed},
        reason="保存事项草稿内容",
    )
    if version.item.current_id is None:
        Item.objects.filter(pk=version.item_id).update(name=doc["name"])
    return version


@transaction.atomic
def new_draft(
    item: Item,
    actor=None,
    *,
    change_type: str = ChangeType.CHANGE,
    change_summary: str = "",
    based_on: ItemVersion | None = None,
) -> ItemVersion:
    """Start the next version, copying the published one (or a returned one being fixed)."""
    item = Item.objects.select_for_update().select_related("department").get(pk=item.pk)
    permissions.require_edit(actor, item.department)
    open_version = item.versions.filter(state__in=OPEN_STATES).first()
    if open_version is not None:
        raise Refusal(
            Problem(
                "version",
                "open_version_exists",
                f"该事项已有未完成的第{open_version.number}版（{open_version.get_state_display()}），"
                "请先完成或作废它。",
            )
        )
    if item.status == Item.Status.CANCELLED:
        raise Refusal(Problem("status", "cancelled", "该事项已取消，不能再变更。"))
    latest = item.versions.order_by("-number").first()
    source = based_on or (
        latest if latest and latest.state == ItemVersion.State.RETURNED else item.current or latest
    )
    doc = documents.content_document(source)
    if source.state == ItemVersion.State.RETURNED:
        # Fixing a returned version continues the same change.
        change_type = source.change_type
        change_summary = change_summary or source.change_summary
    doc.update(change_type=change_type, change_summary=change_summary)
    version = ItemVersion(
        item=item, number=(latest.number if latest else 0) + 1, created_by=actor, based_on=source
    )
    documents.write_content(version, doc)
    version.source_items.set(source.source_items.all())
    _record(version, ReviewRecord.Action.CREATE, actor, comment=f"基于第{source.number}版")
    return version


@transaction.atomic
def request_change(item: Item, change_type: str, reason: str, actor=None) -> ItemVersion:
    """Suspension or cancellation is a version too, so it is reviewed before it takes effect."""
    if change_type in (ChangeType.SUSPEND, ChangeType.CANCEL) and not reason.strip():
        raise Refusal(Problem("change_summary", "required", "暂停或取消事项必须说明原因。"))
    if item.current_id is None:
        raise Refusal(Problem("status", "not_published", "尚未发布的事项不能暂停或取消。"))
    return new_draft(item, actor, change_type=change_type, change_summary=reason)


@transaction.atomic
def split_item(item: Item, parts: list[dict[str, Any]], reason: str, actor=None) -> list[Item]:
    """拆分: new items (drafts) take over from ``item``; publishing the first cancels it."""
    if len(parts) < 2:
        raise Refusal(Problem("parts", "min_parts", "拆分至少要产生两个事项。"))
    if not reason.strip():
        raise Refusal(Problem("change_summary", "required", "拆分事项必须说明原因。"))
    base = documents.content_document(item.current or item.latest_version)
    created = []
    for part in parts:
        content = {**base, **part.get("content", {}), "relations": []}
        created.append(
            create_item(
                department=item.department,
                name=part["name"],
                item_type=part.get("item_type", item.item_type),
                basic_code=part.get("basic_code"),
                content=content,
                actor=actor,
                change_type=ChangeType.SPLIT,
                change_summary=reason,
                source_items=[item],
            )
        )
    return created


@transaction.atomic
def merge_items(
    items: list[Item], *, name: str, reason: str, actor=None, basic_code: str | None = None
) -> Item:
    """合并: one new item (draft) replaces several; publishing it cancels the sources."""
    if len(items) < 2:
        raise Refusal(Problem("items", "min_items", "合并至少需要两个事项。"))
    if len({i.department_id for i in items}) != 1:
        raise Refusal(Problem("items", "same_department", "只能合并同一部门的事项。"))
    if not reason.strip():
        raise Refusal(Problem("change_summary", "required", "合并事项必须说明原因。"))
    first = items[0]
    content = documents.content_document(first.current or first.latest_version)
    content["relations"] = []
    return create_item(
        department=first.department,
        name=name,
        item_type=first.item_type,
        basic_code=basic_code,
        content=content,
        actor=actor,
        change_type=ChangeType.MERGE,
        change_summary=reason,
        source_items=items,
    )


@transaction.atomic
def confirm_catalogue(items: list[Item], actor=None) -> int:
    """目录确认: the department confirms these entries are its catalogue
    (潮府办函〔2017〕135号 task 2)."""
    now = timezone.now()
    count = 0
    for item in items:
        permissions.require_edit(actor, item.department)
        if item.confirmed_at is None:
            item.confirmed_at, item.confirmed_by = now, actor
            item.save(update_fields=["confirmed_at", "confirmed_by"])
            count += 1
    return count


# --- bulk loading (demo data, Excel import) ---------------------------------------------


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
        }


class LoadError(Refusal):
    """Problems of a bulk load, each tied to the index of the document it came from."""

    def __init__(self, by_doc: list[tuple[int, Problem]]):
        self.by_doc = by_doc
        super().__init__([p for _, p in by_doc])


def load_document(doc: dict[str, Any], **kwargs) -> Item:
    report = load_documents([doc], **kwargs)
    code = (report.created or report.updated or report.unchanged)[0]
    return Item.objects.get(implementation_code=code)


def load_documents(
    raw_docs: list[dict[str, Any]], *, publish: bool = True, actor=None, reason: str = ""
) -> LoadReport:
    """Create or update items from documents, all or nothing (idempotent on unchanged ones).

    With ``publish`` the new versions take effect at once (system loads and imports by
    authorised staff, recorded as such); otherwise they are left submitted for review.
    """
    report = LoadReport()
    problems: list[tuple[int, Problem]] = []
    with transaction.atomic(), context.acting(reason=reason or "批量载入事项"):
        prepared = _prepare(raw_docs, actor, problems)
        currents = documents.with_content(
            ItemVersion.objects.filter(
                pk__in=[i.current_id for _, _, i in prepared if i.current_id]
            )
        ).in_bulk()
        for index, doc, item in prepared:
            try:
                with transaction.atomic():
                    _load_one(
                        doc,
                        item,
                        publish=publish,
                        actor=actor,
                        report=report,
                        current=currents.get(item.current_id),
                    )
            except Refusal as exc:
                problems.extend((index, p) for p in _load_problems(exc))
        if problems:
            raise LoadError(sorted(problems, key=lambda pair: pair[0]))
        if report.created or report.updated:  # a load that changed nothing is no change
            audit.record(
                audit.Action.IMPORT,
                object_type="catalog.item",
                object_repr="服务事项",
                after=report.as_dict(),
                reason=reason or "批量载入事项",
            )
    return report


def _load_problems(exc: Refusal) -> list[Problem]:
    """A document's problems; a scope refusal names the department it is about."""
    return [
        Problem("department", "scope", p.message) if p.code == PERMISSION_DENIED else p
        for p in exc.problems
    ]


def _prepare(raw_docs, actor, problems) -> list[tuple[int, dict, Item]]:
    """Normalise every document and make sure each one's item exists (parents first)."""
    cleaned = []
    for index, raw in enumerate(raw_docs):
        doc, found = documents.normalize(raw)
        if not doc.get("department"):
            found.append(Problem("department", "required", "必须填写实施主体统一社会信用代码。"))
        if not doc.get("item_type") and not doc.get("basic_code"):
            found.append(Problem("item_type", "required", "必须填写事项类型或基本编码。"))
        department = doc.get("department")
        if department and not Department.objects.filter(credit_code=department).exists():
            found.append(
                Problem(
                    "department",
                    "unknown_department",
                    f"实施主体统一社会信用代码“{department}”不存在。",
                )
            )
        if found:
            problems.extend((index, p) for p in found)
        else:
            cleaned.append((index, doc))
    # Main items before sub-items, so parents exist when sub-items are created.
    cleaned.sort(key=lambda pair: bool(pair[1].get("parent")))
    prepared = []
    for index, doc in cleaned:
        try:
            with transaction.atomic():
                prepared.append((index, doc, _ensure_item(doc, actor)))
        except Refusal as exc:
            problems.extend((index, p) for p in _load_problems(exc))
    return prepared


def _ensure_item(doc: dict[str, Any], actor) -> Item:
    department = _department(doc["department"])
    permissions.require_edit(actor, department)
    item_type = doc.get("item_type") or doc["basic_code"][:2]
    basic_code = doc.get("basic_code")
    if doc.get("implementation_code"):
        problems = codes.check_implementation_code(doc["implementation_code"])
        if problems:
            raise Refusal(problems)
    if basic_code:
        item = Item.objects.filter(department=department, basic_code=basic_code).first()
    else:
        item = Item.objects.filter(department=department, name=doc["name"]).first()
    if item is not None:
        if (
            doc.get("implementation_code")
            and doc["implementation_code"] != item.implementation_code
        ):
            raise Refusal(
                Problem(
                    "implementation_code",
                    "code_mismatch",
                    f"实施编码“{doc['implementation_code']}”与实施主体和基本编码推算出的"
                    f"“{item.implementation_code}”不一致。",
                )
            )
        return item
    parent = None
    if doc.get("parent"):
        parent = Item.objects.filter(implementation_code=doc["parent"]).first()
        if parent is None:
            raise Refusal(Problem("parent", "unknown_item", f"主项“{doc['parent']}”不存在。"))
    basic = _basic_item(item_type, basic_code, doc["name"], parent)
    implementation = codes.implementation_code(department, basic.code)
    if doc.get("implementation_code") and doc["implementation_code"] != implementation:
        raise Refusal(
            Problem(
                "implementation_code",
                "code_mismatch",
                f"实施编码“{doc['implementation_code']}”与实施主体和基本编码推算出的"
                f"“{implementation}”不一致。",
            )
        )
    return _new_item(department, basic, basic.item_type, parent, doc["name"], actor)


def _load_one(
    doc, item: Item, *, publish: bool, actor, report: LoadReport, current: ItemVersion | None
) -> None:
    doc = {**doc, "implementation_code": item.implementation_code}
    problems = rules.check(doc, item.item_type, complete=True)
    if problems:
        raise Refusal(problems)
    latest = item.versions.order_by("-number").first()
    if latest is not None:
        if latest.state in OPEN_STATES:
            raise Refusal(
                Problem(
                    "version",
                    "open_version_exists",
                    f"事项“{item.name}”已有未完成的第{latest.number}版（{latest.get_state_display()}），"
                    "不能导入覆盖。",
                )
            )
        if current is not None and documents.same_content(documents.content_document(current), doc):
            report.unchanged.append(item.implementation_code)
            return
    is_new = item.current_id is None
    if not is_new and doc.get("change_type") == ChangeType.NEW:
        doc["change_type"] = ChangeType.CHANGE
    version = ItemVersion(
        item=item,
        number=(latest.number if latest else 0) + 1,
        created_by=actor,
        based_on=item.current,
    )
    documents.write_content(version, doc)
    (report.created if is_new else report.updated).append(item.implementation_code)
    if publish:
        workflow.publish_directly(version, actor, comment="批量导入，直接发布")
    else:
        _record(version, ReviewRecord.Action.IMPORT, actor, comment="批量导入")
        workflow.submit(version, actor)
