import datetime

import pytest
from django.db import connection

from govhall.baselib import services
from govhall.baselib.data import attributes as catalogue
from govhall.baselib.models import AttributeChange, Conflict, PopulationEntry
from govhall.baselib.services import updates
from govhall.core.errors import Refusal
from govhall.core.models import AuditEntry

from .conftest import CITIZEN, SPOUSE, household, marriage

pytestmark = pytest.mark.django_db


def test_catalogue_has_the_marriage_fields_owned_by_civil_affairs(civil_affairs):
    for code in catalogue.MARRIAGE_FIELDS:
        definition = services.definition("person", code)
        assert definition.owner == civil_affairs
        assert definition.library == "population"


def test_read_answers_value_source_time_and_record(civil_affairs, public_security):
    results = updates.ingest([household(), household(SPOUSE, "李秀英", "1987-09-02"), marriage()])
    assert [r.status for r in results] == ["applied", "applied", "applied"]
    answer = services.read("person", CITIZEN, ["name", "marital_status", "spouse_id_number"])
    value, source, as_of, ref = answer["marital_status"]
    assert (value, source, ref) == ("21", civil_affairs, "J440703-2012-003187")
    assert as_of == datetime.datetime(2012, 10, 8, 2, 30, tzinfo=datetime.UTC)
    assert answer["name"].source_department == public_security
    assert answer["spouse_id_number"].value == SPOUSE
    married_on = services.read("person", CITIZEN, ["marriage_registered_on"])
    assert married_on["marriage_registered_on"].value == datetime.date(2012, 10, 8)
    assert services.display(services.definition("person", "marital_status"), "21") == "初婚"


def test_id_numbers_are_encrypted_and_indexed_like_accounts(public_security):
    from govhall.accounts.models import Person

    updates.ingest([household(), marriage()])
    entry = PopulationEntry.objects.get()
    assert entry.id_number_index == Person.index_for(CITIZEN)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, attributes FROM baselib_populationentry")
        stored_number, stored_attributes = cursor.fetchone()
    assert CITIZEN not in stored_number
    assert SPOUSE not in str(stored_attributes)  # the spouse's number is encrypted too


def test_unknown_subject_reads_empty_and_bad_input_is_refused(public_security):
    assert services.read("person", CITIZEN, ["name"]) == {}
    with pytest.raises(Refusal) as refused:
        services.read("person", "123", ["name"])
    assert refused.value.problems[0].field == "key"
    with pytest.raises(Refusal) as refused:
        services.read("person", CITIZEN, ["no_such_field"])
    assert refused.value.problems[0].code == "unknown_attribute"
    with pytest.raises(Refusal):
        services.read("planet", CITIZEN, ["name"])


def test_a_source_cannot_write_an_attribute_it_does_not_own(public_security):
    updates.ingest([household()])
    record = household(ref="GA-2")
    record["values"] = {"marital_status": "20"}  # public security sending civil affairs' datum
    [result] = updates.ingest([record])
    assert result.status == "refused"
    [message] = result.errors["values.marital_status"]
    assert "广东省民政厅" in message and "广东省公安厅" in message
    assert "marital_status" not in services.read("person", CITIZEN)


def test_only_the_registrar_brings_a_new_person_in(civil_affairs):
    [result] = updates.ingest([marriage()])
    assert result.status == "refused"
    assert "广东省公安厅" in result.errors["key"][0]
    assert not PopulationEntry.objects.exists()


def test_resent_record_is_unchanged_and_history_keeps_the_old_value(public_security):
    updates.ingest([household(), marriage()])
    audited = AuditEntry.objects.filter(object_type="baselib.updatebatch").count()
    assert audited == 1
    assert updates.ingest([marriage()])[0].status == "unchanged"
    assert AuditEntry.objects.filter(object_type="baselib.updatebatch").count() == audited
    divorce = marriage(status="40", ref="L440703-2020-000042", on="2020-03-02")
    assert updates.ingest([divorce])[0].status == "applied"
    assert services.read("person", CITIZEN, ["marital_status"])["marital_status"].value == "40"
    history = AttributeChange.objects.filter(attribute__code="marital_status").order_by("as_of")
    assert [(c.previous, c.value) for c in history] == [(None, "21"), ("21", "40")]


@pytest.mark.parametrize(
    ("status", "ref", "on", "kind"),
    [
        ("10", "J440703-2012-003187", "2012-10-08", "same_record"),  # same record, other value
        ("10", "J-OLD", "2010-01-01", "stale"),  # older than the stored value, disagreeing
        ("40", "L-SOON", "2012-10-10", "window"),  # two days after the marriage: check it
    ],
)
def test_conflicting_values_go_to_the_owner(public_security, civil_affairs, status, ref, on, kind):
    updates.ingest([household(), marriage()])
    [result] = updates.ingest([marriage(status=status, ref=ref, on=on)])
    assert result.status == "conflict"
    conflict = Conflict.objects.get(pk=result.conflict_id)
    assert (conflict.kind, conflict.owner, conflict.status) == (kind, civil_affairs, "open")
    assert conflict.stored["marital_status"]["v"] == "21"
    assert conflict.reported["marital_status"] == status
    assert services.read("person", CITIZEN, ["marital_status"])["marital_status"].value == "21"


def test_one_bad_record_does_not_block_the_others(public_security):
    bad = household(ref="x")
    bad["values"]["sex"] = "7"
    results = updates.ingest([bad, household(SPOUSE, "李秀英", "1987-09-02"), "nonsense"])
    assert [r.status for r in results] == ["refused", "applied", "refused"]
    assert "代码表" in results[0].errors["values.sex"][0]
    assert PopulationEntry.objects.count() == 1


def test_read_many(public_security):
    updates.ingest([household(), household(SPOUSE, "李秀英", "1987-09-02")])
    answer = services.read_many("person", [CITIZEN, SPOUSE], ["name"])
    assert {k: v["name"].value for k, v in answer.items()} == {CITIZEN: "陈志明", SPOUSE: "李秀英"}
