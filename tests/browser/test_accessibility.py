"""Every page for every role of the demo, in Vietnamese and English, checked by axe-core
(WCAG 2.1 A and AA: nothing serious or critical), and the pages a phone or a tablet is used
for, at those sizes: no horizontal scrolling of the page, touch targets of 44 px, and a
screenshot of each in the artefacts."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from campaigns import definition
from campaigns.models import Campaign
from national.services import consolidation_run
from receipts.models import Receipt
from submissions.models import Submission

from .a11y import DEVICES, SMALL_TARGETS_JS, axe_check, axe_ready
from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-pheduyet"
SCREENSHOTS = ARTIFACTS / "a11y"


@pytest.fixture
def demo(live_app: Any) -> dict[str, Any]:
    """The demo of make run (every stage held by a province), and version 1 of the national
    report made of Cần Thơ, which waited for it."""
    call_command("load_demo", stdout=io.StringIO())
    campaign = Campaign.objects.get(code="5137-btc-nsnn")
    submissions = {
        s.unit.code: s.pk
        for s in Submission.objects.filter(campaign=campaign).select_related("unit")
        if s.unit.code in {"01", "22", "31", "48", "79", "92"}
    }
    version = consolidation_run(
        actor=get_user_model().objects.get(username="dieuphoi"), campaign=campaign
    )
    receipt = Receipt.objects.filter(submission_id=submissions["22"]).order_by("-pk").first()
    assert receipt is not None
    # The next letter, started from a copy of this one: a draft to preview.
    draft = definition.load(definition.copy_of(campaign))
    return {
        "sub": submissions,
        "version": version,
        "receipt": receipt,
        "code": campaign.code,
        "draft": draft.code,
    }


def _pages(demo: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Role (demo user) → the pages it uses, as (name, path)."""
    sub, code = demo["sub"], demo["code"]
    return {
        "": [
            ("login", "/accounts/login/"),
            ("verify upload", "/verify/"),
            ("verify receipt", f"/verify/{demo['receipt'].token}/"),
            ("not found", "/no-such-page/"),
        ],
        "dn.soanthao": [
            ("inbox", "/inbox/"),
            ("submission list", "/submissions/"),
            ("submission", f"/submissions/{sub['48']}/"),
            ("appendix", f"/submissions/{sub['48']}/appendix/"),
            ("narrative", f"/submissions/{sub['48']}/narrative/"),
            ("attachments", f"/submissions/{sub['48']}/attachments/"),
            ("api tokens", "/api/tokens/"),
        ],
        "hcm.lanhdaoso": [
            ("inbox", "/inbox/"),
            ("submission", f"/submissions/{sub['79']}/"),
            ("review", f"/submissions/{sub['79']}/review/"),
        ],
        "hp.ubnd": [
            ("inbox", "/inbox/"),
            ("submission (sign-off)", f"/submissions/{sub['31']}/"),
            ("review", f"/submissions/{sub['31']}/review/"),
        ],
        "kiemtra": [
            ("inbox", "/inbox/"),
            ("submission list", "/submissions/"),
            ("submission", f"/submissions/{sub['01']}/"),
            ("review", f"/submissions/{sub['01']}/review/"),
            ("national reports", "/national/"),
        ],
        "dieuphoi": [
            ("inbox", "/inbox/"),
            ("dashboard", f"/monitor/{code}/"),
            ("schedule", f"/monitor/{code}/schedule/"),
            ("e-mails", "/monitor/emails/"),
            ("national reports", "/national/"),
            ("national report v1", f"/national/{code}/v{demo['version'].number}/"),
            ("submission (consolidated)", f"/submissions/{sub['22']}/"),
        ],
        "quantri": [
            ("campaigns", "/campaigns/"),
            ("new campaign", "/campaigns/new/"),
            ("appendix from excel", "/campaigns/appendix-from-excel/"),
            ("campaign (open)", f"/campaigns/{code}/"),
            ("campaign (draft)", f"/campaigns/{demo['draft']}/"),
            ("preview appendix", f"/campaigns/{demo['draft']}/preview/appendix/"),
            ("preview narrative", f"/campaigns/{demo['draft']}/preview/narrative/"),
        ],
    }


def _as(page: Any, base: str, username: str, language: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )
    if username:
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.press("#id_password", "Enter")
        page.wait_for_url(f"{base}/**")
        assert "/accounts/login/" not in page.url, username


def _basics(page: Any, where: str) -> list[str]:
    """What axe's WCAG rules leave to best practice, required here on every page: one h1,
    the landmarks (menus each named apart), a skip link to the main content, the messages
    region."""
    found = page.evaluate(
        """() => ({
             h1: document.querySelectorAll('h1').length,
             landmarks: ['header', 'main', 'footer']
               .filter(t => document.querySelectorAll(t).length !== 1),
             // Several menus (the main one, a campaign switcher, pages) are fine when each
             // is named apart from the others (WAI-ARIA: a unique label per landmark).
             navs: (() => { const names = [...document.querySelectorAll('nav')]
                              .map(n => n.getAttribute('aria-label') || '');
                            return names.length >= 1 && !names.includes('')
                              && new Set(names).size === names.length; })(),
             skip: (() => { const a = document.querySelector('body > a.skip-link');
                            return !!a && !!document.querySelector(a.getAttribute('href')); })(),
             live: document.getElementById('messages')?.getAttribute('aria-live'),
           })"""
    )
    wrong = []
    if found["h1"] != 1:
        wrong.append(f"{where}: {found['h1']} h1 elements")
    if found["landmarks"]:
        wrong.append(f"{where}: not exactly one of {found['landmarks']}")
    if not found["navs"]:
        wrong.append(f"{where}: no menu, or menus not each named apart")
    if not found["skip"]:
        wrong.append(f"{where}: no skip link to the content")
    if found["live"] != "polite":
        wrong.append(f"{where}: messages not in a polite live region")
    return wrong


def test_every_page_for_every_role_passes_axe_and_fits_a_phone_and_a_tablet(
    browser: Any, page: Any, live_app: Any, demo: Any
) -> None:
    """One test, so the demo is loaded once: the axe sweep on desktop in both languages,
    then the phone and tablet pages."""
    base = live_app.url
    axe_ready(page.context)
    failures: list[str] = []
    for username, pages in _pages(demo).items():
        for language in ("vi", "en"):
            _as(page, base, username, language)
            for name, path in pages:
                page.goto(base + path)
                assert page.evaluate("document.documentElement.lang") == language
                failures += axe_check(page, name, username or "anonymous")
                failures += _basics(page, f"{name} as {username or 'anonymous'} ({language})")
    failures += _on_devices(browser, base, demo)
    assert not failures, "\n".join(failures)


def _device_pages(demo: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(user, name, path): what a leader on a phone or a department head on a tablet opens."""
    sub = demo["sub"]
    return [
        ("hcm.lanhdaoso", "inbox", "/inbox/"),
        ("hcm.lanhdaoso", "submissions", "/submissions/"),
        ("hcm.lanhdaoso", "submission-decision", f"/submissions/{sub['79']}/"),
        ("hcm.lanhdaoso", "review", f"/submissions/{sub['79']}/review/"),
        ("hp.ubnd", "sign-off", f"/submissions/{sub['31']}/"),
        ("hp.ubnd", "sign-off-review", f"/submissions/{sub['31']}/review/"),
        ("kiemtra", "review-after-return", f"/submissions/{sub['01']}/review/"),
        ("", "verify", f"/verify/{demo['receipt'].token}/"),
        ("dieuphoi", "dashboard", f"/monitor/{demo['code']}/"),
        ("dn.soanthao", "appendix", f"/submissions/{sub['48']}/appendix/"),
    ]


def _on_devices(browser: Any, base: str, demo: dict[str, Any]) -> list[str]:
    """Each page at phone and tablet size: no sideways scrolling of the page, touch targets of
    44 px, a screenshot in the artefacts."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    wrong: list[str] = []
    for device, size in DEVICES.items():
        context = browser.new_context(
            viewport=size, has_touch=True, is_mobile=device == "phone", locale="vi-VN"
        )
        page = context.new_page()
        who = None
        for username, name, path in _device_pages(demo):
            if username != who:
                _as(page, base, username, "vi")
                who = username
            page.goto(base + path)
            width = page.evaluate("document.scrollingElement.scrollWidth")
            if width > size["width"]:
                wrong.append(f"{name} on a {device}: the page is {width} px wide")
            for target in page.evaluate(SMALL_TARGETS_JS):
                wrong.append(f"{name} on a {device}: touch target {target}")
            page.screenshot(path=str(SCREENSHOTS / f"{device}-{name}.png"), full_page=True)
        context.close()
    print(f"\nphone and tablet screenshots: {SCREENSHOTS}")
    return wrong
