"""A real public-key infrastructure made in the tests: a root CA, an intermediate, a CRL served
over HTTP on the loopback, and the users' certificates (good and bad), as PKCS#12 files.

Elliptic-curve keys keep it fast (the whole PKI takes a few milliseconds); it is made once per
session (tests/signatures/conftest.py). Signing is done with pyHanko from a PKCS#12 file, as a
signing tool outside the application would.
"""

from __future__ import annotations

import datetime
import io
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from core.eventloop import outside_event_loop

PASSWORD = b"mat-khau-thu"
NOW = datetime.datetime.now(datetime.UTC)
DAY = datetime.timedelta(days=1)


def _name(common: str, org: str = "Ban Cơ yếu Chính phủ (thử)") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _usage(*, sign: bool, ca: bool = False, encipher: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign and not ca,
        key_encipherment=encipher,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass
class Authority:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    crl_url: str
    revoked: list[int] = field(default_factory=list)

    def crl(self) -> bytes:
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.cert.subject)
            .last_update(NOW - DAY)
            .next_update(NOW + 7 * DAY)
        )
        for serial in self.revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(NOW - DAY)
                .build()
            )
        return builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _certificate(
    subject: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    issuer: Authority | None,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    usage: x509.KeyUsage,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
    crl_url: str | None,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    if crl_url:
        point = x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url)],
            relative_name=None,
            reasons=None,
            crl_issuer=None,
        )
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def make_authority(common: str, base_url: str, slug: str, parent: Authority | None) -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(
        _name(common),
        key.public_key(),
        parent,
        parent.key if parent else key,
        ca=True,
        usage=_usage(sign=True, ca=True),
        not_before=NOW - 400 * DAY,
        not_after=NOW + 3650 * DAY,
        crl_url=parent.crl_url if parent else None,
    )
    return Authority(key=key, cert=cert, crl_url=f"{base_url}/{slug}.crl")


@dataclass
class Holder:
    """A user's key and certificate, with the chain, as the PKCS#12 file a token exports."""

    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    chain: list[x509.Certificate]

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    def pkcs12(self, password: bytes = PASSWORD) -> bytes:
        return pkcs12.serialize_key_and_certificates(
            b"chu-ky",
            self.key,
            self.cert,
            self.chain,
            serialization.BestAvailableEncryption(password),
        )

    def sign(self, pdf: bytes, *, field_name: str = "ChuKyNguoiKy") -> bytes:
        """Sign with pyHanko from the PKCS#12 file, as an outside tool would."""
        signer = signers.SimpleSigner.load_pkcs12_data(self.pkcs12(), [], passphrase=PASSWORD)
        assert signer is not None
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        out = outside_event_loop(signers.PdfSigner(meta, signer=signer).sign_pdf, writer)
        return bytes(out.getvalue())


def issue(
    authority: Authority,
    common: str,
    *,
    usage: x509.KeyUsage | None = None,
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
    crl_url: str | None = None,
    chain: list[x509.Certificate] | None = None,
) -> Holder:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(
        _name(common, org="UBND thử nghiệm"),
        key.public_key(),
        authority,
        authority.key,
        ca=False,
        usage=usage or _usage(sign=True),
        not_before=not_before or NOW - 30 * DAY,
        not_after=not_after or NOW + 365 * DAY,
        crl_url=crl_url or authority.crl_url,
    )
    return Holder(key=key, cert=cert, chain=[authority.cert, *(chain or [])])


class CrlServer:
    """Serves the authorities' CRLs at http://127.0.0.1:<port>/<slug>.crl."""

    def __init__(self) -> None:
        self.crls: dict[str, bytes] = {}
        self.hits = 0
        crls = self.crls
        server_self = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server_self.hits += 1
                body = crls.get(self.path.lstrip("/"))
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/pkix-crl")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Pki:
    root: Authority
    intermediate: Authority
    other_root: Authority
    valid: Holder
    organisation: Holder
    coordinator: Holder
    expired: Holder
    revoked: Holder
    wrong_usage: Holder
    another_user: Holder
    untrusted: Holder
    unreachable_crl: Holder

    def anchors(self) -> list[bytes]:
        """The trust list an administrator loads: the root and the intermediate."""
        return [
            a.cert.public_bytes(serialization.Encoding.DER) for a in (self.root, self.intermediate)
        ]


def make_pki(server: CrlServer) -> Pki:
    base = server.base_url
    root = make_authority("Root CA thử nghiệm", base, "root", None)
    inter = make_authority("CA cấp dưới thử nghiệm", base, "intermediate", root)
    other_root = make_authority("CA lạ", base, "other", None)
    pki = Pki(
        root=root,
        intermediate=inter,
        other_root=other_root,
        valid=issue(inter, "Nguyễn Văn Ký"),
        organisation=issue(inter, "UBND Thành phố Hà Nội"),
        coordinator=issue(inter, "Trần Thị Điều Phối"),
        expired=issue(inter, "Người Hết Hạn", not_before=NOW - 400 * DAY, not_after=NOW - DAY),
        revoked=issue(inter, "Người Bị Thu Hồi"),
        wrong_usage=issue(inter, "Chỉ Mã Hóa", usage=_usage(sign=False, encipher=True)),
        another_user=issue(inter, "Người Khác"),
        untrusted=issue(other_root, "Chứng Thư Lạ"),
        unreachable_crl=issue(inter, "Không Kiểm Tra Được", crl_url="http://127.0.0.1:9/x.crl"),
    )
    inter.revoked.append(pki.revoked.cert.serial_number)
    server.crls.update(
        {"root.crl": root.crl(), "intermediate.crl": inter.crl(), "other.crl": other_root.crl()}
    )
    return pki
