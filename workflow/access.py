"""Who may see and do what: the one place views ask.

``can_<action>(user, obj)`` predicates answer yes or no; ``get_<thing>_for_user_or_404``
lookups reach objects only through the user's scope, so another province's
submission, file or task is a 404, never a 403.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy
from guardian.models import UserObjectPermission

from campaigns.models import AdministrativeUnit, Campaign
from core.enums import Role, Stage
from submissions.models import Attachment, Submission

from .models import SubmissionProcess
from .roles import CAMPAIGN_PERMISSION, NATIONAL_PERMISSION, UNIT_PERMISSION, group_name
from .transitions import Transition, process_for

AnyUser = User | AnonymousUser
UNIT_APP = AdministrativeUnit._meta.app_label


def is_national(user: AnyUser) -> bool:
    """Coordinators (and superusers) see every unit: the global permission, held through the
    role's group or given to the user. One query, remembered on the user object."""
    return NATIONAL_PERMISSION in _national_codenames(user)


def _national_codenames(user: AnyUser) -> frozenset[str]:
    """The national permissions the user holds (coordinating, administering campaigns),
    through a group or given to the user: one query for both, remembered on the user."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset((NATIONAL_PERMISSION, CAMPAIGN_PERMISSION))
    if "_national_codenames" not in user.__dict__:
        user.__dict__["_national_codenames"] = frozenset(
            Permission.objects.filter(
                Q(user=user) | Q(group__user=user),
                codename__in=(NATIONAL_PERMISSION, CAMPAIGN_PERMISSION),
                content_type__app_label=UNIT_APP,
            ).values_list("codename", flat=True)
        )
    codenames: frozenset[str] = user.__dict__["_national_codenames"]
    return codenames


def units_for_user(user: AnyUser, role: Role | None = None) -> QuerySet[AdministrativeUnit]:
    """The units the user holds any role on (or the given one)."""
    if not user.is_authenticated or not user.is_active:
        return AdministrativeUnit.objects.none()
    if role is None and is_national(user):
        return AdministrativeUnit.objects.all()
    return AdministrativeUnit.objects.filter(pk__in=unit_ids_for_user(user, role))


def unit_ids_for_user(user: AnyUser, role: Role | None = None) -> list[int]:
    """The primary keys of the units the user holds a unit role on (or the given one); no
    query beyond the user's one read of their roles."""
    wanted = {UNIT_PERMISSION[role]} if role else set(UNIT_PERMISSION.values())
    return sorted(pk for pk, codenames in _roles_by_unit(user).items() if codenames & wanted)


def submissions_for_user(user: AnyUser) -> QuerySet[Submission]:
    qs = Submission.objects.all()
    if is_national(user):
        return qs
    return qs.filter(unit__in=units_for_user(user))


def _roles_by_unit(user: AnyUser) -> dict[int, frozenset[str]]:
    """Every unit role permission the user holds, by unit: one query, remembered on the user
    object (a request's user lives for that request).

    Roles are granted to users directly (workflow.services.role_grant), never to groups per
    unit, so guardian's user-object permissions answer alone.
    """
    if not user.is_authenticated or not user.is_active:
        return {}
    if "_roles_by_unit" not in user.__dict__:
        held: dict[int, set[str]] = {}
        for object_pk, codename in UserObjectPermission.objects.filter(
            user=user,
            content_type=ContentType.objects.get_for_model(AdministrativeUnit),
            permission__codename__in=UNIT_PERMISSION.values(),
        ).values_list("object_pk", "permission__codename"):
            held.setdefault(int(object_pk), set()).add(codename)
        user.__dict__["_roles_by_unit"] = {pk: frozenset(c) for pk, c in held.items()}
    roles: dict[int, frozenset[str]] = user.__dict__["_roles_by_unit"]
    return roles


def forget_roles(user: AnyUser) -> None:
    """Drop what this module remembered on the user object (after a grant or a revocation)."""
    user.__dict__.pop("_roles_by_unit", None)
    user.__dict__.pop("_national_codenames", None)


def _unit_codenames(user: AnyUser, unit: AdministrativeUnit) -> frozenset[str]:
    """The role permissions the user holds on the unit."""
    return _roles_by_unit(user).get(unit.pk, frozenset())


def holds_unit_role(user: AnyUser, role: Role) -> bool:
    """Does the user hold ``role`` on at least one unit?"""
    return any(UNIT_PERMISSION[role] in codenames for codenames in _roles_by_unit(user).values())


def has_unit_role(user: AnyUser, role: Role, unit: AdministrativeUnit) -> bool:
    return UNIT_PERMISSION[role] in _unit_codenames(user, unit)


def can_edit_submission(user: AnyUser, submission: Submission) -> bool:
    """Drafters of the unit edit its submission while it is being drafted, in an open campaign."""
    return (
        submission.stage == Stage.DRAFTING
        and has_unit_role(user, Role.DRAFTER, submission.unit)
        and submission.campaign.accepts_drafting
    )


def get_submission_for_user_or_404(user: AnyUser, pk: int) -> Submission:
    try:
        submission = Submission.objects.select_related("campaign", "unit__region").get(pk=pk)
    except Submission.DoesNotExist:
        raise Http404 from None
    if not (is_national(user) or _unit_codenames(user, submission.unit)):
        raise Http404
    return submission


def get_attachment_for_user_or_404(user: AnyUser, submission_pk: int, pk: int) -> Attachment:
    submission = get_submission_for_user_or_404(user, submission_pk)
    try:
        return submission.attachments.get(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404 from None


def has_role_for(user: AnyUser, role: Role, submission: Submission) -> bool:
    """Does the user hold ``role`` in the scope of this submission's unit?"""
    if role == Role.MINISTRY_COORDINATOR:
        return is_national(user)
    if role not in UNIT_PERMISSION:
        return False
    return has_unit_role(user, role, submission.unit)


NOT_NOW = gettext_lazy("You cannot take this action on this submission now.")
OWN_VERSION = gettext_lazy("You submitted this version yourself; another person must review it.")
CAMPAIGN_CLOSED = gettext_lazy(
    "The campaign is closed: reports can no longer be drafted, submitted or sent back to drafting."
)
CAMPAIGN_ARCHIVED = gettext_lazy("The campaign is archived: its reports can only be read.")


def transition_refusal(
    user: AnyUser, submission: Submission, transition: Transition, *, submitter_id: int | None
) -> str | None:
    """Why ``user`` may not take ``transition`` on ``submission`` now; None if they may.

    ``submitter_id``: who submitted the version now in the process (``submitter_of``); a
    transition separate from the submitter is not theirs to take.
    """
    if submission.stage != transition.source or not has_role_for(user, transition.role, submission):
        return str(NOT_NOW)
    campaign = submission.campaign
    if not campaign.accepts_review:
        return str(CAMPAIGN_ARCHIVED)
    if Stage.DRAFTING in (transition.source, transition.target) and not campaign.accepts_drafting:
        return str(CAMPAIGN_CLOSED)
    if transition.separate_from_submitter and submitter_id == user.pk:
        return str(OWN_VERSION)
    return None


def can_transition(
    user: AnyUser, submission: Submission, transition: Transition, *, submitter_id: int | None
) -> bool:
    return transition_refusal(user, submission, transition, submitter_id=submitter_id) is None


def submitter_of(submission: Submission) -> int | None:
    """The primary key of the user who submitted the version now in the process, if any."""
    return (
        SubmissionProcess.objects.filter(submission=submission)
        .values_list("last_submitter_id", flat=True)
        .first()
    )


def available_transitions(user: AnyUser, submission: Submission) -> list[Transition]:
    """The actions this user may take on this submission now: the buttons to show, no others.

    The submitter is read only when one of the user's actions is not theirs to take on
    their own version.
    """
    mine = [
        t
        for t in process_for(submission.campaign).transitions_from(submission.stage)
        if has_role_for(user, t.role, submission)
    ]
    submitter = submitter_of(submission) if any(t.separate_from_submitter for t in mine) else None
    return [t for t in mine if can_transition(user, submission, t, submitter_id=submitter)]


def get_campaign_for_monitoring_or_404(user: AnyUser, code: str) -> Campaign:
    """The coordinator's dashboard is national: anyone else gets a 404."""
    if not is_national(user):
        raise Http404
    try:
        return Campaign.objects.started().get(code=code)
    except Campaign.DoesNotExist:
        raise Http404 from None


def can_administer(user: AnyUser) -> bool:
    """May use Django's admin: an active superuser, or an active staff member of the
    administrator group. A coordinator or checker who happens to be staff may not: the
    admin bypasses every per-province rule, so it is for those who run the system."""
    if not (user.is_active and user.is_staff):
        return False
    return bool(
        user.is_superuser or user.groups.filter(name=group_name(Role.ADMINISTRATOR)).exists()
    )


def can_administer_campaigns(user: AnyUser) -> bool:
    """May write, open, close and archive campaigns: the campaign administrator's permission,
    through the role's group or given to the user (superusers hold every permission)."""
    return CAMPAIGN_PERMISSION in _national_codenames(user)
