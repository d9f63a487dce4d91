"""The campaign administrator's pages: thin views over campaigns.definition (what a campaign
is and whether it is valid), workflow.lifecycle (its states) and the drafting pages of desk
(the preview).

A definition is uploaded as a JSON file (or started from a copy of an earlier campaign's);
every error is named by its path, in the user's language, and nothing is saved until the
whole file is valid. A draft is previewed as a unit's drafter will get it: its submission is
made inside a transaction that is rolled back once the page or workbook is rendered.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from campaigns import definition, excel_template
from campaigns.models import Campaign
from core import spreadsheet
from core.enums import Stage
from desk.views import appendix_preview, narrative_preview
from submissions import xlsx
from submissions.models import Submission
from submissions.services import submission_create
from workflow import access, lifecycle
from workflow.lifecycle import LifecycleError, available_moves

logger = logging.getLogger(__name__)
MAX_ERRORS_SHOWN = 200


class DefinitionUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Definition file (.json)"),
        help_text=gettext_lazy("At most 1 MB, in the format of campaigns/schema."),
    )


class AppendixExcelForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("The letter's appendix table (.xlsx)"))


def _administrator(request: HttpRequest) -> User:
    """The campaign administrator; anyone else is told the pages do not exist."""
    if not access.can_administer_campaigns(request.user):
        raise Http404
    return cast(User, request.user)


def _campaign(code: str) -> Campaign:
    try:
        return Campaign.objects.get(code=code)
    except Campaign.DoesNotExist:
        raise Http404 from None


def _errors_shown(errors: list[definition.DefinitionError]) -> dict[str, Any]:
    return {
        "errors": errors[:MAX_ERRORS_SHOWN],
        "errors_more": max(len(errors) - MAX_ERRORS_SHOWN, 0),
    }


def _read_definition(upload: Any) -> tuple[dict[str, Any] | None, list[definition.DefinitionError]]:
    """The uploaded definition, parsed and validated: no more than one byte past the limit is
    read, so an oversized file is refused without being read whole."""
    data, errors = definition.parse(upload.read(definition.MAX_BYTES + 1))
    return (None, errors) if errors else (data, [])


def _process(campaign: Campaign) -> list[str]:
    """The stages of the campaign's process, by their names in the user's language."""
    stages = {s.value: s.label for s in Stage}
    return [
        str(stages.get(step.get("key", ""), step.get("key", "")))
        for step in campaign.definition.get("process", [])
    ]


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    campaigns = Campaign.objects.order_by("-issued_on", "code")
    rows = [(c, c.units.count(), available_moves(c)) for c in campaigns]
    return render(request, "authoring/list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    """Upload a definition: a new draft, or a new version of a draft with the same code."""
    actor = _administrator(request)
    form = DefinitionUploadForm()
    errors: list[definition.DefinitionError] = []
    if request.method == "POST":
        form = DefinitionUploadForm(request.POST, request.FILES)
        if form.is_valid():
            data, errors = _read_definition(form.cleaned_data["file"])
            if data is not None:
                try:
                    campaign = definition.load(data)
                except definition.DefinitionRefused as exc:
                    errors = list(exc.errors)
                else:
                    messages.success(
                        request,
                        _("The definition is valid; campaign %(number)s is saved as a draft.")
                        % {"number": campaign.number},
                    )
                    logger.info("campaign %s: definition loaded by %s", campaign.code, actor)
                    return redirect("authoring:detail", code=campaign.code)
    return render(request, "authoring/new.html", {"form": form} | _errors_shown(errors))


@login_required
def campaign_detail(request: HttpRequest, code: str) -> HttpResponse:
    _administrator(request)
    campaign = _campaign(code)
    return render(
        request,
        "authoring/detail.html",
        {
            "campaign": campaign,
            "moves": available_moves(campaign),
            "units": campaign.units.count(),
            "sections": campaign.sections.count(),
            "points": sum(s.points.count() for s in campaign.sections.all()),
            "rows": campaign.rows.count(),
            "columns": campaign.columns.count(),
            "submissions": Submission.objects.filter(campaign=campaign).count(),
            "stages": _process(campaign),
            "form": DefinitionUploadForm(),
        },
    )


@login_required
def definition_download(request: HttpRequest, code: str) -> HttpResponse:
    """The campaign's definition as it was loaded: what to edit for the next letter."""
    _administrator(request)
    campaign = _campaign(code)
    return _json_file(campaign.definition, f"campaign-{campaign.code}.json")


@login_required
def campaign_copy(request: HttpRequest, code: str) -> HttpResponse:
    """A copy of the campaign's definition to start the next letter from (a download: its
    code, number and dates are the author's to set before it is uploaded)."""
    _administrator(request)
    campaign = _campaign(code)
    try:
        data = definition.copy_of(campaign)
    except definition.DefinitionRefused as exc:
        messages.error(request, " ".join(e.message for e in exc.errors))
        return redirect("authoring:detail", code=campaign.code)
    return _json_file(data, f"campaign-{data['code']}.json")


def _json_file(data: Any, name: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def campaign_move(request: HttpRequest, code: str, move: str) -> HttpResponse:
    actor = _administrator(request)
    campaign = _campaign(code)
    if move not in ("open", "close", "archive"):
        raise Http404
    try:
        started = lifecycle.campaign_move(actor=actor, campaign=campaign, move=move)
    except LifecycleError as exc:
        messages.error(request, str(exc))
    else:
        done = {
            "open": _("Campaign %(number)s is open: %(count)s units can draft their reports."),
            "close": _("Campaign %(number)s is closed: drafting and reminders have stopped."),
            "archive": _("Campaign %(number)s is archived: it can only be read."),
        }
        messages.success(request, done[move] % {"number": campaign.number, "count": started})
    return redirect("authoring:detail", code=campaign.code)


def _previewed(
    request: HttpRequest, code: str, render_for: Callable[[Submission], HttpResponse]
) -> HttpResponse:
    """What ``render_for`` makes of the first unit's submission, made and then rolled back."""
    _administrator(request)
    campaign = _campaign(code)
    if not campaign.is_editable:
        messages.error(request, _("Only a draft is previewed; this campaign's units have it."))
        return redirect("authoring:detail", code=campaign.code)
    if request.method == "POST":
        messages.info(request, _("Nothing is saved in a preview."))
        return redirect(request.path)
    unit = campaign.units.order_by("code").first()
    if unit is None:
        messages.error(request, _("The campaign has no units to preview it for."))
        return redirect("authoring:detail", code=campaign.code)
    with transaction.atomic():
        submission = submission_create(campaign=campaign, unit=unit)
        response = render_for(submission)
        transaction.set_rollback(True)
    return response


def _links(code: str) -> dict[str, str]:
    return {
        "appendix": reverse("authoring:preview-appendix", kwargs={"code": code}),
        "narrative": reverse("authoring:preview-narrative", kwargs={"code": code}),
        "xlsx": reverse("authoring:preview-xlsx", kwargs={"code": code}),
        "back": reverse("authoring:detail", kwargs={"code": code}),
    }


@login_required
@require_http_methods(["GET", "POST"])
def preview_appendix(request: HttpRequest, code: str) -> HttpResponse:
    return _previewed(request, code, lambda s: appendix_preview(request, s, _links(code)))


@login_required
@require_http_methods(["GET", "POST"])
def preview_narrative(request: HttpRequest, code: str) -> HttpResponse:
    return _previewed(request, code, lambda s: narrative_preview(request, s, _links(code)))


@login_required
def preview_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    def workbook(submission: Submission) -> HttpResponse:
        response = HttpResponse(
            xlsx.submission_workbook(submission, editable=True),
            content_type=spreadsheet.CONTENT_TYPE,
        )
        response["Content-Disposition"] = f'attachment; filename="phu-luc-{code}-xem-truoc.xlsx"'
        return response

    return _previewed(request, code, workbook)


@login_required
@require_http_methods(["GET", "POST"])
def appendix_from_excel(request: HttpRequest) -> HttpResponse:
    """The appendix part of a definition read from the letter's own Excel table (the header
    tree from its merged cells, the rows from its STT and task columns), to paste into a
    definition and complete with each leaf's measure."""
    _administrator(request)
    form = AppendixExcelForm()
    errors: list[definition.DefinitionError] = []
    if request.method == "POST":
        form = AppendixExcelForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            appendix, errors = excel_template.read_appendix(
                upload.read(excel_template.MAX_BYTES + 1)
            )
            if appendix is not None and not errors:
                return _json_file({"appendix": appendix}, "appendix-from-excel.json")
    return render(
        request, "authoring/appendix_from_excel.html", {"form": form} | _errors_shown(errors)
    )
