"""Working days in Việt Nam: weekends and public holidays (the ``holidays`` package), with the
days off and make-up working days the government swaps in some years (CalendarException).

Counting convention: ``working_days_left(today, due_day)`` counts the working days from
today to the due day, both included when they are working days: from Monday 27/4/2020 to
Tuesday 05/5/2020 there are five (27, 28, 29/4, 4 and 5/5; 30/4 and 1/5 are holidays and
2-3/5 a weekend). A due day already past gives a negative count of the working days since.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import holidays


@dataclass
class WorkingCalendar:
    days_off: set[datetime.date] = field(default_factory=set)
    working_days: set[datetime.date] = field(default_factory=set)
    _public: holidays.HolidayBase = field(default_factory=lambda: holidays.country_holidays("VN"))

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
        return day.weekday() < 5 and day not in self._public

    def count(self, start: datetime.date, end: datetime.date) -> int:
        """Working days from ``start`` to ``end``, both included."""
        if end < start:
            return 0
        return sum(
            1
            for n in range((end - start).days + 1)
            if self.is_working_day(start + datetime.timedelta(days=n))
        )

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
