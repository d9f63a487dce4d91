"""The coordinator's dashboard: monitor every province, export the list, send reminders."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from campaigns.models import Campaign
from core import spreadsheet
from monitoring import dashboard as monitoring
from notifications.reminders import ReminderError, reminders_send
from workflow import access, services
from workflow.calendar import WorkingCalendar
from workflow.deadlines import Schedule, ladder_of, planned_schedule
from workflow.forms import CalendarDayForm, StageScheduleForm
from workflow.models import CalendarException, StageSchedule


@login_required
def monitor_home(request: HttpRequest) -> HttpResponse:
    """The campaign with the latest deadline."""
    if not access.is_national(request.user):
        raise Http404
    campaign = Campaign.objects.started().order_by("-deadline", "-pk").first()
    if campaign is None:
        raise Http404
    return redirect("monitor:dashboard", code=campaign.code)


@login_required
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    campaign = access.get_campaign_for_monitoring_or_404(request.user, code)
    filters = monitoring.Filters.from_query(request.GET)
    board = monitoring.dashboard(campaign, filters)
    page = Paginator(board.shown, monitoring.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workflow/dashboard.html",
        {
            "campaign": campaign,
            "campaigns": Campaign.objects.started().order_by("-issued_on", "code"),
            "board": board,
            "filters": filters,
            "page": page,
            "stages": monitoring.stages_of(campaign),
            "statuses": monitoring.STATUS_ORDER,
        },
    )


def _columns() -> list[str]:
    return [
        _("Code"),
        _("Unit"),
        _("Region"),
        _("Stage"),
        _("In the stage since"),
        _("Days in the stage"),
        _("Stage due"),
        _("Working days left"),
        _("Stage status"),
        _("Province's deadline"),
        _("Province's status"),
        _("Reached the ministry"),
        _("Held by"),
        _("Last action"),
        _("By"),
        _("At"),
    ]


def _values(row: monitoring.Row) -> list[Any]:
    def local(moment: Any) -> Any:
        return timezone.localtime(moment).replace(tzinfo=None) if moment else None

    return [
        row.code,
        row.unit,
        row.region,
        row.stage_label,
        local(row.entered_at),
        row.in_stage.days,
        row.stage_due,
        row.stage_left,
        row.stage_status_label,
        row.province_due,
        row.province_status_label,
        local(row.reached_at),
        row.holder,
        row.last_action,
        row.last_actor,
        local(row.last_at),
    ]


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return value.strftime("%d/%m/%Y %H:%M")
    if hasattr(value, "day"):
        return value.strftime("%d/%m/%Y")
    return value


@login_required
def export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The filtered list, all pages, as CSV (UTF-8 with BOM, for Excel) or XLSX."""
    campaign = access.get_campaign_for_monitoring_or_404(request.user, code)
    board = monitoring.dashboard(campaign, monitoring.Filters.from_query(request.GET))
    stamp = timezone.localtime(board.now).strftime("%Y%m%d-%H%M")
    name = f"theo-doi-{campaign.code}-{stamp}"
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(_columns())
        for row in board.shown:
            writer.writerow([_csv_cell(v) for v in _values(row)])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            monitoring.xlsx(campaign, board, _columns(), [_values(r) for r in board.shown]),
            content_type=spreadsheet.CONTENT_TYPE,
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_POST
def remind(request: HttpRequest, code: str) -> HttpResponse:
    campaign = access.get_campaign_for_monitoring_or_404(request.user, code)
    ids = [int(v) for v in request.POST.getlist("submission") if v.isdigit()]
    chosen = list(campaign.submissions.filter(pk__in=ids).select_related("campaign", "unit"))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    target = back or reverse("monitor:dashboard", kwargs={"code": campaign.code})
    if not chosen:
        messages.error(request, _("Choose at least one province to remind."))
        return redirect(target)
    try:
        sent = reminders_send(actor=request.user, submissions=chosen)  # type: ignore[arg-type]
    except ReminderError as error:
        messages.error(request, str(error))
        return redirect(target)
    emails = sum(len([a for a in r.recipients.split(", ") if a]) for r in sent)
    messages.success(
        request,
        ngettext(
            "Reminder sent about %(count)d province (%(emails)d e-mail).",
            "Reminder sent about %(count)d provinces (%(emails)d e-mails).",
            len(sent),
        )
        % {"count": len(sent), "emails": emails},
    )
    return redirect(target)


@login_required
def schedule(request: HttpRequest, code: str) -> HttpResponse:
    """The stage due days of the campaign and the calendar's swapped days, for the coordinator."""
    campaign = access.get_campaign_for_monitoring_or_404(request.user, code)
    user = request.user
    assert isinstance(user, User)
    calendar = WorkingCalendar.load()
    plan = Schedule.load(campaign, calendar)
    rows = {r.stage: r for r in StageSchedule.objects.filter(campaign=campaign)}
    planned = planned_schedule(campaign)
    ladder = ladder_of(campaign)
    initial: dict[str, Any] = {}
    for stage in ladder:
        row = rows.get(stage)
        offset, fixed = (row.offset, row.due_on) if row else planned[stage]
        initial[f"offset-{stage}"] = offset
        initial[f"fixed-{stage}"] = fixed
    stage_form = StageScheduleForm(initial=initial, campaign=campaign)
    day_form = CalendarDayForm(campaign=campaign)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "stages":
                stage_form = StageScheduleForm(request.POST, campaign=campaign)
                if stage_form.is_valid():
                    data = stage_form.cleaned_data
                    services.stage_schedule_set(
                        actor=user,
                        campaign=campaign,
                        offsets={s: data[f"offset-{s}"] for s in ladder},
                        fixed={s: data[f"fixed-{s}"] for s in ladder},
                    )
                    messages.success(request, _("The due dates were saved."))
                    return redirect("monitor:schedule", code=campaign.code)
            elif request.POST.get("action") == "add-day":
                day_form = CalendarDayForm(request.POST, campaign=campaign)
                if day_form.is_valid():
                    services.calendar_day_set(actor=user, **day_form.cleaned_data)
                    messages.success(request, _("The calendar was saved."))
                    return redirect("monitor:schedule", code=campaign.code)
            elif request.POST.get("action", "").startswith("clear:"):
                day = datetime.date.fromisoformat(request.POST["action"].removeprefix("clear:"))
                services.calendar_day_clear(actor=user, day=day)
                messages.success(request, _("The calendar was saved."))
                return redirect("monitor:schedule", code=campaign.code)
        except (services.TransitionError, ValueError) as error:
            messages.error(request, str(error))
        if stage_form.errors or day_form.errors:
            messages.error(request, _("Nothing was saved: correct the fields marked below."))
    return render(
        request,
        "workflow/schedule.html",
        {
            "campaign": campaign,
            "stage_form": stage_form,
            "day_form": day_form,
            "stages": [
                (
                    stage,
                    stage_form[f"offset-{stage}"],
                    stage_form[f"fixed-{stage}"],
                    plan.due(stage),
                )
                for stage in ladder
            ],
            "days": CalendarException.objects.filter(
                day__gte=campaign.issued_on - datetime.timedelta(days=366)
            ),
        },
    )
