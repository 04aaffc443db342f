"""JSON of the two pages (docs/api.md, "Spaces (§7)")."""

from __future__ import annotations

from rest_framework import serializers

from govhall.cases.services import timeline


class StageOut(serializers.Serializer):
    name = serializers.CharField()
    state = serializers.CharField(help_text="done / current / pending")
    date = serializers.DateField(allow_null=True)
    expected_date = serializers.DateField(allow_null=True)
    department = serializers.CharField()
    since = serializers.DateField(allow_null=True, help_text="当前环节的开始日期")
    time_limit_days = serializers.IntegerField(allow_null=True)


class TodoOut(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField()


class SpaceCaseOut(serializers.Serializer):
    case_number = serializers.CharField()
    item_name = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    department = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    due_date = serializers.DateField(allow_null=True, help_text="承诺办结日期")
    statutory_due = serializers.DateField(allow_null=True, help_text="法定办结期限")
    current_stage = StageOut(allow_null=True)
    next_stage = StageOut(allow_null=True)
    clock_stopped_reason = serializers.CharField(allow_blank=True)
    stages = StageOut(many=True)
    todo = TodoOut(many=True, help_text="需要申请人做的事：补正、缴费、评价、复核、领取")
    licence_number = serializers.CharField(allow_blank=True, help_text="办结出证的证照编号")


class SpaceLicenceOut(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    number = serializers.CharField()
    state = serializers.CharField()
    valid_until = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)


class SpaceMaterialOut(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class SpaceMessageOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    read = serializers.BooleanField()


class SpaceReminderOut(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    link = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class SpacePushOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="service / renewal / policy / next_service")
    title = serializers.CharField()
    body = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(help_text="推送理由，如“因为您的…将于…到期”")
    link = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    opened_at = serializers.DateTimeField(allow_null=True)


def push_payload(p) -> dict:
    return {
        "id": p.pk,
        "kind": p.kind,
        "title": p.title,
        "body": p.body,
        "reason": p.reason,
        "link": p.link,
        "created_at": p.created_at,
        "opened_at": p.opened_at,
    }


class SpaceAgentOut(serializers.Serializer):
    name = serializers.CharField()
    powers = serializers.ListField(child=serializers.CharField())
    valid_until = serializers.DateField()


class SpaceOut(serializers.Serializer):
    kind = serializers.CharField(help_text="person 市民个人网页 / company 企业专属网页")
    title = serializers.CharField()
    open_cases = SpaceCaseOut(many=True)
    recent_cases = SpaceCaseOut(many=True)
    licences = SpaceLicenceOut(many=True)
    materials = SpaceMaterialOut(many=True)
    drafts = serializers.ListField(child=serializers.DictField())
    messages = SpaceMessageOut(many=True)
    unread = serializers.IntegerField()
    reminders = SpaceReminderOut(many=True)
    pushes = SpacePushOut(many=True)
    agents = SpaceAgentOut(many=True)


def _stage(stage: timeline.Stage | None) -> dict | None:
    if stage is None:
        return None
    return {
        "name": stage.name,
        "state": stage.state,
        "date": stage.date,
        "expected_date": stage.expected_date,
        "department": stage.department,
        "since": stage.since,
        "time_limit_days": stage.time_limit_days,
    }


def _case(card) -> dict:
    case = card.case
    return {
        "case_number": case.number,
        "item_name": case.item_name,
        "state": case.state,
        "state_label": case.get_state_display(),
        "department": case.department.name,
        "submitted_at": case.submitted_at,
        "due_date": case.due_date,
        "statutory_due": case.statutory_due,
        "current_stage": _stage(card.current),
        "next_stage": _stage(card.next),
        "clock_stopped_reason": card.timeline.clock_stopped_reason,
        "stages": [_stage(s) for s in card.timeline.stages],
        "todo": [{"label": label, "url": url} for label, url in card.todo],
        "licence_number": card.licence.number if card.licence else "",
    }


def space_payload(space) -> dict:
    return {
        "kind": space.kind,
        "title": space.title,
        "open_cases": [_case(c) for c in space.open_cases],
        "recent_cases": [_case(c) for c in space.recent_cases],
        "licences": [
            {
                "id": row.licence.pk,
                "type": row.licence.type.name,
                "number": row.licence.number,
                "state": row.licence.state,
                "valid_until": row.valid_until,
                "days_left": row.days_left,
            }
            for row in space.licences
        ],
        "materials": [
            {"id": m.public_id, "title": m.title, "uploaded_at": m.created_at}
            for m in space.materials
        ],
        "drafts": [
            {
                "id": str(d.public_id),
                "name": d.item.name if d.item_id else d.bundle.name,
                "updated_at": d.updated_at.isoformat(),
            }
            for d in space.drafts
        ],
        "messages": [
            {
                "id": n.pk,
                "title": n.title,
                "body": n.body,
                "created_at": n.created_at,
                "read": n.read_at is not None,
            }
            for n in space.messages
        ],
        "unread": space.unread,
        "reminders": [
            {
                "kind": r.kind,
                "title": r.title,
                "due_date": r.due_date,
                "link": r.link,
                "created_at": r.created_at,
            }
            for r in space.reminders
        ],
        "pushes": [push_payload(p) for p in space.pushes],
        "agents": [
            {"name": g.agent.name, "powers": g.power_labels, "valid_until": g.valid_until}
            for g in space.agents
        ],
    }


class PreferenceIn(serializers.Serializer):
    reminders = serializers.BooleanField(help_text="接收办事温馨提醒")
    sms = serializers.BooleanField(help_text="提醒和推送同时以短信发送")
    pushes_off = serializers.ListField(
        child=serializers.CharField(),
        help_text="不再接收的推送类别：service / renewal / policy / next_service",
    )
    themes = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="订阅的政策资讯主题（服务主题编码，如 c04）；省略则不变",
    )


class PreferenceOut(PreferenceIn):
    themes = serializers.ListField(child=serializers.CharField(), help_text="订阅的政策资讯主题")


class DataReadOut(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    source = serializers.CharField(
        help_text="case / material / licence / sharing / oidc / export / counter"
    )
    source_label = serializers.CharField()
    department = serializers.CharField(allow_blank=True)
    reader = serializers.CharField(allow_blank=True)
    client = serializers.CharField(allow_blank=True)
    purpose = serializers.CharField()
    case_number = serializers.CharField(allow_blank=True)
    fields = serializers.ListField(child=serializers.CharField())
    disputed = serializers.BooleanField()


def data_read_payload(read) -> dict:
    return {
        "id": read.pk,
        "at": read.at,
        "source": read.source,
        "source_label": read.get_source_display(),
        "department": read.reader_department.name if read.reader_department else "",
        "reader": read.reader_name,
        "client": read.reader_client,
        "purpose": read.purpose,
        "case_number": read.case_number,
        "fields": read.fields,
        "disputed": hasattr(read, "dispute"),
    }


class DisputeIn(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="异议理由")


class DisputeOut(serializers.Serializer):
    read = serializers.IntegerField()
    state = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class CityIndicatorOut(serializers.Serializer):
    region = serializers.CharField()
    name = serializers.CharField()
    persons_opened = serializers.IntegerField(help_text="截至月末已开通个人网页的人数")
    persons_using = serializers.IntegerField(help_text="当月使用个人网页的人数")
    residents_20_49 = serializers.IntegerField(allow_null=True, help_text="20–49周岁人口（基数）")
    person_opening_rate = serializers.FloatField(allow_null=True, help_text="%")
    person_usage_rate = serializers.FloatField(allow_null=True, help_text="%")
    companies_opened = serializers.IntegerField()
    companies_using = serializers.IntegerField()
    registered_companies = serializers.IntegerField(allow_null=True, help_text="企业总数（基数）")
    company_opening_rate = serializers.FloatField(allow_null=True, help_text="%")
    company_usage_rate = serializers.FloatField(allow_null=True, help_text="%")


class SpaceIndicatorsOut(serializers.Serializer):
    period = serializers.CharField()
    results = CityIndicatorOut(many=True)
