"""``calendar.Batch`` answers exactly as ``add_working_days`` (the scan relies on it)."""

import datetime
import random

import pytest

from govhall.core.services import calendar
from govhall.core.services.calendar import Interval

pytestmark = pytest.mark.django_db


def test_batch_matches_the_walk_on_random_starts_counts_and_suspensions():
    rng = random.Random(7)
    on = datetime.date(2025, 9, 15)
    batch = calendar.Batch(on, years=2)
    checked = 0
    for _ in range(1500):
        start = on + datetime.timedelta(days=rng.randint(-900, 900))
        count = rng.choice([0, 0, 1, 2, 5, 10, 20, 60, rng.randint(0, 400)])
        suspensions = []
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            begin = start + datetime.timedelta(days=rng.randint(-20, 80))
            suspensions.append(Interval(begin, begin + datetime.timedelta(days=rng.randint(0, 60))))
        assert batch.add(start, count, suspensions) == calendar.add_working_days(
            start, count, suspensions
        ), (start, count, suspensions)
        checked += 1
    assert checked == 1500


def test_batch_reports_missing_years_and_falls_back_outside_its_window():
    on = datetime.date(2025, 1, 10)
    batch = calendar.Batch(on, years=1)
    far = datetime.date(2031, 12, 20)  # beyond the window and in a year with no data
    assert batch.add(far, 15) == calendar.add_working_days(far, 15)
    assert not batch.add(far, 15).complete
    early = datetime.date(2019, 3, 1)
    assert batch.add(early, 3) == calendar.add_working_days(early, 3)
    # a suspension running past the window's end
    long = [Interval(on, on + datetime.timedelta(days=900))]
    assert batch.add(on, 5, long) == calendar.add_working_days(on, 5, long)


def test_batch_refuses_what_the_walk_refuses():
    batch = calendar.Batch(datetime.date(2025, 1, 10), years=1)
    with pytest.raises(Exception, match="工作日数不能为负数"):
        batch.add(datetime.date(2025, 1, 10), -1)
