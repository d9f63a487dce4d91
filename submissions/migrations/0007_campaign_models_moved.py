"""The campaign models moved to the campaigns app: only Django's picture changes, the tables
stay (campaigns 0001)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("national", "0003_campaign_models_moved"),
        ("submissions", "0006_text_limits"),
        ("workflow", "0009_campaign_models_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="administrativeunit",
                    name="region",
                ),
                migrations.RemoveField(
                    model_name="campaign",
                    name="units",
                ),
                migrations.AlterField(
                    model_name="submission",
                    name="unit",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="submissions",
                        to="campaigns.administrativeunit",
                        verbose_name="unit",
                    ),
                ),
                migrations.RemoveField(
                    model_name="footnote",
                    name="campaign",
                ),
                migrations.RemoveField(
                    model_name="outlinesection",
                    name="campaign",
                ),
                migrations.RemoveField(
                    model_name="problemkind",
                    name="campaign",
                ),
                migrations.RemoveField(
                    model_name="templaterow",
                    name="campaign",
                ),
                migrations.AlterField(
                    model_name="submission",
                    name="campaign",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="submissions",
                        to="campaigns.campaign",
                        verbose_name="campaign",
                    ),
                ),
                migrations.RemoveField(
                    model_name="templatecolumn",
                    name="campaign",
                ),
                migrations.RemoveField(
                    model_name="templatecolumn",
                    name="footnote",
                ),
                migrations.RemoveField(
                    model_name="outlinepoint",
                    name="section",
                ),
                migrations.AlterField(
                    model_name="narrativeanswer",
                    name="point",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="answers",
                        to="campaigns.outlinepoint",
                    ),
                ),
                migrations.RemoveField(
                    model_name="templatecolumn",
                    name="parent",
                ),
                migrations.RemoveField(
                    model_name="templaterow",
                    name="parent",
                ),
                migrations.AlterField(
                    model_name="lineitem",
                    name="group",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="group_lines",
                        to="campaigns.templaterow",
                    ),
                ),
                migrations.AlterField(
                    model_name="lineitem",
                    name="row",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lines",
                        to="campaigns.templaterow",
                    ),
                ),
                migrations.AlterField(
                    model_name="submission",
                    name="problem_kinds",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="submissions",
                        to="campaigns.problemkind",
                        verbose_name="problems that apply",
                    ),
                ),
                migrations.DeleteModel(
                    name="Region",
                ),
                migrations.DeleteModel(
                    name="AdministrativeUnit",
                ),
                migrations.DeleteModel(
                    name="ProblemKind",
                ),
                migrations.DeleteModel(
                    name="Campaign",
                ),
                migrations.DeleteModel(
                    name="Footnote",
                ),
                migrations.DeleteModel(
                    name="OutlineSection",
                ),
                migrations.DeleteModel(
                    name="OutlinePoint",
                ),
                migrations.DeleteModel(
                    name="TemplateColumn",
                ),
                migrations.DeleteModel(
                    name="TemplateRow",
                ),
            ],
        ),
    ]
