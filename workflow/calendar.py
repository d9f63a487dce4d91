"""Working days in Việt Nam: weekends and public holidays (the ``holidays`` package), with the
days off and make-up working days the government swaps in some years (CalendarException).

Counting convention: ``working_days_left(today, due_day)`` counts the working days from
today to the due day, both included when they are working days: from Monday 27/4/2020 to
Tuesday 05/5/2020 there are five (27, 28, 29/4, 4 and 5/5; 30/4 and 1/5 are holidays and
2-3/5 a weekend). A due day already past gives a negative count of the working days since.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field

import holidays


@functools.cache
def public_holidays(year: int) -> frozenset[datetime.date]:
    """Việt Nam's public holidays in ``year``: package data, computed once per process.

    Building the ``holidays`` calendar of a year costs about 2 ms, and a page counting
    working days from 2020 to today would otherwise pay it for every year on every request.
    """
    return frozenset(holidays.country_holidays("VN", years=year))


@dataclass
class WorkingCalendar:
    days_off: set[datetime.date] = field(default_factory=set)
    working_days: set[datetime.date] = field(default_factory=set)

    @classmethod
    def load(cls) -> WorkingCalendar:
        """The calendar with the exceptions kept in the database."""
        from .models import CalendarException

        calendar = cls()
        for day, kind in CalendarException.objects.values_list("day", "kind"):
            if kind == CalendarException.Kind.DAY_OFF:
                calendar.days_off.add(day)
            else:
                calendar.working_days.add(day)
        return calendar

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        return day.weekday() < 5 and day not in public_holidays(day.year)

    def count(self, start: datetime.date, end: datetime.date) -> int:
        """Working days from ``start`` to ``end``, both included.

        Weekdays are counted by arithmetic, then the exceptions in the range are applied, so
        a span of years costs no more than a week.
        """
        if end < start:
            return 0
        days = (end - start).days + 1
        weeks, rest = divmod(days, 7)
        weekdays = weeks * 5 + sum(1 for n in range(rest) if (start.weekday() + n) % 7 < 5)
        public = {
            day
            for year in range(start.year, end.year + 1)
            for day in public_holidays(year)
            if start <= day <= end
        }
        for day in public | {d for d in self.days_off | self.working_days if start <= d <= end}:
            if (day.weekday() < 5) != self.is_working_day(day):
                weekdays += -1 if day.weekday() < 5 else 1
        return weekdays

    def working_days_left(self, today: datetime.date, due: datetime.date) -> int:
        """Positive: working days still available up to ``due`` (today included when it is one).
        Negative: working days already gone since ``due``."""
        if today <= due:
            return self.count(today, due)
        return -self.count(due + datetime.timedelta(days=1), today)

    def add(self, day: datetime.date, working_days: int) -> datetime.date:
        """The working day ``working_days`` after (or, negative, before) ``day``."""
        step = 1 if working_days >= 0 else -1
        remaining = abs(working_days)
        while remaining:
            day += datetime.timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day
