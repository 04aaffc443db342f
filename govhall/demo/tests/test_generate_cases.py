"""The benchmark data generator writes well-formed, unique cases with their tasks."""

import re

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from govhall.cases.models import (
    OPEN_STATES,
    Case,
    CaseNumberCounter,
    CaseState,
    CaseStep,
    StepState,
)
from govhall.cases.tests import factories as f

NUMBER = re.compile(r"^\d{6}[0-9A-Z]{9}\d{8}\d{6}$")


@pytest.fixture
def catalogue(transactional_reference_data):
    """Published items in two departments (the generator only uses published items).

    On PostgreSQL the generator writes from a thread with its own connection, which
    commits: these tests commit too (and are flushed afterwards), or their rows would
    outlive them."""
    return [f.item(f.department("江门市民政局")), f.item(f.dept_like("公安", "440700"))]


def generate(count, **options):
    from io import StringIO

    out = StringIO()
    call_command("generate_cases", count=count, pool=20, stdout=out, **options)
    return out.getvalue()


def test_generates_cases_with_unique_well_formed_numbers_and_open_tasks(catalogue):
    output = generate(400)
    assert "生成办件 400 件" in output and "件/秒" in output

    cases = Case.objects.all()
    assert cases.count() == 400
    numbers = list(cases.values_list("number", flat=True))
    assert len(set(numbers)) == 400
    assert all(NUMBER.match(n) and len(n) == 29 for n in numbers)
    for case in cases.select_related("department")[:50]:
        department = case.department
        assert case.number[:6] == department.region_id[:6]
        assert case.number[6:15] == department.credit_code[8:17]
        assert case.number[15:23] == f"{timezone.localtime(case.submitted_at):%Y%m%d}"

    # Every case has its acceptance task; open cases (but decided ones) have one open task.
    assert not cases.annotate(n=Count("steps")).filter(n=0).exists()
    open_cases = cases.filter(state__in=OPEN_STATES).exclude(state=CaseState.DECIDED)
    assert open_cases.exists()
    tasks = CaseStep.objects.filter(state=StepState.OPEN)
    assert tasks.count() == open_cases.count()
    assert not tasks.exclude(case__state__in=OPEN_STATES).exists()
    assert not tasks.filter(due_date__isnull=True).exists()
    concluded = cases.filter(state=CaseState.CONCLUDED)
    assert concluded.exists()
    assert not CaseStep.objects.filter(case__in=concluded, state=StepState.OPEN).exists()
    assert tasks.first().case_number == tasks.first().case.number

    # Most cases are concluded; the largest department holds the largest share.
    assert open_cases.count() < 400 * 0.3
    shares = list(cases.values("department").annotate(n=Count("id")).order_by("-n"))
    assert shares[0]["n"] > shares[-1]["n"]


def test_a_second_run_continues_the_number_counters(catalogue):
    generate(150)
    generate(150, seed=7)
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 300
    counter = CaseNumberCounter.objects.order_by("-last").first()
    sequences = [
        int(n[-6:])
        for n in numbers
        if n.startswith(counter.department.region_id[:6]) and n[15:23] == f"{counter.day:%Y%m%d}"
        and n[6:15] == counter.department.credit_code[8:17]
    ]  # fmt: skip
    assert max(sequences) == counter.last


def test_refuses_a_count_that_is_not_positive():
    with pytest.raises(CommandError, match="--count"):
        generate(0)
