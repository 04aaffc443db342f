"""Two update batches bringing the same new subject in at once: one creates it, the other
then finds it and applies its record as an update (no unique-key error, no lost record).

On PostgreSQL with real threads, both made to read "no such subject" before either
inserts; on either database, the same race played in one connection (the subject appears
between a batch's read and its insert)."""

import datetime
import threading

import pytest
from django.db import connection

from govhall.baselib import services
from govhall.baselib.models import AttributeChange, LegalPersonEntry, PopulationEntry
from govhall.baselib.services import updates
from govhall.core.identifiers import make_credit_code, make_id_number

from .conftest import CITIZEN, SPOUSE, department, household

OTHERS = [make_id_number("440703", datetime.date(1990, 1, n + 1), 300 + n) for n in range(2)]


def _company(code: str, name: str, ref: str) -> dict:
    from govhall.baselib.data import attributes as catalogue

    return {
        "record_ref": ref,
        "department": department(catalogue.MARKET_REGULATION).credit_code,
        "subject_kind": "company",
        "key": code,
        "as_of": "2020-05-01T09:00:00+08:00",
        "values": {"name": name},
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite takes the write lock at BEGIN (IMMEDIATE): its batches cannot interleave; "
    "the same race in one connection is test_a_subject_created_meanwhile_is_updated_instead",
)
def test_two_threads_creating_the_same_person_both_succeed(
    transactional_reference_data, monkeypatch
):
    barrier = threading.Barrier(2)
    real = updates._locked_rows
    waited: set[int] = set()

    def read_then_wait(*args, **kwargs):
        rows = real(*args, **kwargs)
        if threading.get_ident() not in waited:  # the first read of each batch only
            waited.add(threading.get_ident())
            barrier.wait(timeout=30)  # both have seen "no such person" before inserting
        return rows

    monkeypatch.setattr(updates, "_locked_rows", read_then_wait)
    results: dict[int, list] = {}
    failures: list[str] = []

    def batch(n: int) -> None:
        try:
            # Each batch brings the shared person in, plus one person of its own.
            results[n] = updates.ingest([household(), household(OTHERS[n], "王五", ref=f"GA-{n}")])
        except Exception as exc:  # reported below
            failures.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=batch, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    shared = sorted(results[n][0].status for n in range(2))
    assert shared == ["applied", "unchanged"]  # one created it, the other found it
    assert [results[n][1].status for n in range(2)] == ["applied", "applied"]
    assert PopulationEntry.objects.count() == 3
    assert services.read("person", CITIZEN, ["name"])["name"].value == "陈志明"
    entry = PopulationEntry.objects.get(id_number_index=PopulationEntry.index_for(CITIZEN))
    # The history of the shared person was written once, by the batch that created it.
    assert AttributeChange.objects.filter(subject_id=entry.pk, attribute__code="name").count() == 1


@pytest.mark.django_db
def test_a_subject_created_meanwhile_is_updated_instead(public_security, monkeypatch):
    """The losing batch's insert fails on the unique key; it starts again from reading,
    now sees the subject, and checks its record against what the winner stored."""
    updates.ingest([household(name="陈志明")])  # "the other batch", already committed
    real = updates._locked_rows
    calls = []

    def missed_it_once(*args, **kwargs):
        calls.append(1)
        return [] if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(updates, "_locked_rows", missed_it_once)
    renamed = household(name="陈志敏", ref="GA-RENAME", as_of="2024-01-02")
    results = updates.ingest([renamed, household(SPOUSE, "李秀英", "1987-09-02")])
    assert len(calls) == 2  # read, insert refused by the unique key, read again
    assert [r.status for r in results] == ["applied", "applied"]
    assert services.read("person", CITIZEN, ["name"])["name"].value == "陈志敏"
    assert PopulationEntry.objects.count() == 2
    change = AttributeChange.objects.filter(attribute__code="name", record_ref="GA-RENAME").get()
    assert (change.previous, change.value) == ("陈志明", "陈志敏")


@pytest.mark.django_db
def test_the_same_company_in_two_batches_one_after_the_other(monkeypatch):
    code = make_credit_code("91", "440703", "MA4W0K3L")
    first = updates.ingest([_company(code, "江门市示例食品有限公司", "SC-1")])
    second = updates.ingest([_company(code, "江门市示例食品有限公司", "SC-1")])
    assert (first[0].status, second[0].status) == ("applied", "unchanged")
    assert LegalPersonEntry.objects.filter(credit_code=code).count() == 1
