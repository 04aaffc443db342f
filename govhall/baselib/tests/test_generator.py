import pytest
from django.core.management import call_command
from django.db import connection

from govhall.baselib import services
from govhall.baselib.data.attributes import MARRIAGE_FIELDS
from govhall.baselib.models import LegalPersonEntry, PopulationEntry, ThemeLibrary
from govhall.baselib.services import themes
from govhall.core.identifiers import validate_credit_code, validate_id_number
from govhall.demo.generators import baselib as generator

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator writes with COPY"),
]


def test_generated_entries_read_like_ingested_ones(monkeypatch):
    # Into empty tables, as a big load: the unique constraints are dropped and rebuilt.
    monkeypatch.setattr(generator, "DROP_INDEXES_ABOVE", 100)
    call_command("generate_baselib", persons=300, companies=40, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'u' AND conrelid IN "
            "('baselib_populationentry'::regclass, 'baselib_legalpersonentry'::regclass)"
        )
        assert {row[0] for row in cursor.fetchall()} == {
            "baselib_population_key",
            "baselib_legal_person_key",
        }
    assert (PopulationEntry.objects.count(), LegalPersonEntry.objects.count()) == (300, 40)
    counties = generator.counties()
    numbers = [generator.person_number(i, counties) for i in range(300)]
    assert len(set(numbers)) == 300 and all(validate_id_number(n).valid for n in numbers)
    code = generator.company_code(7, counties)
    assert validate_credit_code(code).valid
    married = [n for n in numbers if services.read("person", n, ["marital_status"])]
    assert married, "some generated persons are married"
    answer = services.read("person", married[0], list(MARRIAGE_FIELDS))
    assert (
        answer["spouse_id_number"].value in numbers
        or validate_id_number(answer["spouse_id_number"].value).valid
    )
    assert answer["marriage_registry"].source_department.name == "广东省民政厅"
    company = services.read("company", code, ["name", "tax_credit_rating"])
    assert company["tax_credit_rating"].source_department.name == "广东省地方税务局"
    themes.refresh_counts()
    assert ThemeLibrary.objects.get(code="a_rated_taxpayers").count == 10  # every fourth
