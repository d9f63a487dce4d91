"""The administrator's screen for submissions: read-only (DESIGN.md)."""

from __future__ import annotations

from django.contrib import admin

from .models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only: content changes go through the drafting pages, stages through the workflow."""

    list_display = ["unit", "campaign", "stage", "revision", "updated_at"]
    list_filter = ["campaign", "stage", "unit__region"]
    search_fields = ["unit__name", "unit__code"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
