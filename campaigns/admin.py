"""The administrator's screens for units, campaigns and their templates (DESIGN.md)."""

from __future__ import annotations

from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import (
    AdministrativeUnit,
    Campaign,
    Footnote,
    OutlinePoint,
    OutlineSection,
    ProblemKind,
    Region,
    TemplateColumn,
    TemplateRow,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order"]


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(GuardedModelAdmin):
    """Per-unit roles are granted here ("Object permissions"), as django-guardian offers."""

    list_display = ["code", "name", "kind", "region", "valid_from", "valid_to"]
    list_filter = ["region", "kind", "valid_from"]
    search_fields = ["code", "name"]


class FootnoteInline(admin.TabularInline):
    model = Footnote
    extra = 0


class ProblemKindInline(admin.TabularInline):
    model = ProblemKind
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["number", "issuer", "issued_on", "deadline"]
    filter_horizontal = ["units"]
    inlines = [FootnoteInline, ProblemKindInline]


class OutlinePointInline(admin.StackedInline):
    model = OutlinePoint
    extra = 0


@admin.register(OutlineSection)
class OutlineSectionAdmin(admin.ModelAdmin):
    list_display = ["campaign", "number", "title"]
    list_filter = ["campaign"]
    inlines = [OutlinePointInline]


@admin.register(TemplateRow)
class TemplateRowAdmin(admin.ModelAdmin):
    list_display = ["campaign", "code", "stt", "label", "parent"]
    list_filter = ["campaign"]


@admin.register(TemplateColumn)
class TemplateColumnAdmin(admin.ModelAdmin):
    list_display = ["campaign", "key", "label", "level", "kind", "origin", "field"]
    list_filter = ["campaign", "origin", "kind"]
