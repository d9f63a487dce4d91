"""The workflow's records: the process of each submission, its frozen versions, its audit trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from campaigns.models import OutlinePoint
from core.enums import Action, Role, Stage
from submissions.models import LineItem, Submission

# What a reviewer or coordinator writes: a reason, a note on a row or point.
REASON_MAX = 4000
REVIEW_NOTE_MAX = 2000


class SubmissionProcess(Process):
    """One viewflow process per submission."""

    submission = models.OneToOneField(
        Submission, on_delete=models.PROTECT, related_name="process", verbose_name=_("submission")
    )
    # Who submitted the version in the process: its reviewers must be others, and a report
    # sent back goes to them (workflow.transitions: separate_from_submitter, sends_back).
    last_submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("submission process")
        verbose_name_plural = _("submission processes")

    def __str__(self) -> str:
        return str(self.submission)


class SubmissionVersion(models.Model):
    """The content of a submission frozen at a transition; numbered 1, 2, ... per submission."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    sha256 = models.CharField(_("SHA-256 of the content"), max_length=64)
    created_at = models.DateTimeField(_("frozen at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["submission", "number"]
        verbose_name = _("submission version")
        verbose_name_plural = _("submission versions")
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.submission} v{self.number}"


class AppendOnlyError(Exception):
    pass


class AppendOnly(models.Model):
    """Rows of a record that is only ever added to: saving again or deleting is refused."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError(f"{self._meta.verbose_name} rows are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{self._meta.verbose_name} rows are never deleted.")


class AuditRecord(AppendOnly):
    """One transition, as it happened. Rows are only ever added."""

    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="audit_records"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    at = models.DateTimeField(_("at"))
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_stage = models.CharField(_("from"), max_length=32, choices=Stage.choices)
    to_stage = models.CharField(_("to"), max_length=32, choices=Stage.choices)
    reason = models.TextField(_("reason"), max_length=REASON_MAX, blank=True)
    version = models.ForeignKey(
        SubmissionVersion, on_delete=models.PROTECT, related_name="audit_records"
    )
    snapshot_sha256 = models.CharField(_("SHA-256 of the snapshot"), max_length=64)
    # The report the actor signed with their own certificate, at a step that needs it
    # (workflow.signoff); its hash is the signed document's.
    signed_document = models.OneToOneField(
        "signatures.SignedDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="record",
        verbose_name=_("signed report"),
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [models.Index(fields=["submission", "at"]), models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return f"{self.submission} · {self.action} · {self.at:%Y-%m-%d %H:%M}"


class ReviewNote(models.Model):
    """A reviewer's note on one row of the appendix or one point of the narrative."""

    record = models.ForeignKey(AuditRecord, on_delete=models.PROTECT, related_name="notes")
    line = models.ForeignKey(
        LineItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="review_notes"
    )
    point = models.ForeignKey(
        OutlinePoint, on_delete=models.PROTECT, null=True, blank=True, related_name="review_notes"
    )
    # What the note was about, as it was called then (a sub-item can be renamed or removed).
    target_label = models.CharField(_("about"), max_length=500)
    text = models.TextField(_("note"), max_length=REVIEW_NOTE_MAX)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("review note")
        verbose_name_plural = _("review notes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(line__isnull=True) | models.Q(point__isnull=True),
                name="note_has_one_target",
            ),
        ]

    def __str__(self) -> str:
        return self.target_label


class CalendarException(models.Model):
    """A day the government swaps: an extra day off, or a weekend day worked to make up for it.

    Public holidays and the swaps the ``holidays`` package knows come from its working-day
    calendar for Việt Nam; these rows, which a coordinator edits in the admin, override it for
    single days (a swap announced after the package's release, or one it lacks).
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Day off")
        WORKING_DAY = "working_day", _("Working day (make-up)")

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.get_kind_display()}"


class DeadlineExtension(AppendOnly):
    """The coordinator moved one province's deadline, with a reason. Rows are only added;
    the latest one is the province's deadline."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="extensions")
    due = models.DateField(_("new deadline"))
    reason = models.TextField(_("reason"), max_length=REASON_MAX)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")

    def __str__(self) -> str:
        return f"{self.submission} → {self.due:%d/%m/%Y}"


class StageSchedule(models.Model):
    """When a stage is due for the provinces of a campaign: a day the coordinator fixes, or
    else a number of working days from the campaign's deadline (negative: before it).

    Stages without a row follow the campaign's definition (workflow.deadlines.planned_schedule).
    A province's extension moves every stage of that province by the working days it adds.
    """

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="stage_schedule"
    )
    stage = models.CharField(_("stage"), max_length=32, choices=Stage.choices)
    offset = models.SmallIntegerField(
        _("working days from the deadline"),
        default=0,
        help_text=_("Negative: before the campaign's deadline; 0: on it; positive: after it."),
    )
    due_on = models.DateField(
        _("fixed due day"),
        null=True,
        blank=True,
        help_text=_("When set, used instead of the working days from the deadline."),
    )

    class Meta:
        ordering = ["campaign", "pk"]
        verbose_name = _("stage due date")
        verbose_name_plural = _("stage due dates")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "stage"], name="stage_schedule_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_stage_display()}"


class Reminder(AppendOnly):
    """One reminder e-mailed about one submission's stage. The sweep's reminders are unique per
    (submission, stage, due day, kind), so running it again sends nothing twice; a changed due
    day (an extension) is a new occasion. The coordinator's own reminders are not limited."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Due soon")
        OVERDUE = "overdue", _("Overdue")
        MANUAL = "manual", _("Sent by the coordinator")

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="reminders")
    stage = models.CharField(_("stage"), max_length=32, choices=Stage.choices)
    due = models.DateField(_("due"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("sent at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "stage", "due", "kind"],
                condition=~models.Q(kind="manual"),
                name="reminder_once_per_occasion",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} · {self.get_kind_display()} · {self.due:%d/%m/%Y}"
