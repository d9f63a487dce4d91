"""Foreign keys to the campaign models, which moved to the campaigns app (state only)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("national", "0002_version_document"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="nationalversion",
                    name="campaign",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="national_versions",
                        to="campaigns.campaign",
                        verbose_name="campaign",
                    ),
                ),
                migrations.AlterField(
                    model_name="versionfigures",
                    name="group",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="campaigns.templaterow",
                    ),
                ),
                migrations.AlterField(
                    model_name="versionfigures",
                    name="row",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="campaigns.templaterow",
                    ),
                ),
                migrations.AlterField(
                    model_name="versionline",
                    name="group",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="campaigns.templaterow",
                    ),
                ),
                migrations.AlterField(
                    model_name="versionline",
                    name="row",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="campaigns.templaterow",
                    ),
                ),
                migrations.AlterField(
                    model_name="versionproblem",
                    name="kind",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="version_problems",
                        to="campaigns.problemkind",
                    ),
                ),
                migrations.AlterField(
                    model_name="versionprovince",
                    name="unit",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="campaigns.administrativeunit",
                    ),
                ),
            ],
        ),
    ]
