"""What the engine tells the apps built on it.

``transition_done`` is sent inside the transaction of every step, once its audit record is
written (``record``: the AuditRecord, with its submission and actor loaded). Its receivers
write in the same transaction, so a step that rolls back leaves none of their rows: the
receipts app issues the step's receipt, the notifications app queues the e-mails.

``campaign_opened`` is sent inside the transaction that opens a campaign (``campaign``), once
its units' submissions have started: the notifications app tells their drafters.
"""

from __future__ import annotations

from django.dispatch import Signal

transition_done = Signal()
campaign_opened = Signal()
