"""Working days left for a whole inbox page at once.

``clocks.step_remaining`` asks the calendar once per row (and reads the case's
suspensions); an inbox page of 50 rows must stay cheap. Rows of a running case have no
suspension between today and their due date (an open one would make the case suspended,
and those rows show "暂停计时" instead), so plain working days are right here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from govhall.core.services import calendar


def remaining_by_date(dates: Iterable[datetime.date | None], today: datetime.date) -> dict:
    """``{due date: working days from today}`` (negative when overdue)."""
    return calendar.remaining_for_dates(today, dates)
