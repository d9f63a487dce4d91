"""What every form does to what people type: Unicode NFC, numbers read strictly, bounds.

Vietnamese typed on different keyboards and systems arrives composed ("à" as one code
point) or decomposed ("a" and a combining grave): both are stored composed (NFC), so
that search, comparison and the PDFs' fonts see one spelling.

Numbers are read the way the user's language writes them (config/formats): in
Vietnamese "." groups thousands in threes and "," starts the decimals ("1.234.567,5",
"1234567,5", "12,34"); in English the other way round. Anything else ("12.34" or
"1.2.3" in Vietnamese) is refused with a message, never guessed at.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import cache
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

# The largest value an integer column holds (PostgreSQL integer, Django's IntegerField).
INT_MAX = 2_147_483_647


def nfc(value: Any) -> Any:
    """Strings composed (NFC); anything else as it is."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


class NFCInputMixin:
    """Every text a bound form receives is NFC before any field reads it (the form's data,
    not the files; a form built from a dict, as the Excel import does, too)."""

    data: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(self.data, QueryDict):
            composed = QueryDict(mutable=True)
            for key, values in self.data.lists():
                composed.setlist(nfc(key), [nfc(v) for v in values])
            self.data = composed
        elif self.data:
            self.data = {nfc(key): nfc(value) for key, value in self.data.items()}


@cache
def _pattern(decimal: str, thousands: str) -> re.Pattern[str]:
    d, t = re.escape(decimal), re.escape(thousands)
    return re.compile(
        rf"^(?P<sign>-?)(?P<whole>\d{{1,3}}(?:{t}\d{{3}})+|\d+)(?:{d}(?P<frac>\d+))?$",
        re.ASCII,
    )


def parse_number(text: str) -> Decimal:
    """``text`` as the active language writes numbers; ValueError if it is not well formed."""
    decimal, thousands = str(get_format("DECIMAL_SEPARATOR")), str(get_format("THOUSAND_SEPARATOR"))
    match = _pattern(decimal, thousands).match(text.strip())
    if match is None:
        raise ValueError(text)
    whole = match["whole"].replace(thousands, "")
    fraction = f".{match['frac']}" if match["frac"] else ""
    return Decimal(f"{match['sign']}{whole}{fraction}")


def number_format_message() -> str:
    return str(
        _(
            "Write thousands in groups of three separated by “%(thousands)s” and the "
            "decimals after “%(decimal)s”, for example %(example)s."
        )
        % {
            "thousands": get_format("THOUSAND_SEPARATOR"),
            "decimal": get_format("DECIMAL_SEPARATOR"),
            "example": f"1{get_format('THOUSAND_SEPARATOR')}234{get_format('DECIMAL_SEPARATOR')}5",
        }
    )


def _looks_numeric(text: str) -> bool:
    """Digits and separators only: a malformed number, told how to write it; any other
    text gets the field's own message."""
    return bool(re.fullmatch(r"-?[\d.,\s]+", text)) and any(c.isdigit() for c in text)


def _to_decimal(field: forms.Field, value: Any) -> Decimal | None:
    if value in field.empty_values:
        return None
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return Decimal(value)
    text = str(value).strip()
    try:
        return parse_number(text)
    except ValueError:
        if _looks_numeric(text):
            raise ValidationError(number_format_message(), code="invalid") from None
        raise ValidationError(field.error_messages["invalid"], code="invalid") from None


def _plain(value: Any) -> Any:
    """Show 1234.500 as 1234.5 (and 1E+3 as 1000) before the widget localises it."""
    if isinstance(value, Decimal):
        value = value.normalize()
        if value == value.to_integral():
            value = value.quantize(Decimal(1))
    return value


class LocalDecimalField(forms.DecimalField):
    """A decimal typed the user's way: 1.234,5 in Vietnamese, 1,234.5 in English."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        kwargs["localize"] = True
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        return _to_decimal(self, value)

    def prepare_value(self, value: Any) -> Any:
        return _plain(value)


class WholeNumberField(forms.IntegerField):
    """A whole number typed the user's way (1.234 in Vietnamese), within ``min_value`` (0 unless
    given) and ``max_value``, which a column must be able to hold."""

    def __init__(self, *, max_value: int, **kwargs: Any) -> None:
        assert max_value <= INT_MAX
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
        )
        super().__init__(max_value=max_value, **kwargs)

    def to_python(self, value: Any) -> int | None:
        number = _to_decimal(self, value)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(number)


# Django's own message counts in a sentence a drafter does not need; ours names the limit.
MAX_LENGTH_MESSAGE = _("At most %(limit_value)s characters (this text has %(show_value)s).")


def text_field(*, max_length: int, **kwargs: Any) -> forms.CharField:
    """A text field whose limit is said when it is passed."""
    kwargs.setdefault("error_messages", {})["max_length"] = MAX_LENGTH_MESSAGE
    return forms.CharField(max_length=max_length, **kwargs)
