"""Working days in Việt Nam: the ``holidays`` package's working-day calendar (weekends, public
holidays, and the days off and make-up Saturdays the government swapped in the years it knows),
with the coordinator's own exceptions on top (CalendarException), which win for their days.

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

from .models import CalendarException


@functools.cache
def _country(year: int) -> holidays.HolidayBase:
    """The ``holidays`` package's calendar for Việt Nam, built once per process and year.

    It is built with the next year too: a make-up Saturday can serve the next year's Tết
    (27/12/2014 for Tết 2015), and the package records it with the year it serves.
    """
    return holidays.country_holidays("VN", years=(year, year + 1))


def package_working_day(day: datetime.date) -> bool:
    """The package's answer: weekends off, public holidays and the days off swapped in some
    years off, the make-up Saturdays of those swaps (04/5/2019, 04/5/2024, 26/4/2025) on."""
    return _country(day.year).is_working_day(day)


@functools.cache
def _package_exceptions(year: int) -> frozenset[datetime.date]:
    """The days of ``year`` the package does not treat as the weekday rule would: holidays on
    weekdays and make-up working days on weekends.

    Counting walks these instead of every day: a page counting working days from 2020 to
    today would otherwise ask the package about two thousand days on every request.
    """
    country = _country(year)
    candidates = set(country) | country.weekend_workdays
    return frozenset(
        day
        for day in candidates
        if day.year == year and package_working_day(day) == country.is_weekend(day)
    )


@dataclass
class WorkingCalendar:
    days_off: set[datetime.date] = field(default_factory=set)
    working_days: set[datetime.date] = field(default_factory=set)

    @classmethod
    def load(cls) -> WorkingCalendar:
        """The calendar with the exceptions kept in the database."""
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
        return package_working_day(day)

    def count(self, start: datetime.date, end: datetime.date) -> int:
        """Working days from ``start`` to ``end``, both included.

        Weekdays are counted by arithmetic, then the days the package or the coordinator
        treat otherwise are applied, so a span of years costs no more than a week.
        """
        if end < start:
            return 0
        days = (end - start).days + 1
        weeks, rest = divmod(days, 7)
        weekdays = weeks * 5 + sum(1 for n in range(rest) if (start.weekday() + n) % 7 < 5)
        package = {
            day
            for year in range(start.year, end.year + 1)
            for day in _package_exceptions(year)
            if start <= day <= end
        }
        for day in package | {d for d in self.days_off | self.working_days if start <= d <= end}:
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
