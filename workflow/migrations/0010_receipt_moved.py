"""Receipt moved to the receipts app (receipts 0001): only Django's picture changes, the
table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0009_campaign_models_moved"),
        ("receipts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Receipt")],
        ),
    ]
