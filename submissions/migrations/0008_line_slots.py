"""Appendix lines store their figures in generic typed slots.

The columns named after campaign 5137's measures are renamed into the slots 5137's definition
assigns them (by kind, in header order: campaigns.measures.assign_slots), so every line keeps
its data; the spare slots are added empty. The CHECK that 5137's three use shares add up to at
most 100 goes: it is that definition's rule (at_most_total), checked by the form and the
readiness; the per-kind CHECKs stay, on every slot.
"""

from django.db import migrations, models

SLOTS = {"amount": 16, "percent": 12, "integer": 8, "flag": 8, "text": 24, "choice": 4}
RENAMED = {
    "amount": [
        "demand",
        "alloc_invest_ctmt",
        "alloc_invest_self",
        "alloc_invest_separate",
        "alloc_recurrent_ctmt",
        "alloc_recurrent_self",
        "alloc_recurrent_separate",
        "spent",
    ],
    "percent": [
        "not_completed_pct",
        "vs_demand_pct",
        "vs_resolution17_pct",
        "use_as_designed_pct",
        "use_not_as_designed_pct",
        "unused_pct",
    ],
    "flag": ["accepted_internal", "accepted_by_authority"],
    "text": [
        "basis",
        "completed_products",
        "not_completed_reason",
        "infrastructure_status",
        "use_not_as_designed_reason",
        "unused_reason",
        "difficulties",
    ],
}
NAMES = {
    "amount": "amount",
    "percent": "percentage",
    "integer": "whole number",
    "flag": "yes / no",
    "text": "text",
    "choice": "choice",
}


def field(kind, number):
    name = f"{NAMES[kind]} {number}"
    if kind == "amount":
        return models.DecimalField(
            blank=True, decimal_places=3, max_digits=15, null=True, verbose_name=name
        )
    if kind == "percent":
        return models.DecimalField(
            blank=True, decimal_places=2, max_digits=5, null=True, verbose_name=name
        )
    if kind == "integer":
        return models.BigIntegerField(blank=True, null=True, verbose_name=name)
    if kind == "flag":
        return models.BooleanField(blank=True, null=True, verbose_name=name)
    if kind == "choice":
        return models.CharField(blank=True, max_length=64, verbose_name=name)
    return models.TextField(blank=True, max_length=2000, verbose_name=name)


def check(name, kind):
    if kind == "percent":
        return models.CheckConstraint(
            condition=models.Q((f"{name}__gte", 0), (f"{name}__lte", 100)),
            name=f"line_{name}_0_100",
        )
    return models.CheckConstraint(
        condition=models.Q((f"{name}__gte", 0)), name=f"line_{name}_non_negative"
    )


def operations():
    ops = [
        migrations.RemoveConstraint(model_name="lineitem", name=f"line_{old}_non_negative")
        for old in RENAMED["amount"]
    ]
    ops += [
        migrations.RemoveConstraint(model_name="lineitem", name=f"line_{old}_0_100")
        for old in RENAMED["percent"]
    ]
    ops.append(migrations.RemoveConstraint(model_name="lineitem", name="line_use_shares_at_most_100"))
    for kind, count in SLOTS.items():
        renamed = RENAMED.get(kind, [])
        for number in range(1, count + 1):
            slot = f"{kind}_{number}"
            if number <= len(renamed):
                ops.append(
                    migrations.RenameField(
                        model_name="lineitem", old_name=renamed[number - 1], new_name=slot
                    )
                )
                ops.append(
                    migrations.AlterField(
                        model_name="lineitem", name=slot, field=field(kind, number)
                    )
                )
            else:
                ops.append(
                    migrations.AddField(model_name="lineitem", name=slot, field=field(kind, number))
                )
            if kind in ("amount", "percent", "integer"):
                ops.append(
                    migrations.AddConstraint(model_name="lineitem", constraint=check(slot, kind))
                )
    return ops


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0007_campaign_models_moved"),
        ("campaigns", "0003_column_slots"),
    ]

    operations = operations()
