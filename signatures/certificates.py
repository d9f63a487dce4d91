"""Reading X.509 certificates as administrators hand them over (PEM or DER files)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

# asn1crypto's names of the subject attributes that identify a person: UID, serialNumber.
SUBJECT_IDENTIFIERS = ("user_id", "serial_number", "0.9.2342.19200300.100.1.1")


class NotACertificate(ValueError):
    pass


def load_certificate(data: bytes) -> asn1_x509.Certificate:
    """One certificate from a .cer/.crt/.pem file (PEM or DER); NotACertificate otherwise."""
    try:
        if pem.detect(data):
            _kind, _headers, data = pem.unarmor(data)
        cert = asn1_x509.Certificate.load(data)
        cert.native  # noqa: B018 - parses the whole structure now, not on first use
    except Exception as exc:  # asn1crypto raises many kinds of error on bad input
        raise NotACertificate(str(exc)) from None
    return cert


def name_key(name: asn1_x509.Name) -> str:
    """A name's identity for matching: SHA-256 of its DER encoding."""
    return hashlib.sha256(name.dump()).hexdigest()


def identifiers_of(cert: asn1_x509.Certificate) -> set[str]:
    """The subject's identifiers a Vietnamese CA puts in the name (UID such as CCCD:..., the
    serialNumber attribute): a renewed certificate keeps them."""
    found = set()
    for rdn in cert.subject.chosen:
        for attribute in rdn:
            if attribute["type"].native in (
                "user_id",
                "serial_number",
                "0.9.2342.19200300.100.1.1",
            ):
                found.add(str(attribute["value"].native).strip())
    return found


@dataclass(frozen=True)
class Facts:
    subject: str
    issuer: str
    issuer_key: str
    serial: str
    subject_key_id: str
    not_before: datetime
    not_after: datetime
    sha256: str


def facts_of(cert: asn1_x509.Certificate) -> Facts:
    ski = cert.key_identifier
    return Facts(
        subject=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        issuer_key=name_key(cert.issuer),
        serial=format(cert.serial_number, "x"),
        subject_key_id=ski.hex() if ski else "",
        not_before=cert.not_valid_before,
        not_after=cert.not_valid_after,
        sha256=cert.sha256.hex(),
    )
