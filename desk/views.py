"""Drafting pages: thin views over access helpers, selectors and services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.measures import appendix_of, facts_of, headline_totals
from core import spreadsheet
from core.downloads import private_file_response
from receipts.pdf import render_report
from submissions import selectors, services, xlsx, xlsx_import
from submissions import values as line_values
from submissions.attachments import inspect_upload
from submissions.forms import (
    AddSubItemForm,
    AppendixImportForm,
    AttachmentForm,
    LineItemForm,
    NarrativeForm,
)
from submissions.models import LineItem, Submission
from submissions.readiness import readiness_of
from workflow import access
from workflow import selectors as workflow_selectors
from workflow.deadlines import submission_deadlines

MAX_ERRORS_SHOWN = 200


def _actor(request: HttpRequest) -> User:
    """The logged-in user (every view here is behind login_required)."""
    return cast(User, request.user)


def _revision(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return -1


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("reviews:inbox")


@login_required
def submission_list(request: HttpRequest) -> HttpResponse:
    submissions = (
        access.submissions_for_user(request.user)
        .select_related("campaign", "unit__region")
        .order_by("campaign", "unit__code")
    )
    return render(request, "submissions/list.html", {"submissions": submissions})


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = access.get_submission_for_user_or_404(request.user, pk)
    lines = selectors.appendix_lines(submission)
    table = selectors.appendix_table(submission, lines)
    standing, stage_deadlines = submission_deadlines(submission)
    return render(
        request,
        "submissions/detail.html",
        {
            "submission": submission,
            "readiness": readiness_of(submission, lines),
            # The report's totals as its letter names them (the definition's amounts, a sum
            # in the place of its parts), each with the grand total's figure.
            "totals": [
                (key, label, table[-1].totals.get(key))
                for key, label in headline_totals(appendix_of(submission.campaign))
            ],
            "attachments": submission.attachments.all(),
            "editable": access.can_edit_submission(request.user, submission),
            "actions": access.available_transitions(request.user, submission),
            "next_roles": workflow_selectors.who_acts_next(submission),
            "reopen_roles": workflow_selectors.who_may_reopen(submission),
            "timeline": workflow_selectors.timeline(submission),
            "returned": workflow_selectors.current_return(submission),
            "due": standing.due,
            "standing": standing,
            "stage_deadlines": stage_deadlines,
            "extensions": submission.extensions.select_related("by"),
            "can_extend": access.is_national(request.user),
            "tab": "overview",
        },
    )


def _line_forms(
    submission: Submission, lines: list[Any], data: Any = None
) -> dict[int, LineItemForm]:
    appendix = appendix_of(submission.campaign)
    measures = line_values.for_campaign(submission.campaign)
    return {
        line.pk: LineItemForm(
            data, instance=line, prefix=f"l{line.pk}", appendix=appendix, measures=measures
        )
        for line in lines
    }


@login_required
@require_http_methods(["GET", "POST"])
def appendix_edit(request: HttpRequest, pk: int) -> HttpResponse:
    submission = access.get_submission_for_user_or_404(request.user, pk)
    editable = access.can_edit_submission(request.user, submission)
    lines = selectors.appendix_lines(submission)
    forms = _line_forms(submission, lines)
    add_errors: dict[int, str] = {}
    if request.method == "POST":
        if not editable:
            messages.error(
                request, _("This submission can no longer be edited at its current stage.")
            )
            return redirect(submission)
        forms = _line_forms(submission, lines, request.POST)
        action = request.POST.get("action", "save")
        add_to_group, new_label, remove_line_id = None, "", None
        if action.startswith("add:"):
            group = (
                submission.campaign.rows.filter(
                    pk=action.removeprefix("add:"), parent__isnull=True
                ).first()
                if action.removeprefix("add:").isdigit()
                else None
            )
            if group is not None:
                add_form = AddSubItemForm({"label": request.POST.get(f"new-label-{group.pk}", "")})
                if add_form.is_valid():
                    new_label = add_form.cleaned_data["label"]
                else:
                    add_errors[group.pk] = " ".join(map(str, add_form.errors["label"]))
            add_to_group = group
        elif action.startswith("remove:") and action.removeprefix("remove:").isdigit():
            remove_line_id = int(action.removeprefix("remove:"))
        if all(f.is_valid() for f in forms.values()) and not add_errors:
            try:
                services.appendix_save(
                    actor=_actor(request),
                    submission=submission,
                    revision=_revision(request),
                    values={pk_: f.cleaned_data for pk_, f in forms.items()},
                    add_to_group=add_to_group,
                    new_label=new_label,
                    remove_line_id=remove_line_id,
                )
            except services.SubmissionError as exc:
                messages.error(request, str(exc))
                return redirect("submissions:appendix", pk=submission.pk)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The appendix was saved."))
                return redirect(reverse("submissions:appendix", kwargs={"pk": submission.pk}))
        else:
            messages.error(
                request,
                _("Nothing was saved: correct the fields marked in red and save again."),
            )
    return _appendix_page(request, submission, lines, forms, add_errors=add_errors)


@dataclass(frozen=True)
class EditedRow:
    """A row of the appendix page with the form of its line (none for group sums and the
    grand total)."""

    row: selectors.TableRow
    form: LineItemForm | None


def _appendix_page(
    request: HttpRequest,
    submission: Submission,
    lines: list[LineItem],
    forms: dict[int, LineItemForm],
    *,
    add_errors: dict[int, str] | None = None,
    import_errors: list[str] | None = None,
    preview: dict[str, str] | None = None,
) -> HttpResponse:
    table = [
        EditedRow(row, forms.get(row.line.pk) if row.line else None)
        for row in selectors.appendix_table(submission, lines)
    ]
    import_errors = import_errors or []
    return render(
        request,
        "submissions/appendix.html",
        {
            "submission": submission,
            "editable": preview is not None or access.can_edit_submission(request.user, submission),
            "preview": preview,
            "table": table,
            "columns": selectors.column_tree(submission.campaign),
            "footnotes": submission.campaign.footnotes.all(),
            "add_errors": add_errors or {},
            "import_form": AppendixImportForm(),
            "import_errors": import_errors[:MAX_ERRORS_SHOWN],
            "import_errors_more": max(len(import_errors) - MAX_ERRORS_SHOWN, 0),
            "import_max_size": xlsx_import.max_bytes(),
            "returned": workflow_selectors.current_return(submission),
            # After a refused post the forms have written their unsaved input onto the
            # lines; readiness is of what is saved, so it reads them again then.
            "readiness": readiness_of(submission, lines if request.method == "GET" else None),
            "tab": "appendix",
        },
    )


@login_required
def appendix_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The appendix as an Excel workbook, filled with what is saved."""
    submission = access.get_submission_for_user_or_404(request.user, pk)
    content = xlsx.submission_workbook(
        submission, editable=access.can_edit_submission(request.user, submission)
    )
    response = HttpResponse(content, content_type=spreadsheet.CONTENT_TYPE)
    name = f"phu-luc-{submission.campaign.code}-{submission.unit.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def appendix_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a filled appendix workbook: every cell checked, then all saved or nothing."""
    submission = access.get_submission_for_user_or_404(request.user, pk)
    if not access.can_edit_submission(request.user, submission):
        messages.error(request, _("This submission can no longer be edited at its current stage."))
        return redirect(submission)
    form = AppendixImportForm(request.POST, request.FILES)
    errors: list[str] = []
    if not form.is_valid():
        errors = [str(e) for e in form.errors.get("file", [])]
    else:
        try:
            content = xlsx_import.check_package(form.cleaned_data["file"])
            imported = xlsx_import.read_appendix(content, submission)
            changed = services.appendix_import(
                actor=_actor(request),
                submission=submission,
                fingerprint=imported.fingerprint,
                values=imported.values,
            )
        except xlsx_import.ImportRefused as exc:
            errors = exc.messages
        except services.SubmissionError as exc:
            errors = [str(exc)]
        except ValidationError as exc:
            errors = exc.messages
        else:
            if changed:
                messages.success(
                    request,
                    ngettext(
                        "The Excel file was imported: %(count)s line changed.",
                        "The Excel file was imported: %(count)s lines changed.",
                        changed,
                    )
                    % {"count": changed},
                )
            else:
                messages.info(
                    request,
                    _("The file holds the same entries as the appendix: nothing was changed."),
                )
            return redirect("submissions:appendix", pk=submission.pk)
    messages.error(request, _("Nothing was imported from the Excel file: see the list below."))
    lines = selectors.appendix_lines(submission)
    return _appendix_page(
        request, submission, lines, _line_forms(submission, lines), import_errors=errors
    )


def _narrative_initial(submission: Submission) -> dict[str, Any]:
    answers = selectors.answers_by_point(submission)
    return {f"point_{pid}": a.text for pid, a in answers.items()} | {
        "treasury_refusal_count": submission.treasury_refusal_count,
        "treasury_refusal_amount": submission.treasury_refusal_amount,
        "treasury_refusal_note": submission.treasury_refusal_note,
        "problem_kinds": list(submission.problem_kinds.all()),
    }


def _narrative_page(
    request: HttpRequest,
    submission: Submission,
    form: NarrativeForm,
    sections: list[Any],
    *,
    editable: bool,
    preview: dict[str, str] | None = None,
) -> HttpResponse:
    return render(
        request,
        "submissions/narrative.html",
        {
            "submission": submission,
            "editable": editable,
            "preview": preview,
            "form": form,
            "sections": sections,
            "returned": workflow_selectors.current_return(submission),
            "readiness": readiness_of(submission),
            "tab": "narrative",
        },
    )


def appendix_preview(
    request: HttpRequest, submission: Submission, links: dict[str, str]
) -> HttpResponse:
    """The appendix page as the unit's drafter gets it, for a campaign's author to look at
    before it opens (``links``: the preview's own pages); nothing on it can be saved."""
    lines = selectors.appendix_lines(submission)
    return _appendix_page(request, submission, lines, _line_forms(submission, lines), preview=links)


def narrative_preview(
    request: HttpRequest, submission: Submission, links: dict[str, str]
) -> HttpResponse:
    """The narrative page as the unit's drafter gets it (see ``appendix_preview``)."""
    sections = list(selectors.outline(submission.campaign))
    form = NarrativeForm(
        initial=_narrative_initial(submission),
        sections=sections,
        facts=facts_of(submission.campaign),
    )
    return _narrative_page(request, submission, form, sections, editable=True, preview=links)


@login_required
@require_http_methods(["GET", "POST"])
def narrative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    submission = access.get_submission_for_user_or_404(request.user, pk)
    editable = access.can_edit_submission(request.user, submission)
    sections = list(selectors.outline(submission.campaign))
    initial = _narrative_initial(submission)
    facts = facts_of(submission.campaign)
    form = NarrativeForm(initial=initial, sections=sections, facts=facts, read_only=not editable)
    if request.method == "POST":
        if not editable:
            messages.error(
                request, _("This submission can no longer be edited at its current stage.")
            )
            return redirect(submission)
        form = NarrativeForm(request.POST, initial=initial, sections=sections, facts=facts)
        if form.is_valid():
            try:
                services.narrative_save(
                    actor=_actor(request),
                    submission=submission,
                    revision=_revision(request),
                    answers=form.answers(),
                    **form.facts_data(),
                )
            except services.SubmissionError as exc:
                messages.error(request, str(exc))
                return redirect("submissions:narrative", pk=submission.pk)
            messages.success(request, _("The narrative was saved."))
            return redirect("submissions:narrative", pk=submission.pk)
        messages.error(
            request, _("Nothing was saved: correct the fields marked in red and save again.")
        )
    return _narrative_page(request, submission, form, sections, editable=editable)


@login_required
@require_http_methods(["GET", "POST"])
def attachment_list(request: HttpRequest, pk: int) -> HttpResponse:
    submission = access.get_submission_for_user_or_404(request.user, pk)
    editable = access.can_edit_submission(request.user, submission)
    form = AttachmentForm()
    if request.method == "POST":
        if not editable:
            messages.error(
                request, _("This submission can no longer be edited at its current stage.")
            )
            return redirect(submission)
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                content, kind = inspect_upload(form.cleaned_data["file"])
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                try:
                    services.attachment_add(
                        actor=_actor(request),
                        submission=submission,
                        revision=_revision(request),
                        content=content,
                        original_name=form.cleaned_data["file"].name,
                        content_type=kind,
                        description=form.cleaned_data["description"],
                    )
                except services.SubmissionError as exc:
                    messages.error(request, str(exc))
                    return redirect("submissions:attachments", pk=submission.pk)
                messages.success(request, _("The file was attached."))
                return redirect("submissions:attachments", pk=submission.pk)
        messages.error(request, _("The file was not attached: see the message below."))
    return render(
        request,
        "submissions/attachments.html",
        {
            "submission": submission,
            "editable": editable,
            "form": form,
            "attachments": submission.attachments.select_related("uploaded_by"),
            "readiness": readiness_of(submission),
            "tab": "attachments",
            "max_size": settings.ATTACHMENT_MAX_BYTES,
        },
    )


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    attachment = access.get_attachment_for_user_or_404(request.user, pk, attachment_pk)
    return private_file_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = access.get_attachment_for_user_or_404(request.user, pk, attachment_pk)
    submission = attachment.submission
    try:
        services.attachment_remove(
            actor=_actor(request),
            submission=submission,
            revision=_revision(request),
            attachment_id=attachment.pk,
        )
    except services.SubmissionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The file was removed."))
    return redirect("submissions:attachments", pk=submission.pk)


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The submission as an official PDF document, at any stage."""
    submission = access.get_submission_for_user_or_404(request.user, pk)
    response = HttpResponse(render_report(submission), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bao-cao-{submission.unit.code}.pdf"'
    return response
