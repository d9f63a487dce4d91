"""The web API, version 1: thin views over the same access helpers, selectors and services as
the pages. Another province's object is a 404 here too; every write goes through the
service the page's form uses."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from campaigns.models import AdministrativeUnit, Campaign
from core import clock
from core.downloads import private_file_response
from core.enums import Stage
from monitoring import dashboard as monitoring
from national import access as national_access
from national import selectors as national_selectors
from national.figures import plan_for
from receipts.models import Receipt
from submissions import services as drafting
from submissions.attachments import inspect_upload
from submissions.models import Submission
from workflow import access
from workflow import selectors as workflow_selectors
from workflow.deadlines import submission_deadlines
from workflow.services import TransitionError, submission_transition
from workflow.transitions import find

from . import content, idempotency, serializers, webhooks
from .models import Webhook
from .pagination import Pages
from .problems import Problem

PROBLEM = OpenApiResponse(
    response=OpenApiTypes.OBJECT, description="A problem (RFC 9457, application/problem+json)"
)
IDEMPOTENCY = OpenApiParameter(
    idempotency.HEADER,
    str,
    OpenApiParameter.HEADER,
    description="A retried request with the same key gets the first answer and acts once.",
)
ERRORS = {400: PROBLEM, 401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM, 429: PROBLEM}


def _language(request: Request) -> str:
    """The user's choice (the site's language cookie), else Accept-Language, else Vietnamese."""
    supported = {code for code, _name in settings.LANGUAGES}
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in supported:
        return str(chosen)
    for code, _q in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        base = code.split("-")[0].lower()
        if base in supported:
            return base
    return str(settings.LANGUAGE_CODE)


class ApiView(APIView):
    """Every API view: the request's language for messages, and the Content-Language."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        language = _language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language()
        patch_vary_headers(response, ["Accept-Language"])
        return response


class ApiListView(ApiView, generics.ListAPIView):
    pass


def _with_etag(request: Request, data: Any) -> Response:
    """The data with a strong ETag (a digest of its JSON), or 304 if the client has it."""
    body = json.dumps(data, cls=JSONEncoder, sort_keys=True, ensure_ascii=False).encode()
    tag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    wanted = [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
    if tag in wanted or "*" in wanted:
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
    else:
        response = Response(data)
    response["ETag"] = tag
    return response


def _order(qs: QuerySet[Any], request: Request, allowed: dict[str, str], default: str) -> Any:
    """``?ordering=field`` or ``-field`` among ``allowed`` (API name -> model path)."""
    wanted = request.query_params.get("ordering", default)
    name = wanted.lstrip("-")
    if name not in allowed:
        raise Problem(
            400,
            "validation",
            _("Order by one of: %(fields)s.") % {"fields": ", ".join(sorted(allowed))},
            [{"field": "ordering", "message": _("Unknown field.")}],
        )
    path = allowed[name]
    return qs.order_by(f"-{path}" if wanted.startswith("-") else path, "pk")


# Campaigns and units ----------------------------------------------------------------------


@extend_schema(tags=["campaigns"], responses={200: serializers.CampaignSerializer, **ERRORS})
class CampaignList(ApiListView):
    """The campaigns (every signed-in user sees the letters they report under)."""

    serializer_class = serializers.CampaignSerializer
    queryset = Campaign.objects.order_by("-issued_on", "code")


@extend_schema(tags=["campaigns"], responses={200: serializers.CampaignSerializer, **ERRORS})
class CampaignDetail(ApiView, generics.RetrieveAPIView):
    serializer_class = serializers.CampaignSerializer
    queryset = Campaign.objects.all()
    lookup_field = "code"


@extend_schema(
    tags=["units"],
    parameters=[
        OpenApiParameter("campaign", str, description="Only the units a campaign went to"),
        OpenApiParameter("region", str, description="Region code"),
        OpenApiParameter("q", str, description="Code or name contains"),
        OpenApiParameter("ordering", str, description="code or name, - for descending"),
    ],
    responses={200: serializers.UnitSerializer, **ERRORS},
)
class UnitList(ApiListView):
    """The units the user holds a role on (every unit for the national coordinator)."""

    serializer_class = serializers.UnitSerializer

    def get_queryset(self) -> QuerySet[AdministrativeUnit]:
        qs = access.units_for_user(self.request.user).select_related("region")
        params = self.request.query_params
        if code := params.get("campaign"):
            qs = qs.filter(campaigns__code=code)
        if region := params.get("region"):
            qs = qs.filter(region__code=region)
        if q := params.get("q", "").strip():
            qs = qs.filter(name__icontains=q) | qs.filter(code=q)
        return _order(qs, self.request, {"code": "code", "name": "name"}, "code")


# Submissions ----------------------------------------------------------------------------------


@extend_schema(
    tags=["submissions"],
    parameters=[
        OpenApiParameter("campaign", str),
        OpenApiParameter("unit", str, description="Unit code"),
        OpenApiParameter("stage", str, enum=Stage.values),
        OpenApiParameter(
            "ordering", str, description="unit, stage or updated_at, - for descending"
        ),
    ],
    responses={200: serializers.SubmissionSerializer, **ERRORS},
)
class SubmissionList(ApiListView):
    """The submissions the user may see: their provinces', or all for the national roles."""

    serializer_class = serializers.SubmissionSerializer

    def get_queryset(self) -> QuerySet[Submission]:
        qs = access.submissions_for_user(self.request.user).select_related("campaign", "unit")
        params = self.request.query_params
        if code := params.get("campaign"):
            qs = qs.filter(campaign__code=code)
        if unit := params.get("unit"):
            qs = qs.filter(unit__code=unit)
        if stage := params.get("stage"):
            if stage not in Stage.values:
                raise Problem(
                    400, "validation", _("Unknown stage."), [{"field": "stage", "message": stage}]
                )
            qs = qs.filter(stage=stage)
        allowed = {"unit": "unit__code", "stage": "stage", "updated_at": "updated_at"}
        return _order(qs, self.request, allowed, "unit")


def _submission(request: Request, pk: int) -> Submission:
    return access.get_submission_for_user_or_404(request.user, pk)


def submission_detail_data(request: Request, submission: Submission) -> dict[str, Any]:
    """What the submission page shows, for the API."""
    user = request.user
    standing, stages = submission_deadlines(submission)
    return {
        "id": submission.pk,
        "campaign": submission.campaign,
        "unit": submission.unit,
        "stage": submission.stage,
        "revision": submission.revision,
        "updated_at": submission.updated_at,
        "standing": standing,
        "stages": stages,
        "next_roles": workflow_selectors.who_acts_next(submission),
        "actions": [
            {"action": t.action, "target": t.target, "needs_reason": t.needs_reason}
            for t in access.available_transitions(user, submission)
        ],
        "editable": access.can_edit_submission(user, submission),
        "timeline": list(workflow_selectors.timeline(submission)),
    }


@extend_schema(
    tags=["submissions"], responses={200: serializers.SubmissionDetailSerializer, **ERRORS}
)
class SubmissionDetail(ApiView):
    """Stage, due days and status, who acts next, the actions open to the caller, and the
    timeline with each receipt's number and verification link."""

    def get(self, request: Request, pk: int) -> Response:
        submission = _submission(request, pk)
        data = serializers.SubmissionDetailSerializer(submission_detail_data(request, submission))
        return Response(data.data)


class AppendixView(ApiView):
    """The appendix keyed by row code and column key (api.content says the shape)."""

    @extend_schema(
        tags=["content"], responses={200: serializers.AppendixSerializer, 304: None, **ERRORS}
    )
    def get(self, request: Request, pk: int) -> Response:
        submission = _submission(request, pk)
        editable = access.can_edit_submission(request.user, submission)
        return _with_etag(request, content.appendix_data(submission, editable=editable))

    @extend_schema(
        tags=["content"],
        request=serializers.AppendixWriteSerializer,
        parameters=[IDEMPOTENCY],
        responses={200: serializers.AppendixSerializer, 422: PROBLEM, **ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        submission = _submission(request, pk)

        def act() -> Response:
            body = serializers.AppendixWriteSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            _check_editable(request, submission)
            values = content.appendix_values(submission, body.validated_data["rows"])
            _drafting(
                lambda: drafting.appendix_save(
                    actor=content.actor(request.user),
                    submission=submission,
                    revision=body.validated_data["revision"],
                    values=values,
                )
            )
            submission.refresh_from_db()
            return Response(content.appendix_data(submission, editable=True))

        return idempotency.run_once(request, act)


class NarrativeView(ApiView):
    @extend_schema(tags=["content"], responses={200: serializers.NarrativeSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        submission = _submission(request, pk)
        editable = access.can_edit_submission(request.user, submission)
        return Response(content.narrative_data(submission, editable=editable))

    @extend_schema(
        tags=["content"],
        request=serializers.NarrativeWriteSerializer,
        parameters=[IDEMPOTENCY],
        responses={200: serializers.NarrativeSerializer, 422: PROBLEM, **ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        submission = _submission(request, pk)

        def act() -> Response:
            body = serializers.NarrativeWriteSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            _check_editable(request, submission)
            values = content.narrative_values(submission, request.data)
            _drafting(
                lambda: drafting.narrative_save(
                    actor=content.actor(request.user),
                    submission=submission,
                    revision=body.validated_data["revision"],
                    **values,
                )
            )
            submission.refresh_from_db()
            return Response(content.narrative_data(submission, editable=True))

        return idempotency.run_once(request, act)


def _check_editable(request: Request, submission: Submission) -> None:
    if access.can_edit_submission(request.user, submission):
        return
    message = _("This submission can no longer be edited at its current stage.")
    if submission.stage != Stage.DRAFTING:
        raise Problem(409, "conflict", message)
    raise Problem(403, "forbidden", _("Only the province's drafters edit its submission."))


def _drafting(save: Callable[[], Any]) -> Any:
    """A drafting service's refusal as a problem: a stale revision is 409."""
    try:
        return save()
    except drafting.StaleRevision as exc:
        raise Problem(409, "stale", str(exc)) from None
    except drafting.SubmissionError as exc:
        raise Problem(409, "conflict", str(exc)) from None
    except ValidationError as exc:
        raise Problem(400, "validation", " ".join(exc.messages)) from None


class AttachmentList(ApiView):
    @extend_schema(
        tags=["content"], responses={200: serializers.AttachmentSerializer(many=True), **ERRORS}
    )
    def get(self, request: Request, pk: int) -> Response:
        submission = _submission(request, pk)
        return Response(
            serializers.AttachmentSerializer(submission.attachments.order_by("pk"), many=True).data
        )

    @extend_schema(
        tags=["content"],
        request={"multipart/form-data": serializers.AttachmentUploadSerializer},
        parameters=[IDEMPOTENCY],
        responses={201: serializers.AttachmentSerializer, 422: PROBLEM, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Attach a PDF, DOCX or XLSX file, checked by content as on the attachments page."""
        submission = _submission(request, pk)

        def act() -> Response:
            body = serializers.AttachmentUploadSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            _check_editable(request, submission)
            upload = body.validated_data["file"]
            try:
                data, kind = inspect_upload(upload)
            except ValidationError as exc:
                raise Problem(
                    400,
                    "validation",
                    _("The file was not attached."),
                    [{"field": "file", "message": m} for m in exc.messages],
                ) from None
            attachment = _drafting(
                lambda: drafting.attachment_add(
                    actor=content.actor(request.user),
                    submission=submission,
                    revision=body.validated_data["revision"],
                    content=data,
                    original_name=upload.name,
                    content_type=kind,
                    description=body.validated_data["description"],
                )
            )
            return Response(
                serializers.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED
            )

        return idempotency.run_once(request, act)


@extend_schema(
    tags=["workflow"],
    request=serializers.TransitionInputSerializer,
    parameters=[IDEMPOTENCY],
    responses={201: serializers.TransitionResultSerializer, **ERRORS},
)
class TransitionCreate(ApiView):
    """Take an action (submit, approve, return, sign ...) the caller may take now, through
    the same transition service as the page's buttons: ``expected_stage`` is the stage the
    caller saw; if the submission moved meanwhile, nothing is done (409)."""

    def post(self, request: Request, pk: int) -> Response:
        submission = _submission(request, pk)

        def act() -> Response:
            body = serializers.TransitionInputSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
            try:
                record = submission_transition(
                    actor=content.actor(request.user),
                    submission=submission,
                    action=data["action"],
                    expected_stage=data["expected_stage"],
                    reason=data["reason"],
                )
            except TransitionError as exc:
                raise _transition_problem(request, submission, data, exc) from None
            record = workflow_selectors.timeline(submission).get(pk=record.pk)
            return Response(
                serializers.TransitionResultSerializer(
                    {"submission": submission.pk, "stage": record.to_stage, "record": record}
                ).data,
                status=status.HTTP_201_CREATED,
            )

        return idempotency.run_once(request, act)


def _transition_problem(
    request: Request, submission: Submission, data: dict[str, Any], exc: Exception
) -> Problem:
    submission.refresh_from_db(fields=["stage"])
    if submission.stage != data["expected_stage"]:
        return Problem(409, "stale", str(exc))
    transition = find(submission.stage, data["action"])
    if transition is None or not access.can_transition(
        request.user, submission, transition, submitter_id=access.submitter_of(submission)
    ):
        return Problem(403, "forbidden", str(exc))
    return Problem(409, "conflict", str(exc))


# Receipts ---------------------------------------------------------------------------------------


@extend_schema(
    tags=["receipts"], responses={200: serializers.ReceiptSerializer(many=True), **ERRORS}
)
class ReceiptList(ApiView):
    def get(self, request: Request, pk: int) -> Response:
        submission = _submission(request, pk)
        receipts = Receipt.objects.filter(submission=submission).select_related("campaign")
        return Response(serializers.ReceiptSerializer(receipts.order_by("number"), many=True).data)


@extend_schema(tags=["receipts"], responses={200: serializers.ReceiptSerializer, **ERRORS})
class ReceiptDetail(ApiView):
    def get(self, request: Request, pk: int, receipt_pk: int) -> Response:
        submission = _submission(request, pk)
        receipt = get_object_or_404(
            Receipt.objects.select_related("campaign"), pk=receipt_pk, submission=submission
        )
        return Response(serializers.ReceiptSerializer(receipt).data)


@extend_schema(
    tags=["receipts"],
    responses={(200, "application/pdf"): OpenApiTypes.BINARY, **ERRORS},
)
class ReceiptPdf(ApiView):
    """The signed PDF (404 while it is not rendered yet)."""

    def get(self, request: Request, pk: int, receipt_pk: int) -> Any:
        submission = _submission(request, pk)
        receipt = get_object_or_404(Receipt, pk=receipt_pk, submission=submission)
        return private_file_response(
            receipt.pdf,
            filename=f"bien-nhan-{receipt.number:04d}-{receipt.unit_code}.pdf",
            content_type="application/pdf",
        )


# Monitoring -------------------------------------------------------------------------------------


def dashboard_data(
    request: Request, view: APIView, campaign: Campaign, filters: monitoring.Filters
) -> dict[str, Any]:
    """The rates and counts over every unit; the rows (filtered, sorted) a page at a time, as
    the page shows them: 10,000 rows of JSON are megabytes nobody reads at once."""
    board = monitoring.dashboard(campaign, filters)
    pages = Pages()
    rows = pages.paginate_queryset(board.shown, request, view=view) or []
    return {
        "campaign": campaign.code,
        "rates": board.rates,
        "stage_counts": [{"key": s, "count": n} for s, n in board.stage_counts],
        "status_counts": [{"key": s, "count": n} for s, n in board.status_counts],
        "count": len(board.shown),
        "next": pages.get_next_link(),
        "previous": pages.get_previous_link(),
        "rows": rows,
    }


@extend_schema(
    tags=["monitoring"],
    parameters=[
        OpenApiParameter("region", str),
        OpenApiParameter("stage", str),
        OpenApiParameter("status", str, description="Stage status"),
        OpenApiParameter("province", str, description="Province status"),
        OpenApiParameter("q", str, description="Code or name, accents ignored"),
        OpenApiParameter("sort", str, description="As the dashboard's columns; - for descending"),
        OpenApiParameter("page", int),
        OpenApiParameter("page_size", int, description="Rows a page (100; at most 500)"),
    ],
    responses={200: serializers.DashboardSerializer, 304: None, **ERRORS},
)
class Dashboard(ApiView):
    """The coordinator's dashboard: every unit's row and the reporting rates (national roles
    only; anyone else gets a 404, as on the page)."""

    def get(self, request: Request, code: str) -> Response:
        campaign = access.get_campaign_for_monitoring_or_404(request.user, code)
        filters = monitoring.Filters.from_query(request.query_params)
        data = serializers.DashboardSerializer(
            dashboard_data(request, self, campaign, filters)
        ).data
        return _with_etag(request, data)


# The national report ----------------------------------------------------------------------------


@extend_schema(
    tags=["national"], responses={200: serializers.NationalVersionSerializer(many=True), **ERRORS}
)
class NationalVersionList(ApiView):
    def get(self, request: Request, code: str) -> Response:
        campaign = national_access.get_campaign_for_report_or_404(request.user, code)
        versions = national_selectors.versions(campaign)
        return Response(serializers.NationalVersionSerializer(versions, many=True).data)


def version_data(version: Any) -> dict[str, Any]:
    (counted,) = national_selectors.versions(version.campaign, only=version)
    figures = version.figures.select_related("group", "row", "province__unit").order_by("pk")
    values = plan_for(version.campaign).values
    return {
        "number": version.number,
        "created_at": version.created_at,
        "created_by": version.created_by,
        "included": counted.included,
        "included_new": counted.included_new,
        "units": counted.units,
        "provinces": version.provinces.select_related("unit").order_by("unit__code"),
        "figures": [
            {
                "scope": f.scope,
                "group": f.group.code if f.group else None,
                "row": f.row.code if f.row else None,
                "province": f.province.unit.code if f.province else None,
                "values": dict(values(f)),
            }
            for f in figures
        ],
    }


@extend_schema(
    tags=["national"], responses={200: serializers.NationalVersionDetailSerializer, **ERRORS}
)
class NationalVersionDetail(ApiView):
    """A version of the national report and every figure it holds: per appendix line, per
    group, for the country and per province."""

    def get(self, request: Request, code: str, number: int) -> Response:
        version = national_access.get_version_for_user_or_404(request.user, code, number)
        data = serializers.NationalVersionDetailSerializer(version_data(version)).data
        return _with_etag(request, data)


# Webhooks ----------------------------------------------------------------------------------------


def _coordinator(request: Request) -> None:
    if not access.is_national(request.user):
        raise Http404


class WebhookList(ApiView):
    """The coordinator's webhooks (national roles only)."""

    @extend_schema(
        tags=["webhooks"], responses={200: serializers.WebhookSerializer(many=True), **ERRORS}
    )
    def get(self, request: Request) -> Response:
        _coordinator(request)
        hooks = Webhook.objects.filter(owner=request.user)
        return Response(serializers.WebhookSerializer(hooks, many=True).data)

    @extend_schema(
        tags=["webhooks"],
        request=serializers.WebhookSerializer,
        responses={201: serializers.WebhookSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        _coordinator(request)
        body = serializers.WebhookSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            webhooks.check_url(body.validated_data["url"])
        except webhooks.HostRefused as exc:
            raise Problem(
                400, "validation", str(exc), [{"field": "url", "message": str(exc)}]
            ) from None
        hook = body.save(owner=request.user, created_at=clock.now())
        return Response(serializers.WebhookSerializer(hook).data, status=status.HTTP_201_CREATED)


class WebhookDetail(ApiView):
    @extend_schema(tags=["webhooks"], responses={204: None, **ERRORS})
    def delete(self, request: Request, hook_pk: int) -> Response:
        _coordinator(request)
        get_object_or_404(Webhook, pk=hook_pk, owner=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["webhooks"], responses={200: serializers.WebhookDeliverySerializer, **ERRORS})
class WebhookDeliveryList(ApiListView):
    """The delivery log of one of the caller's webhooks, newest first."""

    serializer_class = serializers.WebhookDeliverySerializer

    def get_queryset(self) -> Any:
        _coordinator(self.request)
        hook = get_object_or_404(Webhook, pk=self.kwargs["hook_pk"], owner=self.request.user)
        return hook.deliveries.order_by("-created_at", "-pk")
