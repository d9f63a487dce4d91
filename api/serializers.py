"""What each resource looks like over the API: one serializer per resource, reading the
objects the selectors return (models or dataclass rows alike, by attribute), so a change of
a selector's row type is an edit here only. The appendix and narrative, keyed by the
campaign's own codes, are mapped in api.content; their serializers below describe them for
the schema."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from campaigns.models import AdministrativeUnit, Campaign
from core.enums import Action, Role, Stage
from receipts.models import Receipt
from receipts.pdf import verification_url
from workflow.deadlines import Status

from .models import ApiToken, Webhook, WebhookDelivery

STAGES = Stage.choices
STATUSES = Status.choices


class CampaignSerializer(serializers.ModelSerializer[Campaign]):
    class Meta:
        model = Campaign
        fields = [
            "code",
            "number",
            "issuer",
            "issued_on",
            "subject",
            "report_title",
            "period_start",
            "period_end",
            "deadline",
            "amount_unit",
        ]


class UnitSerializer(serializers.ModelSerializer[AdministrativeUnit]):
    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")

    class Meta:
        model = AdministrativeUnit
        fields = ["code", "name", "kind", "region", "region_name", "valid_from", "valid_to"]


class SubmissionSerializer(serializers.Serializer[Any]):
    """A submission in a list."""

    id = serializers.IntegerField()
    campaign = serializers.CharField(source="campaign.code")
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    stage = serializers.ChoiceField(choices=STAGES)
    revision = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class StandingSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=STATUSES)
    due = serializers.DateField()
    working_days_left = serializers.IntegerField()
    reached_ministry_at = serializers.DateTimeField(allow_null=True, required=False)


class StageStandingSerializer(serializers.Serializer[Any]):
    stage = serializers.ChoiceField(choices=STAGES)
    due = serializers.DateField()
    status = serializers.ChoiceField(choices=STATUSES)
    working_days_left = serializers.IntegerField()
    done_at = serializers.DateTimeField(allow_null=True)


class ReceiptSerializer(serializers.ModelSerializer[Receipt]):
    number = serializers.CharField(source="display_number")
    sequence = serializers.IntegerField(source="number")
    verification_url = serializers.SerializerMethodField()
    pdf_ready = serializers.SerializerMethodField()

    class Meta:
        model = Receipt
        fields = [
            "id",
            "number",
            "sequence",
            "unit_code",
            "unit_name",
            "actor_name",
            "role",
            "action",
            "from_stage",
            "to_stage",
            "at",
            "reason",
            "hash",
            "previous_hash",
            "pdf_sha256",
            "pdf_ready",
            "verification_url",
        ]

    def get_verification_url(self, receipt: Receipt) -> str:
        return verification_url(receipt)

    def get_pdf_ready(self, receipt: Receipt) -> bool:
        return bool(receipt.pdf)


class TimelineEntrySerializer(serializers.Serializer[Any]):
    """An audit record of the submission, with its receipt when one was issued."""

    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.username")
    role = serializers.ChoiceField(choices=Role.choices)
    action = serializers.ChoiceField(choices=Action.choices)
    from_stage = serializers.ChoiceField(choices=STAGES)
    to_stage = serializers.ChoiceField(choices=STAGES)
    reason = serializers.CharField()
    version = serializers.IntegerField(source="version.number")
    receipt = serializers.SerializerMethodField()

    def get_receipt(self, record: Any) -> dict[str, Any] | None:
        receipt = getattr(record, "receipt", None)
        return ReceiptSerializer(receipt).data if receipt is not None else None


class TransitionOptionSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=Action.choices)
    target = serializers.ChoiceField(choices=STAGES)
    needs_reason = serializers.BooleanField()


class SubmissionDetailSerializer(SubmissionSerializer):
    """A submission with what its page shows: due days, status, who acts next, the timeline."""

    standing = StandingSerializer()
    stages = StageStandingSerializer(many=True)
    next_roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    actions = TransitionOptionSerializer(many=True)
    editable = serializers.BooleanField()
    timeline = TimelineEntrySerializer(many=True)


class AttachmentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    description = serializers.CharField()
    uploaded_at = serializers.DateTimeField(required=False)


class AttachmentUploadSerializer(serializers.Serializer[Any]):
    revision = serializers.IntegerField(min_value=0)
    file = serializers.FileField()
    description = serializers.CharField(required=False, allow_blank=True, default="")


class TransitionInputSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=Action.choices)
    expected_stage = serializers.ChoiceField(choices=STAGES)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class TransitionResultSerializer(serializers.Serializer[Any]):
    submission = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=STAGES)
    record = TimelineEntrySerializer()


# The appendix and narrative (described here, mapped in api.content) ------------------------


class AppendixColumnSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    computed = serializers.BooleanField()


class AppendixRowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(
        help_text="Row code, line:<id> for a province's own sub-item, or total"
    )
    code = serializers.CharField(allow_null=True)
    group = serializers.CharField(allow_null=True)
    kind = serializers.ChoiceField(choices=["group", "line", "total"])
    stt = serializers.CharField()
    label = serializers.CharField()
    custom = serializers.BooleanField()
    computed = serializers.BooleanField()
    cells = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text="By column key: decimal strings, booleans, texts or null",
    )


class AppendixSerializer(serializers.Serializer[Any]):
    submission = serializers.IntegerField()
    campaign = serializers.CharField()
    unit = serializers.CharField()
    stage = serializers.ChoiceField(choices=STAGES)
    revision = serializers.IntegerField()
    editable = serializers.BooleanField()
    amount_unit = serializers.CharField()
    columns = AppendixColumnSerializer(many=True)
    rows = AppendixRowSerializer(many=True)


class AppendixWriteSerializer(serializers.Serializer[Any]):
    revision = serializers.IntegerField(min_value=0)
    rows = serializers.DictField(
        child=serializers.DictField(child=serializers.JSONField(allow_null=True)),
        help_text="By row key, the cells to change by column key; others keep what is saved",
        allow_empty=False,
    )


class NarrativePointSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    text = serializers.CharField()
    required = serializers.BooleanField()
    answer = serializers.CharField()


class NarrativeSectionSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    title = serializers.CharField()
    points = NarrativePointSerializer(many=True)


class NarrativeSerializer(serializers.Serializer[Any]):
    submission = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=STAGES)
    revision = serializers.IntegerField()
    editable = serializers.BooleanField()
    sections = NarrativeSectionSerializer(many=True)
    treasury_refusal_count = serializers.IntegerField(allow_null=True)
    treasury_refusal_amount = serializers.DecimalField(
        max_digits=20, decimal_places=3, allow_null=True
    )
    treasury_refusal_note = serializers.CharField()
    problem_kinds = serializers.ListField(child=serializers.CharField())


class NarrativeWriteSerializer(serializers.Serializer[Any]):
    revision = serializers.IntegerField(min_value=0)
    answers = serializers.DictField(
        child=serializers.JSONField(), required=False, help_text="By outline point code"
    )
    treasury_refusal_count = serializers.JSONField(required=False)
    treasury_refusal_amount = serializers.JSONField(required=False)
    treasury_refusal_note = serializers.JSONField(required=False)
    problem_kinds = serializers.JSONField(required=False, help_text="Shortcoming codes")


# Monitoring ---------------------------------------------------------------------------------


class DashboardRowSerializer(serializers.Serializer[Any]):
    """A unit of the coordinator's dashboard (monitoring.dashboard.Row)."""

    submission = serializers.IntegerField(source="submission_id", allow_null=True)
    code = serializers.CharField()
    unit = serializers.CharField()
    region = serializers.CharField(source="region_code")
    stage = serializers.ChoiceField(choices=STAGES)
    entered_at = serializers.DateTimeField()
    stage_due = serializers.DateField(allow_null=True)
    stage_working_days_left = serializers.IntegerField(source="stage_left", allow_null=True)
    stage_status = serializers.ChoiceField(choices=STATUSES, allow_null=True)
    province_due = serializers.DateField()
    province_working_days_left = serializers.IntegerField(source="province_left")
    province_status = serializers.ChoiceField(choices=STATUSES)
    reached_ministry_at = serializers.DateTimeField(source="reached_at", allow_null=True)
    holder = serializers.CharField()
    last_action = serializers.CharField()
    last_actor = serializers.CharField()
    last_at = serializers.DateTimeField(allow_null=True)


class RatesSerializer(serializers.Serializer[Any]):
    """DHIS2's reporting rates (monitoring.dashboard.Rates)."""

    expected = serializers.IntegerField()
    actual = serializers.IntegerField()
    on_time = serializers.IntegerField()
    reporting_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    on_time_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class CountSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    count = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer[Any]):
    campaign = serializers.CharField()
    rates = RatesSerializer()
    stage_counts = CountSerializer(many=True)
    status_counts = CountSerializer(many=True)
    count = serializers.IntegerField(help_text="Rows after the filters, on every page")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    rows = DashboardRowSerializer(many=True, help_text="This page's rows")


# The national report -------------------------------------------------------------------------


class NationalVersionSerializer(serializers.Serializer[Any]):
    """A national.selectors.VersionRow: the version and how many provinces it includes."""

    number = serializers.IntegerField(source="version.number")
    created_at = serializers.DateTimeField(source="version.created_at")
    created_by = serializers.CharField(source="version.created_by.username")
    included = serializers.IntegerField()
    included_new = serializers.IntegerField()
    units = serializers.IntegerField()


class VersionProvinceSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    status = serializers.CharField()
    entered = serializers.BooleanField()
    stage = serializers.CharField()
    standing = serializers.CharField()
    due = serializers.DateField()
    reached_ministry_at = serializers.DateTimeField(allow_null=True)


class FiguresSerializer(serializers.Serializer[Any]):
    scope = serializers.CharField()
    group = serializers.CharField(allow_null=True)
    row = serializers.CharField(allow_null=True)
    province = serializers.CharField(allow_null=True)
    values = serializers.DictField(child=serializers.JSONField(allow_null=True))


class NationalVersionDetailSerializer(NationalVersionSerializer):
    """api.views.version_data: the version's own fields, its counts, provinces and figures."""

    number = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(source="created_by.username")
    provinces = VersionProvinceSerializer(many=True)
    figures = FiguresSerializer(many=True)


# Tokens and webhooks --------------------------------------------------------------------------


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "key", "created_at", "expires_at", "last_used_at", "revoked_at"]


class WebhookSerializer(serializers.ModelSerializer[Webhook]):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Webhook.Event.choices), allow_empty=False
    )
    secret = serializers.CharField(write_only=True, min_length=16, max_length=200)

    class Meta:
        model = Webhook
        fields = ["id", "url", "secret", "events", "active", "created_at"]
        read_only_fields = ["id", "active", "created_at"]


class WebhookDeliverySerializer(serializers.ModelSerializer[WebhookDelivery]):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "created_at",
            "delivered_at",
            "payload",
        ]
