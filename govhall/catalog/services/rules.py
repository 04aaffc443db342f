"""Consistency and completeness rules of an item document (GB/T 39046-2020; docs/catalog.md).

Consistency rules catch contradictions and hold for every save, drafts included: a
draft may be unfinished but never self-contradictory. Completeness rules say what a
guide must contain before it can be submitted for review. Each problem names the
document field and the rule in Chinese, so the UI, the API and the Excel import all
say the same thing.
"""

from __future__ import annotations

from typing import Any

from govhall.core.errors import Problem

from ..models import Theme
from ..models.choices import COMPANY_CODES, CaseType, Depth, ItemType, MaterialMedia, MaterialSource


def consistency(doc: dict[str, Any], item_type: str | None = None) -> list[Problem]:
    p: list[Problem] = []
    promised = doc.get("promised_limit_days")
    statutory = doc.get("statutory_limit_days")
    case_type = doc.get("case_type")
    visits = doc.get("visits") or 0
    depth = doc.get("depth")
    channels = set(doc.get("channels") or [])

    # 承诺时限“即办” ⇔ 即办件
    if promised == 0 and case_type == CaseType.PROMISED:
        p.append(
            Problem(
                "case_type",
                "instant_limit_needs_instant_case",
                "承诺办结时限为即办（0个工作日）时，办件类型必须为“即办件”。",
            )
        )
    if promised not in (None, 0) and case_type == CaseType.INSTANT:
        p.append(
            Problem(
                "promised_limit_days",
                "instant_case_needs_instant_limit",
                "办件类型为“即办件”时，承诺办结时限必须为即办（0个工作日）。",
            )
        )
    # 承诺时限 ≤ 法定时限
    if promised is not None and statutory is not None and promised > statutory:
        p.append(
            Problem(
                "promised_limit_days",
                "promised_exceeds_statutory",
                f"承诺办结时限（{promised}个工作日）不能超过法定办结时限（{statutory}个工作日）。",
            )
        )
    # 环节时限之和 ≤ 承诺时限
    steps = doc.get("steps") or []
    total = sum(s.get("time_limit_days") or 0 for s in steps)
    if promised is not None and steps and total > promised:
        p.append(
            Problem(
                "steps",
                "steps_exceed_promised",
                f"各办理环节时限之和（{total}个工作日）不能超过承诺办结时限（{promised}个工作日）。",
            )
        )
    # 到现场次数 > 0 须说明原因
    if visits > 0 and not doc.get("visits_reason"):
        p.append(
            Problem(
                "visits_reason",
                "visits_need_reason",
                f"到现场次数为{visits}次时，必须填写必须现场办理的原因。",
            )
        )
    # 深度四级（全程网办）⇒ 0次到现场；三级 ⇒ 至多1次
    if depth == Depth.FULLY_ONLINE and visits != 0:
        p.append(
            Problem(
                "visits",
                "fully_online_zero_visits",
                "网上办理深度为四级（全程网办）时，到现场次数必须为0。",
            )
        )
    if depth == Depth.ONLINE_ACCEPTANCE and visits > 1:
        p.append(
            Problem(
                "visits",
                "depth_three_one_visit",
                "网上办理深度为三级时，到现场次数不能超过1次。",
            )
        )
    # 深度二级及以上 ⇔ 提供网上（电脑端或移动端）办理渠道
    online = bool(channels & {"online", "mobile"})
    if depth is not None and depth >= Depth.PRE_REVIEW and not online:
        p.append(
            Problem(
                "channels",
                "depth_needs_online_channel",
                "网上办理深度为二级及以上时，办理渠道必须包含电脑端或移动端网上办理。",
            )
        )
    if depth == Depth.INFORMATION and online:
        p.append(
            Problem(
                "depth",
                "online_channel_needs_depth",
                "提供电脑端或移动端网上办理时，网上办理深度不能为一级（仅提供办事指南）。",
            )
        )
    # 收费 = 是 ⇒ 收费依据与收费项目；收费 = 否 ⇒ 无收费项目
    fees = doc.get("fees") or []
    if doc.get("has_fee"):
        if not doc.get("fee_basis"):
            p.append(Problem("fee_basis", "fee_needs_basis", "收费事项必须填写收费依据。"))
        if not fees:
            p.append(Problem("fees", "fee_needs_items", "收费事项必须至少列出一个收费项目。"))
    else:
        if fees:
            p.append(Problem("fees", "no_fee_no_items", "“是否收费”为否时，不能列出收费项目。"))
        if doc.get("supports_online_payment"):
            p.append(
                Problem(
                    "supports_online_payment",
                    "payment_needs_fee",
                    "不收费的事项不能开通网上支付。",
                )
            )
    # 邮寄 ⇒ 物流快递
    if ("post" in (doc.get("delivery") or []) or "post" in channels) and not doc.get(
        "supports_logistics"
    ):
        p.append(
            Problem(
                "supports_logistics",
                "post_needs_logistics",
                "快递申请或邮寄送达结果时，必须开通物流快递服务。",
            )
        )
    if doc.get("result_licence_type") and not doc.get("result_name"):
        p.append(
            Problem(
                "result_name",
                "licence_needs_result_name",
                "填写了结果电子证照类型时，必须填写审批结果名称。",
            )
        )
    p += _material_rules(doc.get("materials") or [])
    p += _theme_rules(doc)
    for index, step in enumerate(steps):
        if step.get("risk_level") and not step.get("risk_points"):
            p.append(
                Problem(
                    f"steps[{index}].risk_points",
                    "risk_level_needs_points",
                    f"第{index + 1}个办理环节填写了风险等级，必须写明廉政风险点。",
                )
            )
        if step.get("risk_points") and not step.get("risk_controls"):
            p.append(
                Problem(
                    f"steps[{index}].risk_controls",
                    "risk_needs_controls",
                    f"第{index + 1}个办理环节列出了廉政风险点，必须写明防控措施。",
                )
            )
    seen_relations = set()
    for index, relation in enumerate(doc.get("relations") or []):
        key = (relation.get("kind"), relation.get("target"))
        if key in seen_relations:
            p.append(
                Problem(
                    f"relations[{index}]",
                    "duplicate_relation",
                    f"第{index + 1}项事项关系与前面的重复。",
                )
            )
        seen_relations.add(key)
        if doc.get("implementation_code") and relation.get("target") == doc["implementation_code"]:
            p.append(
                Problem(
                    f"relations[{index}].target",
                    "self_relation",
                    "事项不能以自身为前置、后置或关联事项。",
                )
            )
    return p


def _material_rules(materials: list[dict[str, Any]]) -> list[Problem]:
    p: list[Problem] = []
    codes: set[str] = set()
    for index, m in enumerate(materials):
        at = f"第{index + 1}项申请材料“{m.get('name') or ''}”"
        if m.get("code") in codes:
            p.append(
                Problem(
                    f"materials[{index}].code",
                    "duplicate_material_code",
                    f"{at}的材料编号“{m.get('code')}”与前面的材料重复。",
                )
            )
        codes.add(m.get("code"))
        source = m.get("source")
        if source == MaterialSource.LICENCE and not (
            m.get("licence_type_code") or m.get("licence_type_name")
        ):
            p.append(
                Problem(
                    f"materials[{index}].licence_type_name",
                    "licence_source_needs_type",
                    f"{at}来源为电子证照，必须写明电子证照类型。",
                )
            )
        if source == MaterialSource.SHARED and not m.get("shared_data_source"):
            p.append(
                Problem(
                    f"materials[{index}].shared_data_source",
                    "shared_source_needs_provider",
                    f"{at}来源为共享数据，必须写明共享数据来源。",
                )
            )
        if source != MaterialSource.APPLICANT and m.get("media") == MaterialMedia.PAPER:
            p.append(
                Problem(
                    f"materials[{index}].media",
                    "fetched_material_not_paper",
                    f"{at}由电子证照或共享数据获取，材料形式不能为纸质。",
                )
            )
        if (
            source == MaterialSource.APPLICANT
            and m.get("media") == MaterialMedia.PAPER
            and not ((m.get("originals") or 0) + (m.get("copies") or 0))
        ):
            p.append(
                Problem(
                    f"materials[{index}].copies",
                    "paper_needs_count",
                    f"{at}为纸质材料，原件份数与复印件份数不能都为0。",
                )
            )
    return p


def _theme_rules(doc: dict[str, Any]) -> list[Problem]:
    codes = doc.get("themes") or []
    if not codes:
        return []
    audiences = set(doc.get("audiences") or [])
    p: list[Problem] = []
    for theme in Theme.objects.filter(code__in=codes).order_by("code"):
        if theme.audience == "person" and "1" not in audiences:
            p.append(
                Problem(
                    "themes",
                    "theme_audience_person",
                    f"服务主题“{theme.name}”面向自然人，但服务对象不含自然人。",
                )
            )
        if theme.audience == "company" and not (audiences & COMPANY_CODES):
            p.append(
                Problem(
                    "themes",
                    "theme_audience_company",
                    f"服务主题“{theme.name}”面向法人，但服务对象不含法人或其他组织。",
                )
            )
    return p


def completeness(doc: dict[str, Any], item_type: str | None = None) -> list[Problem]:
    """What a guide must contain before it is submitted for legality/compliance review."""
    p: list[Problem] = []

    def need(field: str, message: str) -> None:
        if not doc.get(field):
            p.append(Problem(field, "required_for_submit", message))

    need("conditions", "提交审查前必须填写受理条件。")
    if item_type != ItemType.PUBLIC_SERVICE:
        need("legal_basis", "行政权力事项提交审查前必须填写设定依据。")
    need("audiences", "提交审查前必须至少选择一个服务对象。")
    need("themes", "提交审查前必须至少选择一个服务主题。")
    need("channels", "提交审查前必须至少选择一种办理渠道。")
    need("delivery", "提交审查前必须至少选择一种结果送达方式。")
    need("materials", "提交审查前必须至少列出一项申请材料。")
    need("steps", "提交审查前必须至少列出一个办理环节。")
    need("consultation_phone", "提交审查前必须填写咨询电话。")
    need("supervision_phone", "提交审查前必须填写监督投诉电话。")
    if "counter" in (doc.get("channels") or []):
        need("location", "提供窗口办理时必须填写办理地点。")
        need("office_hours", "提供窗口办理时必须填写办理时间。")
    if item_type in (ItemType.LICENSING, ItemType.CONFIRMATION):
        need("result_name", "行政许可、行政确认事项必须填写审批结果名称。")
        if doc.get("statutory_limit_days") is None:
            p.append(
                Problem(
                    "statutory_limit_days",
                    "required_for_submit",
                    "行政许可、行政确认事项必须填写法定办结时限（行政许可法第四十二条）。",
                )
            )
    return p


def check(doc: dict[str, Any], item_type: str | None = None, *, complete: bool) -> list[Problem]:
    problems = consistency(doc, item_type)
    if complete:
        problems += completeness(doc, item_type)
    return problems
