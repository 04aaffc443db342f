"""Demo: the base libraries' catalogue and a small population and legal-person library.

Every row goes in through the sources' own path (``baselib.services.updates.ingest``),
each record sent by its owner department: public security registers the persons, civil
affairs their marriages and minimum-living support, human resources their insurance,
market regulation the companies. The demo citizens of the demo accounts are included —
陈志明 (``demo_citizen``) is married, so the sharing catalogue can read his marriage
registration — with a few dozen generated persons so the thematic libraries have counts.
Idempotent: a second run answers ``unchanged`` for every record.
"""

from __future__ import annotations

import datetime
import random

from govhall.baselib.data import attributes as catalogue
from govhall.baselib.services import definitions, themes, updates
from govhall.core.identifiers import make_credit_code, make_id_number
from govhall.regions.models import Department

from .accounts import DEMO_COMPANY, DEMO_PEOPLE

SPOUSE = ("李秀英", "440703", datetime.date(1987, 9, 2), 248)
MARRIAGE = {
    "registered_on": "2012-10-08",
    "registry": "江门市蓬江区民政局婚姻登记处",
    "certificate_no": "J440703-2012-003187",
}
SURNAMES = "陈李黄张梁刘林吴何周罗郑谢冯邓"
GIVEN = ["伟", "芳", "敏", "静", "强", "丽", "军", "洁", "勇", "艳", "杰", "娟", "涛", "明", "超"]
COUNTIES = ["440703", "440704", "440705", "440781", "445102"]


def _code(owner: tuple[str, str]) -> str:
    return Department.objects.get(region_id=owner[0], name=owner[1]).credit_code


def _person(number, name, sex, birth, county, address, as_of) -> dict:
    return {
        "record_ref": f"GA-HJ-{number[-8:]}",
        "department": _code(catalogue.PUBLIC_SECURITY),
        "subject_kind": "person",
        "key": number,
        "as_of": as_of,
        "values": {
            "name": name,
            "sex": sex,
            "birth_date": birth.isoformat(),
            "ethnic_group": "01",
            "household_region": county,
            "household_address": address,
            "household_status": "1",
        },
    }


def _records() -> list[dict]:
    records = []
    civil = _code(catalogue.CIVIL_AFFAIRS)
    hr = _code(catalogue.HUMAN_RESOURCES)
    addresses = {
        "440703": "江门市蓬江区建设路",
        "440705": "江门市新会区会城街道",
        "445102": "潮州市湘桥区西荣路",
    }
    citizen = None
    for username, name, county, birth, sequence, _mobile, _level in DEMO_PEOPLE:
        number = make_id_number(county, birth, sequence)
        sex = "1" if sequence % 2 else "2"
        address = f"{addresses.get(county, '江门市')}{sequence}号"
        records.append(
            _person(number, name, sex, birth, county, address, "2003-07-01T09:00:00+08:00")
        )
        if username == "demo_citizen":
            citizen = (number, name)
    spouse_name, spouse_county, spouse_birth, spouse_seq = SPOUSE
    spouse = make_id_number(spouse_county, spouse_birth, spouse_seq)
    records.append(
        _person(
            spouse,
            spouse_name,
            "2",
            spouse_birth,
            spouse_county,
            "江门市蓬江区建设路131号",
            "2005-09-02T09:00:00+08:00",
        )
    )
    # The marriage registration of the demo citizen, on both spouses' entries.
    for own, other, other_name in (
        (citizen[0], spouse, spouse_name),
        (spouse, citizen[0], citizen[1]),
    ):
        records.append(
            {
                "record_ref": MARRIAGE["certificate_no"],
                "department": civil,
                "subject_kind": "person",
                "key": own,
                "as_of": f"{MARRIAGE['registered_on']}T10:30:00+08:00",
                "values": {
                    "marital_status": "21",
                    "spouse_name": other_name,
                    "spouse_id_number": other,
                    "marriage_registered_on": MARRIAGE["registered_on"],
                    "marriage_registry": MARRIAGE["registry"],
                    "marriage_certificate_no": MARRIAGE["certificate_no"],
                },
            }
        )
    records.append(
        {
            "record_ref": "SB-440703-0001",
            "department": hr,
            "subject_kind": "person",
            "key": citizen[0],
            "as_of": "2008-03-01T00:00:00+08:00",
            "values": {
                "pension_insurance": "1",
                "medical_insurance": "1",
                "insured_employer": DEMO_COMPANY[0],
            },
        }
    )
    # Generated persons: some aged over 80, some on minimum-living support.
    rng = random.Random(20)
    for i in range(60):
        county = COUNTIES[i % len(COUNTIES)]
        birth = datetime.date(
            1925 + rng.randrange(0, 80), 1 + rng.randrange(12), 1 + rng.randrange(28)
        )
        number = make_id_number(county, birth, 300 + i)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        records.append(
            _person(
                number,
                name,
                "1" if i % 2 else "2",
                birth,
                county,
                f"示例路{i + 1}号",
                "2010-01-01T09:00:00+08:00",
            )
        )
        if i % 6 == 0:
            records.append(
                {
                    "record_ref": f"MZ-DB-{county}-{i:04d}",
                    "department": civil,
                    "subject_kind": "person",
                    "key": number,
                    "as_of": "2021-04-01T09:00:00+08:00",
                    "values": {"dibao_status": "1", "dibao_since": "2021-04-01"},
                }
            )
    return records


def _companies() -> list[dict]:
    market = _code(catalogue.MARKET_REGULATION)
    food = _code(catalogue.FOOD_DRUG)
    tax = _code(catalogue.LOCAL_TAX)
    name, category, region, entity = DEMO_COMPANY
    code = make_credit_code(category, region, entity)
    citizen = DEMO_PEOPLE[0][1]
    rows = [(code, name, region, citizen, "2016-05-12", True, "A")]
    for i, (trade, county) in enumerate(
        [
            ("食品", "440703"),
            ("贸易", "440704"),
            ("餐饮", "440705"),
            ("机械", "440781"),
            ("陶瓷", "445102"),
        ]
    ):
        entity8 = f"MA5D{i:02d}X{i}"
        rows.append(
            (
                make_credit_code("91", county, entity8),
                f"江门市示例{trade}有限公司",
                county,
                "示例法人",
                f"201{i}-0{i + 1}-15",
                trade in ("食品", "餐饮"),
                "AB"[i % 2],
            )
        )
    records = []
    for code, name, region, representative, established, food_licence, rating in rows:
        records.append(
            {
                "record_ref": f"SCJG-{code}",
                "department": market,
                "subject_kind": "company",
                "key": code,
                "as_of": f"{established}T09:00:00+08:00",
                "values": {
                    "name": name,
                    "entity_type": "1100",
                    "legal_representative": representative,
                    "registered_capital": "100",
                    "established_on": established,
                    "registered_address": f"{region}示例大道1号",
                    "region_code": region,
                    "registration_authority": "江门市工商行政管理局",
                    "registration_status": "1",
                    "business_scope": "五金制品制造、销售" if code.endswith(entity) else "一般项目",
                },
            }
        )
        if food_licence:
            records.append(
                {
                    "record_ref": f"SP-{code[-6:]}",
                    "department": food,
                    "subject_kind": "company",
                    "key": code,
                    "as_of": "2019-06-01T09:00:00+08:00",
                    "values": {"food_licence_no": f"JY1440703{code[-6:]}"},
                }
            )
        records.append(
            {
                "record_ref": f"NS-2025-{code[-6:]}",
                "department": tax,
                "subject_kind": "company",
                "key": code,
                "as_of": "2026-04-01T09:00:00+08:00",
                "values": {"tax_credit_rating": rating},
            }
        )
    return records


def load(password: str) -> str:
    definitions.ensure()
    results = updates.ingest(_records() + _companies())
    refused = [r for r in results if r.status == updates.REFUSED]
    if refused:
        raise RuntimeError(f"demo base-library records refused: {refused[0].as_dict()}")
    applied = sum(r.status == updates.APPLIED for r in results)
    counted = themes.refresh_counts()
    return (
        f"基础信息库：报送记录{len(results)}条（更新{applied}条），主题库{counted}个，"
        "见工作台“基础信息库”。"
    )
