"""Working days left for a whole inbox page at once.

``clocks.step_remaining`` asks the calendar once per row (and reads the case's
suspensions); an inbox page of 50 rows must stay one query. Rows of a running case have
no suspension between today and their due date (an open one would make the case
suspended, and those rows show "暂停计时" instead), so the count is plain working days:
the same rule as ``govhall.core.services.calendar`` (Monday–Friday, minus holidays,
plus make-up working days), read from the calendar table in one query for the page.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from govhall.core.models.calendar import CalendarDay
from govhall.core.services import calendar

MAX_SPAN_DAYS = 800  # beyond this (a due date years away) ask the calendar row by row


def remaining_by_date(dates: Iterable[datetime.date | None], today: datetime.date) -> dict:
    """``{due date: working days from today}`` (negative when overdue)."""
    wanted = {d for d in dates if d is not None}
    near = {d for d in wanted if abs((d - today).days) <= MAX_SPAN_DAYS}
    result = {d: calendar.remaining_working_days(today, d) for d in wanted - near}
    if not near:
        return result
    start, end = min(*near, today), max(*near, today)
    kinds = dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "kind"))
    counted, running, day = {}, 0, start
    while day <= end:
        kind = kinds.get(day)
        if kind == CalendarDay.Kind.WORKDAY or (kind is None and day.weekday() < 5):
            running += 1
        counted[day] = running
        day += calendar.ONE_DAY
    result.update({d: counted[d] - counted[today] for d in near})
    return result
