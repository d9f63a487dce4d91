"""Foreign keys to the campaign models, which moved to the campaigns app (state only)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("workflow", "0008_receipt_hashes_canonical"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="receipt",
                    name="campaign",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="receipts",
                        to="campaigns.campaign",
                    ),
                ),
                migrations.AlterField(
                    model_name="reviewnote",
                    name="point",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="review_notes",
                        to="campaigns.outlinepoint",
                    ),
                ),
                migrations.AlterField(
                    model_name="stageschedule",
                    name="campaign",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="stage_schedule",
                        to="campaigns.campaign",
                    ),
                ),
            ],
        ),
    ]
