"""A case's process records as a readable table: each payload field under a Chinese
label, nested blocks flattened (``申请人 · 联系电话``), and personal data masked — the
applicant's name and phone, any ID number in any text, and the blind index is never
shown at all (it is a key for matching, not something to read)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govhall.accounts.models.identity import mask_mobile
from govhall.core.identifiers import mask_id_number
from govhall.core.logging import mask_text
from govhall.licences.models.licences import mask_name
from govhall.records import events
from govhall.records.models import MessageType, ProcessRecord

LABELS = {
    "format": gettext_lazy("格式版本"),
    "record_id": gettext_lazy("记录标识"),
    "case_number": gettext_lazy("办件编号"),
    "implementation_code": gettext_lazy("实施编码"),
    "item_name": gettext_lazy("事项名称"),
    "case_type": gettext_lazy("办件类型"),
    "channel": gettext_lazy("申办渠道"),
    "message_type": gettext_lazy("信息类型"),
    "event": gettext_lazy("事件"),
    "occurred_at": gettext_lazy("发生时间"),
    "department": gettext_lazy("部门"),
    "code": gettext_lazy("代码"),
    "name": gettext_lazy("名称"),
    "region_code": gettext_lazy("区划代码"),
    "state": gettext_lazy("办件状态"),
    "visits": gettext_lazy("到现场次数"),
    "promised_due": gettext_lazy("承诺办结日期"),
    "statutory_due": gettext_lazy("法定办结日期"),
    "bundle_number": gettext_lazy("“一件事”办件编号"),
    "applicant": gettext_lazy("申请人"),
    "kind": gettext_lazy("类别"),
    "id_type": gettext_lazy("证件类型"),
    "id_key": gettext_lazy("证件号码盲索引"),
    "contact_phone": gettext_lazy("联系电话"),
    "details": gettext_lazy("详情"),
    "materials": gettext_lazy("材料"),
    "bundle": gettext_lazy("“一件事”"),
    "opinion": gettext_lazy("意见"),
    "reason": gettext_lazy("理由"),
    "result": gettext_lazy("结果"),
    "note": gettext_lazy("备注"),
    "handler": gettext_lazy("经办人"),
    "step": gettext_lazy("环节"),
    "score": gettext_lazy("评分"),
}
CASE_TYPES = {"1": gettext_lazy("即办件"), "2": gettext_lazy("承诺件")}
STATES = {
    "submitted": gettext_lazy("已提交"),
    "awaiting_correction": gettext_lazy("待补正"),
    "in_progress": gettext_lazy("办理中"),
    "suspended": gettext_lazy("暂停计时"),
    "decided": gettext_lazy("已决定"),
    "concluded": gettext_lazy("已办结"),
    "rejected": gettext_lazy("不予受理"),
    "withdrawn": gettext_lazy("已撤回"),
}
APPLICANT_KINDS = {"person": gettext_lazy("个人"), "company": gettext_lazy("法人")}
ID_TYPES = {"111": gettext_lazy("居民身份证"), "001": gettext_lazy("统一社会信用代码")}
PHONE_KEYS = {"contact_phone", "phone", "mobile"}
ID_KEYS = {"id_number", "id_no"}
HIDDEN_KEYS = {"id_key"}


# The channel codes of the process-record format (exchange schema ``channel``).
CHANNELS = {
    "online": gettext_lazy("网上办事大厅"),
    "mobile": gettext_lazy("移动端"),
    "counter": gettext_lazy("实体大厅窗口"),
    "kiosk": gettext_lazy("自助终端"),
    "third_party": gettext_lazy("第三方渠道"),
}


def channel_label(value: str) -> str:
    return str(CHANNELS.get(value, value or "—"))


def event_label(value: str) -> str:
    return events.label(value)


def message_type_label(value: str) -> str:
    return str(dict(MessageType.choices).get(value, value))


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True)
class Row:
    record: ProcessRecord
    fields: list[Field]

    @property
    def message_type(self) -> str:
        return message_type_label(self.record.message_type)

    @property
    def event(self) -> str:
        return event_label(self.record.event)

    @property
    def channel(self) -> str:
        return channel_label(self.record.channel)


def _label(path: list[str]) -> str:
    return " · ".join(str(LABELS.get(part, part)) for part in path)


def _shown(key: str, value, path: list[str], kind: str) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    if isinstance(value, list):
        return "、".join(_shown(key, v, path, kind) for v in value) or "—"
    if isinstance(value, dict):
        return mask_text(", ".join(f"{k}: {v}" for k, v in value.items()))
    text = str(value)
    in_applicant = path[:1] == ["applicant"]
    if key in PHONE_KEYS:
        return mask_mobile(text)
    if key in ID_KEYS:
        return mask_id_number(text)
    if key == "name" and in_applicant:
        return text if kind == "company" else mask_name(text)
    if key == "kind" and in_applicant:
        return str(APPLICANT_KINDS.get(text, text))
    labels = {
        "channel": channel_label,
        "event": event_label,
        "message_type": message_type_label,
        "case_type": lambda v: str(CASE_TYPES.get(v, v)),
        "state": lambda v: str(STATES.get(v, v)),
        "id_type": lambda v: str(ID_TYPES.get(v, v)),
    }
    if key in labels:
        return labels[key](text)
    return mask_text(text)


def flatten(payload: dict, path: list[str] | None = None, kind: str = "person") -> list[Field]:
    """Every field of a payload, nested blocks flattened; ``kind`` is the applicant's
    (a person's name is masked, a company's is public)."""
    path = path or []
    fields = []
    for key, value in payload.items():
        here = [*path, key]
        if key in HIDDEN_KEYS:
            fields.append(Field(_label(here), _("（不显示）")))
        elif isinstance(value, dict) and value:
            fields.extend(flatten(value, here, kind))
        else:
            fields.append(Field(_label(here), _shown(key, value, here, kind)))
    return fields


def rows_of(records: list[ProcessRecord]) -> list[Row]:
    rows = []
    for record in records:
        payload = dict(record.payload or {})
        applicant = payload.get("applicant")
        kind = applicant.get("kind", "person") if isinstance(applicant, dict) else "person"
        rows.append(Row(record, flatten(payload, kind=kind)))
    return rows
