"""Catalogue test data: complete item documents, published items and staff with catalogue posts."""

from __future__ import annotations

import copy
from typing import Any

from govhall.regions.models import Department, Post
from tests.factories import StaffPostFactory

from ..models import Item
from ..services import items, themes

THEMES = [
    ("person-marriage", "婚姻登记", "person"),
    ("person-birth", "生育收养", "person"),
    ("person-social-security", "社会保障", "person"),
    ("company-setup", "设立变更", "company"),
    ("company-permits", "准营准办", "company"),
]


def ensure_themes() -> None:
    for index, (code, name, audience) in enumerate(THEMES):
        themes.upsert_theme(code=code, name=name, audience=audience, sort_order=index)


def department(name: str = "江门市民政局", region: str = "440700") -> Department:
    return Department.objects.select_related("region").get(region_id=region, name=name)


BASE_DOC: dict[str, Any] = {
    "item_type": "QR",
    "name": "内地居民婚姻登记",
    "aliases": "结婚登记、领结婚证",
    "legal_basis": "《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》第四条",
    "conditions": "1. 男女双方完全自愿；2. 男方年满22周岁，女方年满20周岁；3. 双方均无配偶。",
    "audiences": ["1"],
    "themes": ["person-marriage"],
    "handling_scope": "province",
    "statutory_limit_days": 1,
    "promised_limit_days": 0,
    "case_type": "1",
    "has_fee": False,
    "visits": 1,
    "visits_reason": "双方须亲自到场现场签字、拍照（《婚姻登记条例》第五条）。",
    "depth": 2,
    "channels": ["online", "counter"],
    "supports_appointment": True,
    "result_name": "结婚证",
    "result_licence_type": "11100000000013338W001",
    "delivery": ["pickup"],
    "location": "江门市蓬江区建设二路婚姻登记处",
    "office_hours": "周一至周五 9:00-12:00，14:30-17:30",
    "consultation_phone": "0750-3501234",
    "supervision_phone": "12345",
    "materials": [
        {
            "code": "M01",
            "name": "居民身份证",
            "issuer": "公安机关",
            "originals": 1,
            "copies": 0,
            "required": True,
            "media": "electronic",
            "source": "licence",
            "licence_type_name": "居民身份证",
        },
        {
            "code": "M02",
            "name": "居民户口簿",
            "issuer": "公安机关",
            "originals": 1,
            "required": True,
            "media": "both",
            "source": "shared",
            "shared_data_source": "省人口基础信息库",
        },
        {
            "code": "M03",
            "name": "本人近期2寸半身免冠合影照片",
            "originals": 3,
            "required": True,
            "media": "paper",
            "source": "applicant",
        },
        {
            "code": "M04",
            "name": "离婚证或离婚判决书",
            "originals": 1,
            "copies": 1,
            "required": True,
            "condition": "再婚的",
            "media": "paper",
            "source": "applicant",
        },
    ],
    "steps": [
        {"name": "受理", "post": "clerk", "time_limit_days": 0, "criteria": "核对身份证件"},
        {
            "name": "审查",
            "post": "reviewer",
            "time_limit_days": 0,
            "risk_points": "对不符合条件的申请予以登记",
            "risk_level": "medium",
            "risk_controls": "双人复核，系统比对婚姻状况",
        },
        {"name": "登记发证", "post": "approver", "time_limit_days": 0},
    ],
    "faqs": [{"question": "可以异地办理吗？", "answer": "2021年起广东省内可跨市办理。"}],
}


def doc_for(dept: Department | None = None, **overrides) -> dict[str, Any]:
    doc = copy.deepcopy(BASE_DOC)
    doc["department"] = (dept or department()).credit_code
    doc.update(overrides)
    return doc


def published_item(dept: Department | None = None, **overrides) -> Item:
    ensure_themes()
    return items.load_document(doc_for(dept, **overrides), publish=True, reason="测试数据")


def settlement_item(**overrides) -> Item:
    """夫妻投靠入户 of 江门市公安局: a 行政许可 with no licence as its result, the usual
    second item after a marriage registration."""
    values = {
        "item_type": "XK",
        "basic_code": "XK00077000",
        "name": "夫妻投靠入户",
        "result_licence_type": "",
    }
    values.update(overrides)
    return published_item(department("江门市公安局"), **values)


def staff(post: str, dept: Department | None = None):
    return StaffPostFactory(post=post, department=dept or department()).user


def editor(dept: Department | None = None):
    return staff(Post.CATALOGUE_EDITOR, dept)


def reviewer(dept: Department | None = None):
    """A reviewer at the region's 编办, covering every department of the region."""
    return staff(Post.CATALOGUE_REVIEWER, dept or department("江门市机构编制委员会办公室"))


def one_question_scenario(item: Item, code: str) -> dict[str, Any]:
    """The smallest scenario tree: one question whose one option leads to ``item``."""
    return {
        "code": code,
        "name": "情形",
        "region": item.region_id,
        "questions": [
            {
                "code": "q",
                "text": "问题",
                "options": [
                    {"code": "a", "label": "是", "outcomes": [{"item": item.implementation_code}]}
                ],
            }
        ],
    }


def marriage_scenario(item: Item, settle: Item | None = None) -> dict[str, Any]:
    """我要结婚 in 江门: whether one remarries decides the divorce papers (M04) of ``item``;
    with ``settle``, a second question (moving to the spouse's 户口) may add that item."""
    tree = {
        "code": "get-married",
        "name": "我要结婚",
        "region": "440700",
        "questions": [
            {
                "code": "remarry",
                "text": "是否再婚？",
                "options": [
                    {
                        "code": "yes",
                        "label": "是",
                        "outcomes": [
                            {"item": item.implementation_code, "include_materials": ["M04"]}
                        ],
                    },
                    {"code": "no", "label": "否", "outcomes": [{"item": item.implementation_code}]},
                ],
            }
        ],
    }
    if settle is not None:
        for option in tree["questions"][0]["options"]:
            option["next"] = "move"
        tree["questions"].append(
            {
                "code": "move",
                "text": "婚后是否投靠配偶落户？",
                "options": [
                    {
                        "code": "yes",
                        "label": "是",
                        "outcomes": [{"item": settle.implementation_code}],
                    },
                    {"code": "no", "label": "否"},
                ],
            }
        )
    return tree
