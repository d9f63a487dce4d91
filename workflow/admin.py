"""Admin: the calendar's swapped days and the stage due days; the reminders sent, read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import CalendarException, Reminder, StageSchedule


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ["day", "kind", "note"]
    list_filter = ["kind"]
    date_hierarchy = "day"


@admin.register(StageSchedule)
class StageScheduleAdmin(admin.ModelAdmin):
    list_display = ["campaign", "stage", "offset", "due_on"]
    list_filter = ["campaign"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Read-only: what was sent, to whom and when."""

    list_display = ["submission", "stage", "due", "kind", "at", "by"]
    list_filter = ["kind", "stage"]
    date_hierarchy = "at"

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
