"""The service's signing key: a PKCS#12 file named by the settings.

Production names its own file and password (SIGNING_P12_PATH, SIGNING_P12_PASSWORD).
Development and tests get a self-signed key and certificate made on first use by
``ensure_dev_key`` (make run calls it through ``manage.py ensure_signing_key``).
"""

from __future__ import annotations

import datetime
import functools
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from pyhanko.sign import signers


def ensure_dev_key(path: Path, password: str, *, organisation: str = "Bộ Tài chính") -> bool:
    """Create a self-signed development key and certificate at ``path`` unless one is there."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(
                NameOID.COMMON_NAME, f"{organisation} - hệ thống báo cáo (phát triển)"
            ),
        ]
    )
    # The real time, not the application's clock: signatures are checked against it.
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"dev-signing",
        key,
        cert,
        None,
        serialization.BestAvailableEncryption(password.encode()),
    )
    path.write_bytes(data)
    path.chmod(0o600)
    return True


@functools.cache
def service_signer() -> signers.SimpleSigner:
    """The service's signer, loaded once per process."""
    signer = signers.SimpleSigner.load_pkcs12(
        str(settings.SIGNING_P12_PATH), passphrase=settings.SIGNING_P12_PASSWORD.encode()
    )
    if signer is None:
        raise RuntimeError(f"Cannot load the signing key {settings.SIGNING_P12_PATH}")
    return signer
