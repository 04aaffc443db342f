"""Issuer keys and SM2/SM3 signatures.

Signatures are SM2 with SM3 and the default signer ID ``1234567812345678`` (GB/T 35276),
DER-encoded — exactly what ``openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt
distid:1234567812345678`` checks. gmssl-pyx does the SM2 work (GmSSL compiled in; the
pure-Python ``gmssl`` package uses a predictable nonce and must not sign).

The PDF signature (PAdES) needs a key pyHanko understands, so each issuer key also
carries a P-256 key with a certificate from the platform's root certificate.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib

import gmssl_pyx
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from govhall.accounts import crypto
from govhall.core.services import audit

from ..models import IssuerKey

SM2_CURVE_OID = "1.2.156.10197.1.301"
SM2_WITH_SM3_OID = "1.2.156.10197.1.501"  # GB/T 33560 / GM/T 0006
SIGNER_ID = gmssl_pyx.SM2_DEFAULT_SIGNER_ID  # b"1234567812345678"
CERT_YEARS = 10


# --- SM2 primitives -------------------------------------------------------------------


def sm3_hex(data: bytes) -> str:
    return gmssl_pyx.sm3_hash(data).hex()


# GB/T 32918.2 curve parameters a, b, xG, yG: part of Z_A, the signer's identity hash.
SM2_CURVE = bytes.fromhex(
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"
    "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"
    "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"
    "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"
)


@functools.lru_cache(maxsize=1024)
def z_of(public_key: bytes) -> bytes:
    """Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA), fixed per key.

    Signing SM3(Z_A ‖ M) with ``sm2_sign_sm3_digest`` is the same SM2 signature as
    ``sm2_sign(message)`` (GB/T 32918.2 §6.1), about ten times faster with gmssl-pyx
    because Z_A is computed once per key; OpenSSL verifies both alike (tests)."""
    entl = (len(SIGNER_ID) * 8).to_bytes(2, "big")
    return gmssl_pyx.sm3_hash(entl + SIGNER_ID + SM2_CURVE + public_key)


@functools.lru_cache(maxsize=256)
def _private(token: str) -> bytes:
    return bytes.fromhex(crypto.decrypt(token))


def digest(public_key: bytes, message: bytes) -> bytes:
    return gmssl_pyx.sm3_hash(z_of(public_key) + message)


def sign(key: IssuerKey, message: bytes) -> bytes:
    public = bytes.fromhex(key.sm2_public_key)
    return gmssl_pyx.sm2_sign_sm3_digest(_private(key.sm2_private_key), digest(public, message))


def verify(public_key_hex: str, message: bytes, signature: bytes) -> bool:
    try:
        public = bytes.fromhex(public_key_hex)
        return bool(gmssl_pyx.sm2_verify_sm3_digest(public, digest(public, message), signature))
    except (gmssl_pyx.GmsslInnerError, ValueError):
        return False


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _public_key_info(public_key_hex: str) -> asn1_keys.PublicKeyInfo:
    return asn1_keys.PublicKeyInfo(
        {
            "algorithm": asn1_keys.PublicKeyAlgorithm(
                {
                    "algorithm": "ec",
                    "parameters": asn1_keys.ECDomainParameters(name="named", value=SM2_CURVE_OID),
                }
            ),
            "public_key": b"\x04" + bytes.fromhex(public_key_hex),
        }
    )


def _pem(label: str, der: bytes) -> str:
    body = base64.encodebytes(der).decode("ascii")
    return f"-----BEGIN {label}-----\n{body}-----END {label}-----\n"


def public_key_pem(public_key_hex: str) -> str:
    """SubjectPublicKeyInfo of an SM2 key (id-ecPublicKey on curve SM2), as OpenSSL reads it."""
    return _pem("PUBLIC KEY", _public_key_info(public_key_hex).dump())


# --- keys -----------------------------------------------------------------------------


def _name(common_name: str, organisation: str, unit: str = "") -> x509.Name:
    parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if unit:
        parts.insert(2, x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    return x509.Name(parts)


def _certificate(subject, subject_key, issuer_name, issuer_key, *, ca: bool):
    now = timezone.now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(subject_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365 * CERT_YEARS))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), critical=False
        )
    )
    if not ca:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _pem_key(private_key) -> str:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def load_certificate_key(key: IssuerKey):
    return serialization.load_pem_private_key(
        crypto.decrypt(key.certificate_key).encode("ascii"), password=None
    )


def _new_key(department, cert_signer: tuple | None) -> IssuerKey:
    public, private = gmssl_pyx.sm2_key_generate()
    cert_key = ec.generate_private_key(ec.SECP256R1())
    site = settings.GOVHALL_SITE_NAME
    if department is None:
        subject = _name(f"{site}电子证照根证书", site)
        certificate = _certificate(subject, cert_key, subject, cert_key, ca=True)
    else:
        root_cert, root_key = cert_signer
        subject = _name(department.name, department.name, department.credit_code)
        certificate = _certificate(subject, cert_key, root_cert.subject, root_key, ca=False)
    return IssuerKey.objects.create(
        department=department,
        key_id=hashlib.sha256(public).hexdigest()[:16],
        sm2_public_key=public.hex(),
        sm2_private_key=crypto.encrypt(private.hex()),
        certificate=certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        certificate_key=crypto.encrypt(_pem_key(cert_key)),
    )


def root_key() -> IssuerKey:
    """The platform's root certificate (made on first use), which certifies issuer keys."""
    key = IssuerKey.objects.filter(department__isnull=True, retired_at__isnull=True).first()
    if key is None:
        with transaction.atomic():
            key = _new_key(None, None)
            sm2_certificate(key)
            audit.record(audit.AuditEntry.Action.CREATE, instance=key, reason="生成平台根证书")
    return key


def active_key(department, *, lock: bool = False) -> IssuerKey:
    """The department's signing key, generated the first time it issues."""
    rows = IssuerKey.objects.filter(department=department, retired_at__isnull=True)
    key = (rows.select_for_update() if lock else rows).first()
    if key is None:
        key = _make_department_key(department)
    return key


def _make_department_key(department) -> IssuerKey:
    root = root_key()
    signer = (
        x509.load_pem_x509_certificate(root.certificate.encode("ascii")),
        load_certificate_key(root),
    )
    with transaction.atomic():
        key = _new_key(department, signer)
        sm2_certificate(key)
        audit.record(
            audit.AuditEntry.Action.CREATE,
            instance=key,
            after={"key_id": key.key_id, "department": department.credit_code},
            reason="生成签发密钥",
        )
    return key


@transaction.atomic
def rotate(department, *, reason: str = "") -> IssuerKey:
    """Retire the active key and make a new one; old licences still verify with the old."""
    old = (
        IssuerKey.objects.select_for_update()
        .filter(department=department, retired_at__isnull=True)
        .first()
    )
    if old is not None:
        old.retired_at = timezone.now()
        old.save(update_fields=["retired_at"])
    key = _make_department_key(department)
    audit.record(
        audit.AuditEntry.Action.UPDATE,
        instance=key,
        before={"key_id": old.key_id if old else None},
        after={"key_id": key.key_id},
        reason=reason or "轮换签发密钥",
    )
    return key


# --- SM2 certificates (GM/T 0015 profile: SM2 key, SM2-with-SM3 signature) ---------------


def _sm2_name(key: IssuerKey) -> asn1_x509.Name:
    site = settings.GOVHALL_SITE_NAME
    if key.is_root:
        values = {"country_name": "CN", "organization_name": site}
        values["common_name"] = f"{site}电子证照根证书（SM2）"
        return asn1_x509.Name.build(values)
    department = key.department
    return asn1_x509.Name.build(
        {
            "country_name": "CN",
            "organization_name": department.name,
            "organizational_unit_name": department.credit_code,
            "common_name": department.name,
        },
        use_printable=False,
    )


def _asn1_time(moment: datetime.datetime) -> asn1_x509.Time:
    kind = "utc_time" if moment.year < 2050 else "general_time"
    return asn1_x509.Time(name=kind, value=moment.astimezone(datetime.UTC).replace(microsecond=0))


def _build_sm2_certificate(key: IssuerKey, signer: IssuerKey) -> str:
    """An X.509 v3 certificate for ``key``'s SM2 public key, signed SM2-with-SM3 by
    ``signer``'s SM2 key (the platform root; the root signs its own)."""
    now = timezone.now()
    ca = key.is_root
    extensions = [
        {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": ca}},
        {
            "extn_id": "key_usage",
            "critical": True,
            "extn_value": {"key_cert_sign", "crl_sign"}
            if ca
            else {"digital_signature", "non_repudiation"},
        },
        {
            "extn_id": "key_identifier",
            "critical": False,
            "extn_value": hashlib.sha1(b"\x04" + bytes.fromhex(key.sm2_public_key)).digest(),
        },
    ]
    if ca:
        extensions[0]["extn_value"]["path_len_constraint"] = 0
    tbs = asn1_x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": x509.random_serial_number(),
            "signature": {"algorithm": SM2_WITH_SM3_OID},
            "issuer": _sm2_name(signer),
            "validity": {
                "not_before": _asn1_time(now - datetime.timedelta(minutes=5)),
                "not_after": _asn1_time(now + datetime.timedelta(days=365 * CERT_YEARS)),
            },
            "subject": _sm2_name(key),
            "subject_public_key_info": _public_key_info(key.sm2_public_key),
            "extensions": extensions,
        }
    )
    certificate = asn1_x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": {"algorithm": SM2_WITH_SM3_OID},
            "signature_value": sign(signer, tbs.dump()),
        }
    )
    return _pem("CERTIFICATE", certificate.dump())


def sm2_certificate(key: IssuerKey) -> str:
    """The key's SM2 certificate, made once (keys older than certificates get theirs on
    first use; the first writer wins, so concurrent callers agree)."""
    if key.sm2_certificate:
        return key.sm2_certificate
    signer = key if key.is_root else root_key()
    if not signer.is_root:
        raise ValueError("no platform root key")
    if signer.pk != key.pk:
        sm2_certificate(signer)
    pem = _build_sm2_certificate(key, signer)
    IssuerKey.objects.filter(pk=key.pk, sm2_certificate="").update(sm2_certificate=pem)
    key.sm2_certificate = IssuerKey.objects.values_list("sm2_certificate", flat=True).get(pk=key.pk)
    return key.sm2_certificate


def sm2_certificate_chain(key: IssuerKey) -> list[str]:
    """PEM SM2 certificates: the issuer's, then the platform root's."""
    chain = [sm2_certificate(key)]
    if not key.is_root:
        chain.append(sm2_certificate(root_key()))
    return chain


def certificate_chain(key: IssuerKey) -> list[str]:
    """PEM certificates from the issuer key up to the root."""
    chain = [key.certificate]
    if not key.is_root:
        chain.append(root_key().certificate)
    return chain
