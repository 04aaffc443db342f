"""Generated base libraries for the benchmark: millions of persons and companies.

``generate(persons, companies)`` writes rows straight into the entry tables, as the
libraries' first load from their sources would: each person has the household data of
public security and, for part of them, a marriage registration (civil affairs, with the
spouse's ID number encrypted), minimum-living support and social insurance; each company
its registration (market regulation), tax credit rating and, for some, a food licence.
Every datum carries its owner department, an as-of time and a source record, exactly as
``services.updates.ingest`` would have stored it; there is no history yet (the history
records changes after the first load).

Keys are a function of the row number (``person_number(i)``, ``company_code(i)``), so a
benchmark can pick existing keys without reading them back. Generated ID numbers use the
sequence numbers 500–999 (the demo's stay below), and generated credit codes begin
``91<county>MB``. On PostgreSQL the rows go in with ``COPY`` — for a large load into an
empty table the secondary indexes and unique constraints are dropped first and rebuilt
after — elsewhere with ``bulk_create``.
"""

from __future__ import annotations

import datetime
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from govhall.accounts import crypto
from govhall.baselib.data import attributes as catalogue
from govhall.baselib.models import LegalPersonEntry, PopulationEntry
from govhall.baselib.services import definitions
from govhall.core.identifiers import USCC_ALPHABET, make_credit_code, make_id_number
from govhall.regions.models import Department, Level, Region

BATCH = 20_000
BIRTH_BASE = datetime.date(1928, 1, 1)
BIRTH_DAYS = 32_000  # to 2015
SEQUENCE_BASE = 500
DROP_INDEXES_ABOVE = 200_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰志红建国文辉"
REGISTRIES = "民政局婚姻登记处"
TAX_AS_OF = "2026-04-01T09:00:00+08:00"
TRADES = ["贸易", "科技", "五金", "食品", "餐饮", "建材", "物流", "陶瓷", "服装", "电子"]


@dataclass
class Report:
    persons: int = 0
    companies: int = 0
    seconds: float = 0.0


def counties() -> list[str]:
    """Guangdong's county-level codes, in code order (the generator's address codes)."""
    return list(
        Region.objects.filter(level=Level.COUNTY, code__startswith="44")
        .order_by("code")
        .values_list("code", flat=True)
    )


def person_number(i: int, county_codes: list[str]) -> str:
    county = county_codes[i % len(county_codes)]
    j = i // len(county_codes)
    birth = BIRTH_BASE + datetime.timedelta(days=j % BIRTH_DAYS)
    return make_id_number(county, birth, SEQUENCE_BASE + j // BIRTH_DAYS)


def _base31(n: int, width: int) -> str:
    digits = []
    for _ in range(width):
        n, r = divmod(n, len(USCC_ALPHABET))
        digits.append(USCC_ALPHABET[r])
    return "".join(reversed(digits))


def company_code(i: int, county_codes: list[str]) -> str:
    county = county_codes[i % len(county_codes)]
    return make_credit_code("91", county, "MB" + _base31(i // len(county_codes), 6))


def _owners() -> dict[str, int]:
    keys = {
        "ga": catalogue.PUBLIC_SECURITY,
        "mz": catalogue.CIVIL_AFFAIRS,
        "rs": catalogue.HUMAN_RESOURCES,
        "sc": catalogue.MARKET_REGULATION,
        "sp": catalogue.FOOD_DRUG,
        "ds": catalogue.LOCAL_TAX,
    }
    out = {}
    for short, (region, name) in keys.items():
        out[short] = Department.objects.get(region_id=region, name=name).pk
    return out


def _d(value, department: int, as_of: str, ref: str) -> dict:
    return {"v": value, "d": department, "t": as_of, "r": ref}


def person_attributes(i: int, number: str, county_codes, owners, rng: random.Random) -> dict:
    birth = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    sex = "1" if int(number[16]) % 2 else "2"
    county = number[:6]
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if i % 3 else "")
    registered = f"{int(number[6:10]) + 16}-07-01T09:00:00+08:00"
    ga = owners["ga"]
    ref = f"GA-HJ-{i}"
    out = {
        "name": _d(name, ga, registered, ref),
        "sex": _d(sex, ga, registered, ref),
        "birth_date": _d(birth, ga, registered, ref),
        "ethnic_group": _d("01", ga, registered, ref),
        "household_region": _d(county, ga, registered, ref),
        "household_address": _d(f"{county}某街道{i % 997 + 1}号", ga, registered, ref),
        "household_status": _d("1", ga, registered, ref),
    }
    year = int(number[6:10])
    if year < 1995 and rng.random() < 0.6:
        married_on = f"{year + 24}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        mz = owners["mz"]
        cert = f"J{county}-{year + 24}-{i:07d}"
        as_of = f"{married_on}T10:00:00+08:00"
        spouse = person_number(i + 1, county_codes)
        out |= {
            "marital_status": _d("21", mz, as_of, cert),
            "spouse_name": _d(rng.choice(SURNAMES) + rng.choice(GIVEN), mz, as_of, cert),
            "spouse_id_number": _d(crypto.encrypt(spouse), mz, as_of, cert),
            "marriage_registered_on": _d(married_on, mz, as_of, cert),
            "marriage_registry": _d(f"{county}{REGISTRIES}", mz, as_of, cert),
            "marriage_certificate_no": _d(cert, mz, as_of, cert),
        }
    if rng.random() < 0.02:
        ref = f"MZ-DB-{i}"
        out["dibao_status"] = _d("1", owners["mz"], "2022-01-01T09:00:00+08:00", ref)
        out["dibao_since"] = _d("2022-01-01", owners["mz"], "2022-01-01T09:00:00+08:00", ref)
    if 1950 <= year <= 2000 and rng.random() < 0.7:
        ref = f"RS-SB-{i}"
        as_of = f"{max(year + 20, 2000)}-01-01T00:00:00+08:00"
        out["pension_insurance"] = _d("1", owners["rs"], as_of, ref)
        out["medical_insurance"] = _d("1", owners["rs"], as_of, ref)
    return out


def company_attributes(i: int, code: str, owners, rng: random.Random) -> dict:
    county = code[2:8]
    established = f"{2000 + i % 25}-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
    sc = owners["sc"]
    ref = f"SC-DJ-{i}"
    as_of = f"{established}T09:00:00+08:00"
    trade = TRADES[i % len(TRADES)]
    out = {
        "name": _d(f"{county}{trade}企业{i}有限公司", sc, as_of, ref),
        "entity_type": _d("1100", sc, as_of, ref),
        "legal_representative": _d(rng.choice(SURNAMES) + rng.choice(GIVEN), sc, as_of, ref),
        "registered_capital": _d(str(rng.choice((10, 50, 100, 500, 1000))), sc, as_of, ref),
        "established_on": _d(established, sc, as_of, ref),
        "registered_address": _d(f"{county}某路{i % 499 + 1}号", sc, as_of, ref),
        "region_code": _d(county, sc, as_of, ref),
        "registration_authority": _d(f"{county}市场监督管理局", sc, as_of, ref),
        "registration_status": _d("1" if i % 10 else "3", sc, as_of, ref),
        "business_scope": _d(f"{trade}相关经营", sc, as_of, ref),
        "tax_credit_rating": _d(
            "ABMC"[i % 4], owners["ds"], "2026-04-01T09:00:00+08:00", f"DS-{i}"
        ),
    }
    if trade in ("食品", "餐饮"):
        out["food_licence_no"] = _d(f"JY1{county}{i:07d}", owners["sp"], as_of, f"SP-{i}")
    return out


def _copy_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def person_line(number: str, attributes: dict, now: str) -> str:
    return (
        f"{crypto.encrypt(number)}\t{PopulationEntry.index_for(number)}\t"
        f"{_copy_text(json.dumps(attributes, ensure_ascii=False))}\t{now}\t{now}\n"
    )


def company_line(code: str, attributes: dict, now: str) -> str:
    return f"{code}\t{_copy_text(json.dumps(attributes, ensure_ascii=False))}\t{now}\t{now}\n"


def _drop_indexes(table: str) -> list[str]:
    """Drop ``table``'s unique constraints and secondary indexes; returns the statements
    that rebuild them."""
    rebuild = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u'",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT LIKE %s",
            [table, "%_pkey"],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            rebuild.append(definition)
    return rebuild


def _write(model, columns: str, lines: Callable[[int, int], str], count: int, progress) -> None:
    table = model._meta.db_table
    started = time.perf_counter()
    if connection.vendor != "postgresql":
        raise RuntimeError("the base-library generator writes with COPY: PostgreSQL only")
    with transaction.atomic():
        empty = not model.objects.exists()
        rebuild = _drop_indexes(table) if empty and count > DROP_INDEXES_ABOVE else []
        with connection.cursor() as cursor:
            for start in range(0, count, BATCH):
                text = lines(start, min(start + BATCH, count))
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(text)
                if progress:
                    progress(table, min(start + BATCH, count), time.perf_counter() - started)
            for statement in rebuild:
                cursor.execute(statement)
            cursor.execute(f"ANALYZE {table}")


def generate(
    persons: int, companies: int, *, start: int = 0, seed: int = 1, progress=None
) -> Report:
    """Write ``persons`` persons and ``companies`` companies, numbered from ``start``."""
    definitions.ensure()
    began = time.perf_counter()
    county_codes = counties()
    owners = _owners()
    now = datetime.datetime.now(datetime.UTC).isoformat()

    def person_lines(a: int, b: int) -> str:
        rng = random.Random(seed * 1_000_003 + start + a)
        out = []
        for i in range(start + a, start + b):
            number = person_number(i, county_codes)
            attrs = person_attributes(i, number, county_codes, owners, rng)
            out.append(person_line(number, attrs, now))
        return "".join(out)

    def company_lines(a: int, b: int) -> str:
        rng = random.Random(seed * 7_000_003 + start + a)
        out = []
        for i in range(start + a, start + b):
            code = company_code(i, county_codes)
            out.append(company_line(code, company_attributes(i, code, owners, rng), now))
        return "".join(out)

    if persons:
        _write(
            PopulationEntry,
            "id_number, id_number_index, attributes, created_at, updated_at",
            person_lines,
            persons,
            progress,
        )
    if companies:
        _write(
            LegalPersonEntry,
            "credit_code, attributes, created_at, updated_at",
            company_lines,
            companies,
            progress,
        )
    return Report(persons, companies, time.perf_counter() - began)
