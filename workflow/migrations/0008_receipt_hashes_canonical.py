"""Receipt hashes in the canonical form of workflow.canonical (UTC times with microseconds
always written). Only a receipt whose time fell on a whole second hashed differently before;
the chains are rebuilt in order so every previous_hash follows. Not deployed to the ministry
yet: this is for development and demo databases."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def rehash(apps: Any, schema_editor: Any) -> None:
    from receipts.services import receipt_hash

    receipt_model = apps.get_model("workflow", "Receipt")
    previous: dict[int, str] = {}
    for receipt in receipt_model.objects.select_related("campaign").order_by("submission", "number"):
        receipt.previous_hash = previous.get(receipt.submission_id, "")
        new = receipt_hash(receipt)
        if new != receipt.hash:
            receipt.hash = new
            receipt.save(update_fields=["hash", "previous_hash"])
        previous[receipt.submission_id] = receipt.hash


class Migration(migrations.Migration):
    dependencies = [("workflow", "0007_correct_far_extensions")]

    operations = [migrations.RunPython(rehash, migrations.RunPython.noop, elidable=True)]
