"""A version's frozen lines and figures are kept in generic slots, read through the definition.

The columns named after the first campaign's measures are renamed into the slots its
definition assigns them (the same as its lines', submissions 0008), so every version keeps
its figures: the sum "allocated" becomes total_1 and the ratio "spent_vs_allocated" ratio_1.
The allocation's sub-totals by kind and by source go: they are added up from the stored
amounts when the report is read (campaigns.measures.Breakdown). The spare slots are added empty.
"""

from django.db import migrations, models

LINE_SLOTS = {"amount": 16, "percent": 12, "integer": 8, "flag": 8}
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
}
FIGURES_ONLY = {"total": (8, ["allocated"]), "ratio": (4, ["spent_vs_allocated"])}
DROPPED = ["invest", "recurrent", "source_ctmt", "source_self", "source_separate"]
NAMES = {
    "amount": "amount",
    "percent": "percentage",
    "integer": "whole number",
    "flag": "yes / no",
    "total": "sum",
    "ratio": "ratio",
}


def line_field(kind, number):
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
    return models.BooleanField(blank=True, null=True, verbose_name=name)


def figure_field(kind, number):
    name = f"{NAMES[kind]} {number}"
    if kind in ("amount", "total"):
        return models.DecimalField(decimal_places=3, max_digits=20, null=True, verbose_name=name)
    if kind in ("percent", "ratio"):
        return models.DecimalField(decimal_places=2, max_digits=12, null=True, verbose_name=name)
    if kind == "integer":
        return models.BigIntegerField(null=True, verbose_name=name)
    return models.PositiveIntegerField(null=True, verbose_name=name)


def slots(model, kinds, renamed, make):
    ops = []
    for kind, count in kinds.items():
        old = renamed.get(kind, [])
        for number in range(1, count + 1):
            slot = f"{kind}_{number}"
            if number <= len(old):
                ops.append(
                    migrations.RenameField(model_name=model, old_name=old[number - 1], new_name=slot)
                )
                ops.append(
                    migrations.AlterField(model_name=model, name=slot, field=make(kind, number))
                )
            else:
                ops.append(
                    migrations.AddField(model_name=model, name=slot, field=make(kind, number))
                )
    return ops


def operations():
    ops = slots("versionline", LINE_SLOTS, RENAMED, line_field)
    ops += [migrations.RemoveField(model_name="versionfigures", name=name) for name in DROPPED]
    ops += slots("versionfigures", LINE_SLOTS, RENAMED, figure_field)
    ops += slots(
        "versionfigures",
        {kind: count for kind, (count, _old) in FIGURES_ONLY.items()},
        {kind: old for kind, (_count, old) in FIGURES_ONLY.items()},
        figure_field,
    )
    return ops


class Migration(migrations.Migration):
    dependencies = [
        ("national", "0004_version_signature"),
        ("submissions", "0008_line_slots"),
    ]

    operations = operations()
