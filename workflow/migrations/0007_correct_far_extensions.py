"""Extensions stored before dates were bounded can lie thousands of years ahead (31/12/9999
made the submission page, the dashboard and both exports fail, and could not be undone,
since a new extension had to come later). Rows are only ever added: each such province gets
one more extension, back to its last sensible deadline, with the reason said."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import migrations
from django.utils import timezone

YEARS_AROUND = 3  # workflow.deadlines.YEARS_AROUND when this was written
REASON = (
    "Tự động sửa: thời hạn %(day)s nằm ngoài phạm vi của đợt báo cáo (lưu trước khi có giới "
    "hạn ngày); trở lại thời hạn hợp lệ gần nhất."
)


def correct(apps: Any, schema_editor: Any) -> None:
    extension_model = apps.get_model("workflow", "DeadlineExtension")
    submission_model = apps.get_model("submissions", "Submission")
    now = timezone.now()
    submissions = submission_model.objects.filter(extensions__isnull=False).distinct()
    for submission in submissions.select_related("campaign"):
        rows = list(extension_model.objects.filter(submission=submission).order_by("-at", "-pk"))
        deadline = submission.campaign.deadline
        last = datetime.date(deadline.year + YEARS_AROUND, 12, 31)
        if rows[0].due <= last:
            continue
        sane = next((r.due for r in rows if deadline <= r.due <= last), deadline)
        extension_model.objects.create(
            submission=submission,
            due=sane,
            reason=REASON % {"day": rows[0].due.strftime("%d/%m/%Y")},
            by_id=rows[0].by_id,
            at=max(now, rows[0].at + datetime.timedelta(microseconds=1)),
        )


class Migration(migrations.Migration):
    dependencies = [("workflow", "0006_text_limits")]

    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
