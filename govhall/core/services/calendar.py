"""Working-day arithmetic: the one place that computes deadlines (行政许可法 Art. 82).

Time limits count working days: Monday–Friday, minus statutory holidays, plus make-up
working days (调休). Counting starts the day after the start date. Suspensions (补正,
hearing, testing, expert review) stop the clock: a working day inside a suspension
does not count.

The exceptions live in the database (``CalendarDay``), loaded per year from the
``chinesecalendar`` package or by a hall administrator. A computation that needs a
year with no data still answers — treating that year's weekdays as working days —
but says so through ``complete=False`` and ``missing_years``, so callers never take a
guess for a fact.
"""

from __future__ import annotations

import datetime
import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections, router, transaction

from ..errors import refuse
from ..models.calendar import CalendarDay, CalendarYear
from . import audit

ONE_DAY = datetime.timedelta(days=1)
# Longest stretch we will walk; 20 years of working days is far beyond any statutory limit.
MAX_WORKING_DAYS = 5000
# Longest span ``working_days_between`` walks (about 30 years), so no request walks millennia.
MAX_SPAN_DAYS = 11000
# Years an administrator may load (PositiveSmallIntegerField; beyond this is a typo).
FIRST_YEAR, LAST_YEAR = 1949, 2999
NAME_MAX_LENGTH = CalendarDay._meta.get_field("name").max_length
NOTICE_MAX_LENGTH = CalendarYear._meta.get_field("notice").max_length


@dataclass(frozen=True)
class Interval:
    """A closed interval of dates during which the clock stands still."""

    start: datetime.date
    end: datetime.date

    def __post_init__(self):
        if self.end < self.start:
            raise refuse("suspensions", "order", "暂停期间的结束日期不能早于开始日期。")

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class DueDate:
    due_date: datetime.date
    complete: bool
    missing_years: tuple[int, ...] = ()

    @property
    def warning(self) -> str:
        if self.complete:
            return ""
        years = "、".join(str(y) for y in self.missing_years)
        return (
            f"缺少{years}年的法定节假日安排，已按周一至周五为工作日推算，"
            "结果可能不准确；请管理员载入该年度节假日。"
        )


@dataclass(frozen=True)
class Elapsed:
    working_days: int
    complete: bool
    missing_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Snapshot:
    """An in-memory copy of the calendar table, rebuilt when the table changes."""

    known_years: frozenset[int]
    holidays: frozenset[datetime.date]
    workdays: frozenset[datetime.date]
    version: tuple = ()

    def is_working_day(self, day: datetime.date) -> bool:
        if day.year not in self.known_years:
            return day.weekday() < 5
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


_snapshot: _Snapshot | None = None


def _current_version() -> tuple:
    """The table's version, read from the database itself on every computation.

    Each ``load_year`` moves ``loaded_at`` and deleting a year changes the count, so the
    pair changes with every edit. Reading it from the database (one tiny query) rather
    than from a per-process cache means every web process and worker sees an edit at
    once, a transaction sees its own uncommitted load, and a rolled-back load is
    forgotten: the version then no longer matches and the snapshot is rebuilt.
    """
    connection = connections[router.db_for_read(CalendarYear)]
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(connection))
        years, last = cursor.fetchone()
    # As the ORM reads a datetime back (SQLite: text, made aware); PostgreSQL's is aware.
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    if convert is not None and last is not None:
        last = convert(last, None, connection)
    return (years, last)


def _version_sql(connection) -> str:
    """Written out: it runs before every deadline computed (each submission and handling
    action), and the ORM compiled the same aggregate each time."""
    quote = connection.ops.quote_name
    return (
        f"SELECT COUNT({quote('year')}), MAX({quote('loaded_at')}) "
        f"FROM {quote(CalendarYear._meta.db_table)}"
    )


def version() -> str:
    """The calendar's version as text (see ``_current_version``), for a caller that
    remembers which calendar it computed with."""
    years, last = _current_version()
    return f"{years}:{last.isoformat() if last else '-'}"


def invalidate() -> None:
    """Drop this process's snapshot; the next computation reads the table again."""
    global _snapshot
    _snapshot = None


_pin = threading.local()


@contextmanager
def pinned() -> Iterator[None]:
    """One snapshot for every computation inside the block: the version is read once.

    For one service call that computes several dates and loads no calendar meanwhile
    (a submission: the case's clocks, then its first task's), so it asks the database
    once instead of once per date. Nested blocks share the outermost one's snapshot.
    """
    if getattr(_pin, "snapshot", None) is not None:
        yield
        return
    _pin.snapshot = _load()
    try:
        yield
    finally:
        _pin.snapshot = None


def _load() -> _Snapshot:
    global _snapshot
    held = getattr(_pin, "snapshot", None)
    if held is not None:
        return held
    version = _current_version()
    snapshot = _snapshot
    if snapshot is None or snapshot.version != version:
        holidays, workdays = set(), set()
        for day, kind in CalendarDay.objects.values_list("date", "kind"):
            (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).add(day)
        snapshot = _Snapshot(
            known_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
            holidays=frozenset(holidays),
            workdays=frozenset(workdays),
            version=version,
        )
        _snapshot = snapshot
    return snapshot


class _Walk:
    """One computation's view: the snapshot plus the unknown years it touched."""

    def __init__(self, suspensions: Iterable[Interval] = ()):
        self.cal = _load()
        self.missing: set[int] = set()
        merged = _merge(suspensions)
        self._starts = [i.start for i in merged]
        self._ends = [i.end for i in merged]

    def suspended(self, day: datetime.date) -> bool:
        idx = bisect_right(self._starts, day) - 1
        return idx >= 0 and day <= self._ends[idx]

    def counts(self, day: datetime.date) -> bool:
        if day.year not in self.cal.known_years:
            self.missing.add(day.year)
        return self.cal.is_working_day(day) and not self.suspended(day)

    @property
    def missing_years(self) -> tuple[int, ...]:
        return tuple(sorted(self.missing))


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for interval in sorted(intervals, key=lambda i: i.start):
        if merged and interval.start <= merged[-1].end + ONE_DAY:
            last = merged[-1]
            merged[-1] = Interval(last.start, max(last.end, interval.end))
        else:
            merged.append(interval)
    return merged


# --- public API ------------------------------------------------------------------------


def is_working_day(day: datetime.date) -> bool:
    return _load().is_working_day(day)


def is_known_year(year: int) -> bool:
    return year in _load().known_years


def add_working_days(
    start: datetime.date, working_days: int, suspensions: Sequence[Interval] = ()
) -> DueDate:
    """The date of the Nth working day after ``start`` (``start`` itself is not counted).

    With N = 0 the answer is ``start`` itself if it is a working day, else the next
    working day (a period ending on a holiday moves to the next working day).
    """
    if working_days < 0:
        raise refuse("working_days", "min_value", "工作日数不能为负数。")
    if working_days > MAX_WORKING_DAYS:
        raise refuse("working_days", "max_value", f"工作日数不能超过{MAX_WORKING_DAYS}。")
    walk = _Walk(suspensions)
    day = start
    try:
        if working_days == 0:
            while not walk.counts(day):
                day += ONE_DAY
            return DueDate(day, not walk.missing, walk.missing_years)
        remaining = working_days
        while remaining:
            day += ONE_DAY
            if walk.counts(day):
                remaining -= 1
    except OverflowError:
        raise refuse(
            "start", "out_of_range", "起算日期过晚：期限将超出可表示的日期范围（9999年）。"
        ) from None
    return DueDate(day, not walk.missing, walk.missing_years)


class Batch:
    """``add_working_days`` for many computations on one snapshot of the calendar.

    The walk above visits every day; the deadline scan recomputes a hundred thousand cases
    at once, so this answers by bisection over the working days of a window around ``on``
    (a few years either side) and skips each suspension whole. Anything outside the window,
    or a count out of bounds, goes to ``add_working_days`` itself; the answers are the same
    (tested against it).
    """

    def __init__(self, on: datetime.date, years: int = 4):
        self.cal = _load()
        self.first = on - datetime.timedelta(days=366 * years)
        last = on + datetime.timedelta(days=366 * years)
        span = (last - self.first).days + 1
        days = (self.first + datetime.timedelta(days=n) for n in range(span))
        self.work = [n for n, day in enumerate(days) if self.cal.is_working_day(day)]
        self._answers: dict[tuple, DueDate] = {}

    def add(
        self, start: datetime.date, working_days: int, suspensions: Sequence[Interval] = ()
    ) -> DueDate:
        key = tuple(suspensions)
        # Cases submitted and suspended on the same days ask the same questions.
        found = self._answers.get((start, working_days, key))
        if found is None:
            found = self._answers[start, working_days, key] = self._add(start, working_days, key)
        return found

    def _add(self, start: datetime.date, working_days: int, suspensions: tuple) -> DueDate:
        if not 0 <= working_days <= MAX_WORKING_DAYS or start < self.first:
            return add_working_days(start, working_days, suspensions)
        work, first = self.work, self.first
        position = (start - first).days
        stops = [((i.start - first).days, (i.end - first).days) for i in _merge(suspensions)]
        if working_days == 0:
            found = None
            while found is None:
                k = bisect_left(work, position)
                if k == len(work):
                    return add_working_days(start, working_days, suspensions)
                found = work[k]
                for stop_start, stop_end in stops:
                    if stop_start <= found <= stop_end:
                        position, found = stop_end + 1, None
                        break
            walked_from = start
        else:
            remaining = working_days
            found = None
            for stop_start, stop_end in stops:
                if stop_end <= position:
                    continue
                k = bisect_right(work, position)
                if k + remaining - 1 < len(work) and work[k + remaining - 1] < stop_start:
                    found = work[k + remaining - 1]
                    break
                remaining -= max(0, bisect_left(work, stop_start) - k)
                position = stop_end
            if found is None:
                k = bisect_right(work, position) + remaining - 1
                if k >= len(work):
                    return add_working_days(start, working_days, suspensions)
                found = work[k]
            walked_from = start + ONE_DAY
        due = first + datetime.timedelta(days=found)
        known = self.cal.known_years
        missing = tuple(y for y in range(walked_from.year, due.year + 1) if y not in known)
        return DueDate(due, not missing, missing)


def working_days_between(
    start: datetime.date, end: datetime.date, suspensions: Sequence[Interval] = ()
) -> Elapsed:
    """Working days elapsed after ``start`` up to and including ``end`` (0 if end ≤ start)."""
    if (end - start).days > MAX_SPAN_DAYS:
        raise refuse("end", "max_span", f"起止日期相隔不能超过{MAX_SPAN_DAYS}天（约30年）。")
    walk = _Walk(suspensions)
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        if walk.counts(day):
            count += 1
    return Elapsed(count, not walk.missing, walk.missing_years)


def remaining_working_days(
    today: datetime.date, due: datetime.date, suspensions: Sequence[Interval] = ()
) -> int:
    """Working days left until ``due``; negative when overdue (days past, counted likewise)."""
    if due >= today:
        return working_days_between(today, due, suspensions).working_days
    return -working_days_between(due, today, suspensions).working_days


def remaining_for_dates(
    today: datetime.date, dues: Iterable[datetime.date | None]
) -> dict[datetime.date, int]:
    """``remaining_working_days`` for many due dates at once (an inbox page): one snapshot
    read and one walk over the span, instead of one of each per row."""
    wanted = sorted({d for d in dues if d is not None})
    if not wanted:
        return {}
    walk = _Walk()
    start, end = min(wanted[0], today), max(wanted[-1], today)
    if (end - start).days > 800:  # a due date years away: ask per date
        return {d: remaining_working_days(today, d) for d in wanted}
    counted, running, day = {start: 0}, 0, start
    while day < end:
        day += ONE_DAY
        if walk.counts(day):
            running += 1
        counted[day] = running
    return {d: counted[d] - counted[today] for d in wanted}


def exceptions_in(year: int) -> list[CalendarDay]:
    return list(CalendarDay.objects.filter(year_id=year).order_by("date"))


# --- loading years -------------------------------------------------------------------


@dataclass(frozen=True)
class DayEntry:
    date: datetime.date
    kind: str
    name: str = ""


def parse_day_lines(text: str) -> list[DayEntry]:
    """Parse ``date kind name`` lines (an administrator's list or a CSV); errors name the line.

    ``kind`` is ``holiday`` / ``workday`` (or 休 / 班, as the State Council notices mark them).
    """
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        # A spreadsheet's UTF-8 export starts with a byte-order mark and may quote fields.
        line = raw.replace("\ufeff", "").replace('"', " ").strip()
        if not line or line.startswith("#") or line.lower().startswith(("date", "日期")):
            continue
        parts = line.replace(",", " ").replace("，", " ").replace("、", " ").split()
        if len(parts) < 2:
            raise refuse("days", "format", f"第{number}行格式错误：应为“日期 类别 名称”。")
        try:
            day = datetime.date.fromisoformat(parts[0])
        except ValueError:
            raise refuse(
                "days", "date", f"第{number}行日期“{parts[0]}”无效，应为YYYY-MM-DD。"
            ) from None
        kind = {"休": CalendarDay.Kind.HOLIDAY, "班": CalendarDay.Kind.WORKDAY}.get(
            parts[1], parts[1]
        )
        if kind not in CalendarDay.Kind.values:
            raise refuse(
                "days", "kind", f"第{number}行类别“{parts[1]}”无效，应为holiday或workday。"
            )
        entries.append(DayEntry(day, kind, " ".join(parts[2:])))
    return entries


# The State Council's yearly notice (国务院办公厅关于YYYY年部分节假日安排的通知) lists
# each holiday as "二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，
# 共8天。1月26日（周日）、2月8日（周六）上班。" — pasted as it is published.
_SECTION = re.compile(r"[一二三四五六七八九十]+、\s*([^：:\n]{1,30})[：:]")
_PAREN = re.compile(r"[（(][^）)]*[）)]")
_DATE = r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日"
_RANGE = re.compile(_DATE + r"(?:\s*[至到—～~-]\s*" + _DATE + r")?")
_NOTICE_TITLE = re.compile(r"国务院办公厅关于\s*\d{4}\s*年部分节假日安排的通知")


def looks_like_notice(text: str) -> bool:
    return bool(_SECTION.search(text or "")) and "放假" in (text or "")


def notice_title(text: str) -> str:
    """The notice's title when the paste includes it (for ``CalendarYear.notice``)."""
    found = _NOTICE_TITLE.search((text or "").replace(" ", ""))
    return found.group(0) if found else ""


def parse_notice(text: str, year: int) -> list[DayEntry]:
    """Holidays and make-up working days of ``year`` from the notice's text.

    Each numbered section gives the holiday's name, its run of days off (a date, or a
    range "至") before "放假", and the make-up working days ("…上班") after it. Days of
    another year (a New Year run starting in December) are left for that year's list.
    Errors name the section.
    """
    text = _PAREN.sub("", (text or "").replace("\ufeff", ""))
    sections = list(_SECTION.finditer(text))
    if not sections:
        raise refuse(
            "days", "notice_format", "未找到“一、元旦：……放假”这样的条目，请粘贴通知正文。"
        )
    entries: list[DayEntry] = []
    for position, section in enumerate(sections):
        name = section.group(1).strip()
        end = sections[position + 1].start() if position + 1 < len(sections) else len(text)
        body = text[section.end() : end]
        off, _sep, rest = body.partition("放假")
        if not _sep:
            raise refuse("days", "notice_format", f"“{name}”一条没有写明放假日期。")
        runs = list(_RANGE.finditer(off))
        if not runs:
            raise refuse("days", "notice_format", f"“{name}”一条的放假日期无法识别。")
        for run in runs:
            first = _notice_date(run.group(1), run.group(2), run.group(3), year, None, name)
            last = first
            if run.group(6):
                last = _notice_date(
                    run.group(4), run.group(5), run.group(6), first.year, first.month, name
                )
            if last < first or (last - first).days > 31:
                raise refuse("days", "notice_format", f"“{name}”一条的放假起止日期有误。")
            day = first
            while day <= last:
                entries.append(DayEntry(day, CalendarDay.Kind.HOLIDAY, name))
                day += ONE_DAY
        for sentence in re.split(r"[。；;\n]", rest):
            if "上班" not in sentence:
                continue
            for match in re.finditer(_DATE, sentence):
                day = _notice_date(*match.groups(), year, None, name)
                entries.append(DayEntry(day, CalendarDay.Kind.WORKDAY, name))
    return [e for e in entries if e.date.year == year]


def _notice_date(y, m, d, year: int, month: int | None, name: str) -> datetime.date:
    try:
        return datetime.date(int(y or year), int(m or month or 0), int(d))
    except ValueError:
        raise refuse("days", "notice_format", f"“{name}”一条中的日期无效。") from None


def validate_entries(year: int, entries: Iterable[DayEntry]) -> list[DayEntry]:
    """Check one year's list before anything is written; errors name the day."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise refuse(
            "year", "out_of_range", f"年份须在{FIRST_YEAR}至{LAST_YEAR}之间，当前为{year}。"
        )
    entries = sorted(entries, key=lambda e: e.date)
    seen: set[datetime.date] = set()
    for entry in entries:
        if entry.date.year != year:
            raise refuse(
                "date", "year_mismatch", f"日期{entry.date}不属于{year}年，请检查后重新载入。"
            )
        if entry.kind not in CalendarDay.Kind.values:
            raise refuse("kind", "invalid", f"日期{entry.date}的类别“{entry.kind}”无效。")
        if entry.date in seen:
            raise refuse("date", "duplicate", f"日期{entry.date}重复出现。")
        if len(entry.name) > NAME_MAX_LENGTH:
            raise refuse(
                "name", "max_length", f"日期{entry.date}的名称不能超过{NAME_MAX_LENGTH}个字。"
            )
        if entry.kind == CalendarDay.Kind.WORKDAY and entry.date.weekday() < 5:
            raise refuse(
                "date",
                "workday_on_weekday",
                f"{entry.date}是周一至周五，本就是工作日，不能登记为调休上班日。",
            )
        seen.add(entry.date)
    return entries


def _listing(days: Iterable[CalendarDay | DayEntry]) -> list[str]:
    return [f"{d.date.isoformat()} {d.kind} {d.name}".strip() for d in days]


def load_year(
    year: int,
    entries: Iterable[DayEntry],
    *,
    source: str = CalendarYear.Source.ADMIN,
    notice: str = "",
    user=None,
) -> CalendarYear:
    """Replace one year's holidays and make-up days atomically, and mark the year known.

    Everything is validated before the first write, so a bad list changes nothing.
    Each load is one audit entry (before and after lists) rather than one per day.
    """
    entries = validate_entries(year, entries)
    if source not in CalendarYear.Source.values:
        raise refuse("source", "invalid", f"来源“{source}”无效。")
    if len(notice) > NOTICE_MAX_LENGTH:
        raise refuse("notice", "max_length", f"依据文件名称不能超过{NOTICE_MAX_LENGTH}个字。")

    with transaction.atomic():
        before_year = CalendarYear.objects.filter(year=year).first()
        before = None
        if before_year is not None:
            before = {
                "days": _listing(exceptions_in(year)),
                "source": before_year.source,
                "notice": before_year.notice,
                "loaded_by": before_year.loaded_by_id,
            }
        CalendarDay.objects.filter(year_id=year).delete()
        calendar_year, _created = CalendarYear.objects.update_or_create(
            year=year, defaults={"source": source, "notice": notice, "loaded_by": user}
        )
        CalendarDay.objects.bulk_create(
            CalendarDay(date=e.date, year=calendar_year, kind=e.kind, name=e.name) for e in entries
        )
        audit.record(
            audit.Action.IMPORT,
            instance=calendar_year,
            before=before,
            after={
                "days": _listing(entries),
                "source": source,
                "notice": notice,
                "loaded_by": getattr(user, "pk", None),
            },
            reason=f"载入{year}年节假日安排",
        )
    # Not strictly needed (snapshots are versioned by the table, see _current_version),
    # but it frees the stale copy at once.
    invalidate()
    return calendar_year


def package_years() -> range:
    """The years the installed chinesecalendar package knows."""
    import chinese_calendar

    known = sorted({d.year for d in chinese_calendar.holidays})
    return range(known[0], known[-1] + 1)


def entries_from_package(year: int) -> list[DayEntry]:
    """Holidays and make-up days of ``year`` as published in ``chinesecalendar``."""
    import chinese_calendar

    entries = []
    # Weekends inside a holiday run are listed too: they are rest days either way, and
    # the administrator's view shows the whole run.
    for day, name in sorted(chinese_calendar.holidays.items()):
        if day.year == year:
            entries.append(DayEntry(day, CalendarDay.Kind.HOLIDAY, _holiday_name(name)))
    for day, name in sorted(chinese_calendar.workdays.items()):
        if day.year == year:
            entries.append(DayEntry(day, CalendarDay.Kind.WORKDAY, _holiday_name(name)))
    return entries


_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def _holiday_name(name: str) -> str:
    return _NAMES.get(name, name)


def load_years_from_package(years: Iterable[int] | None = None) -> list[int]:
    """Seed the table from the package (idempotent: unchanged years stay untouched).

    A year an administrator loaded or edited (source other than the package) is never
    overwritten: the administrator may have corrected or added what the package lacks.
    """
    available = package_years()
    loaded = []
    for year in available if years is None else years:
        if year not in available:
            raise refuse(
                "year",
                "not_in_package",
                f"chinesecalendar软件包没有{year}年的节假日安排"
                f"（仅有{available[0]}–{available[-1]}年），请由管理员按国务院通知录入。",
            )
        existing = CalendarYear.objects.filter(year=year).first()
        if existing is not None and existing.source != CalendarYear.Source.PACKAGE:
            continue  # an administrator's edits win over the package
        entries = entries_from_package(year)
        if existing is not None and _listing(exceptions_in(year)) == _listing(
            sorted(entries, key=lambda e: e.date)
        ):
            continue
        load_year(year, entries, source=CalendarYear.Source.PACKAGE, notice="chinesecalendar")
        loaded.append(year)
    return loaded
