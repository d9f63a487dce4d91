"""Shared fixtures: reference data loaded once per test database, users by role, submissions."""

from __future__ import annotations

import io
import typing
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from campaigns.models import AdministrativeUnit, Campaign
from core.enums import Role
from submissions.models import Submission
from workflow.services import role_grant, submission_start

from .cast import Cast, make_cast
from .factories import UserFactory

CAMPAIGN_CODE = "5137-btc-nsnn"


def _database_description() -> str:
    db = settings.DATABASES["default"]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    if engine == "postgresql":
        where = f"{db.get('HOST') or 'socket'}:{db.get('PORT') or 5432}"
        name = (db.get("TEST") or {}).get("NAME") or f"test_{db['NAME']}"
        return f"PostgreSQL at {where}, database {name}"
    return f"SQLite ({engine}) — PostgreSQL was not reachable; set DATABASE_URL to use it"


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {_database_description()}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(f"Tests ran against {_database_description()}.")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """The reference data (units, campaign 5137, role groups) in every test database,
    and a self-signed key for the receipts."""
    call_command("ensure_signing_key", stdout=io.StringIO())
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0, stdout=io.StringIO())


@pytest.fixture
def campaign(db: None) -> Campaign:
    if not Campaign.objects.filter(code=CAMPAIGN_CODE).exists():
        # A transactional test flushed the tables after the session loaded them.
        call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
    return Campaign.objects.get(code=CAMPAIGN_CODE)


@pytest.fixture
def unit_of(campaign: Campaign) -> Callable[[str], AdministrativeUnit]:
    def get(code: str) -> AdministrativeUnit:
        return campaign.units.get(code=code)

    return get


@pytest.fixture
def submission_of(
    campaign: Campaign, unit_of: Callable[[str], AdministrativeUnit]
) -> Callable[[str], Submission]:
    def get(code: str) -> Submission:
        return submission_start(campaign=campaign, unit=unit_of(code))

    return get


@pytest.fixture
def make_user(
    campaign: Campaign, unit_of: Callable[[str], AdministrativeUnit]
) -> Callable[..., Any]:
    """A user holding ``role``; per-unit roles are scoped to the unit codes given."""

    def make(role: Role, *codes: str, **fields: Any) -> Any:
        user = typing.cast(User, UserFactory(**fields))
        units = [unit_of(c) for c in codes] if codes else list(campaign.units.all())
        role_grant(user=user, role=role, units=units)
        return user

    return make


@pytest.fixture
def hanoi(submission_of: Callable[[str], Submission]) -> Submission:
    return submission_of("01")


@pytest.fixture
def danang(submission_of: Callable[[str], Submission]) -> Submission:
    return submission_of("48")


@pytest.fixture
def drafter(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.DRAFTER, "01", username="hn.drafter")


@pytest.fixture
def drafter_client(client: Any, drafter: Any) -> Any:
    client.force_login(drafter)
    return client


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    """Uploaded files of a test go to its own folder, removed afterwards."""
    settings.MEDIA_ROOT = tmp_path / "media"


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def cast(make_user: Callable[..., Any]) -> Cast:
    """One user per role for Hà Nội (01) and Đà Nẵng (48), and a national coordinator."""
    return make_cast(make_user)
