"""The one written form of every value that enters a hash (receipts, snapshots).

A hash must not depend on who computed it: the time zone of the caller, the precision the
database returns, how a Decimal was typed, how a keyboard composed a Vietnamese letter. So
datetimes are written in UTC with microseconds always present, Decimals at the finest
precision any amount is stored with (AMOUNT_PLACES), text in Unicode NFC.
"""

from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal
from typing import Any

from submissions.models import AMOUNT_PLACES

DECIMAL_QUANTUM = Decimal(1).scaleb(-AMOUNT_PLACES)


def canonical(value: Any) -> str:
    """``value`` as the text a hash covers."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError("a naive datetime has no single canonical form")
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.quantize(DECIMAL_QUANTUM), "f")
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    raise TypeError(f"no canonical form for {type(value).__name__}")
