"""Everything the loader writes for one campaign, as plain data that compares and stores as
JSON: the rows of a campaign before and after a change of its loader must be equal."""

from __future__ import annotations

from typing import Any

from campaigns.models import Campaign, OutlinePoint

CAMPAIGN_FIELDS = (
    "code",
    "number",
    "issuer",
    "issuer_department",
    "issued_on",
    "place",
    "signer_title",
    "signer_name",
    "subject",
    "report_title",
    "period_start",
    "period_end",
    "addressees",
    "deadline",
    "deadline_cutoff",
    "amount_unit",
    "state",
)


def snapshot(campaign: Campaign) -> dict[str, Any]:
    campaign.refresh_from_db()
    columns = {c.pk: c for c in campaign.columns.all()}
    rows = {r.pk: r for r in campaign.rows.all()}
    return {
        "campaign": {name: str(getattr(campaign, name)) for name in CAMPAIGN_FIELDS},
        "units": sorted([u.code, u.valid_from.isoformat()] for u in campaign.units.all()),
        "footnotes": [[f.marker, f.text, f.order] for f in campaign.footnotes.order_by("order")],
        "sections": [[s.number, s.title, s.order] for s in campaign.sections.order_by("order")],
        "points": [
            [p.section.number, p.code, p.marker, p.text, p.order, p.required]
            for p in OutlinePoint.objects.filter(section__campaign=campaign)
            .select_related("section")
            .order_by("section__order", "order")
        ],
        "problem_kinds": [
            [k.code, k.label, k.order] for k in campaign.problem_kinds.order_by("order")
        ],
        "rows": [
            [r.code, r.stt, r.label, rows[r.parent_id].code if r.parent_id else None, r.order]
            for r in sorted(rows.values(), key=lambda r: r.order)
        ],
        "columns": [
            [
                c.key,
                c.label,
                columns[c.parent_id].key if c.parent_id else None,
                c.level,
                c.order,
                c.kind,
                c.origin,
                c.field,
                c.reason_field,
                c.footnote.marker if c.footnote is not None else None,
            ]
            for c in sorted(columns.values(), key=lambda c: c.order)
        ],
    }
