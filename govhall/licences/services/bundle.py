"""The holder's verification bundle (核验包): a ZIP any verifier checks offline with
OpenSSL alone — the signed data, its DER signature and the SM2 certificate chain up to
the platform root (docs/licences.md, "离线核验包", shows every command).

The signed data carries no ID number: a person's is bound by a salted SM3 commitment.
Only when the holder asks (``reveal_holder``) does the bundle add ``holder-proof.json``
with the number and the salt, so a verifier can recompute the commitment and see that
the licence is the holder's.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from govhall.core.errors import refuse

from ..models import LicenceVersion
from ..models.licences import HolderCodeType
from . import signing

SIGNED_DATA = "licence.json"
SIGNATURE = "licence.sig"
ISSUER_CERT = "issuer-cert.pem"
ROOT_CERT = "root-cert.pem"
HOLDER_PROOF = "holder-proof.json"
INSTRUCTIONS = "VERIFY.txt"
DISTID = signing.SIGNER_ID.decode("ascii")
# ZIP members carry a fixed time: the same version gives the same bytes.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def check_available(version: LicenceVersion) -> None:
    """A person's version signed before commitments holds the full ID number: no bundle."""
    document = json.loads(version.canonical)
    if "holder_code" in document and document.get("holder_code_type") == HolderCodeType.ID_CARD:
        raise refuse(
            "identifier",
            "legacy_format",
            "该证照版本的签名数据含完整身份证号码，不提供离线核验包；"
            "证照下次加注、延续或变更后即可下载。",
        )


def root_fingerprint(pem: str) -> str:
    """SHA-256 of the certificate's DER, as ``openssl x509 -noout -fingerprint -sha256``
    prints it (colon-separated upper-case hex)."""
    der = x509.load_pem_x509_certificate(pem.encode("ascii")).public_bytes(Encoding.DER)
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def filename(version: LicenceVersion) -> str:
    return f"licence-bundle-{version.identifier}.zip"


def build(version: LicenceVersion, *, reveal_holder: bool = False) -> bytes:
    check_available(version)
    licence = version.licence
    issuer_cert, root_cert = signing.sm2_certificate_chain(version.key)
    fingerprint = root_fingerprint(root_cert)
    files: list[tuple[str, bytes]] = [
        (SIGNED_DATA, version.canonical.encode("utf-8")),
        (SIGNATURE, base64.b64decode(version.signature)),
        (ISSUER_CERT, issuer_cert.encode("ascii")),
        (ROOT_CERT, root_cert.encode("ascii")),
    ]
    document = json.loads(version.canonical)
    proof = None
    if reveal_holder and "holder_code_commitment" in document:
        proof = {
            "holder_code": licence.holder_code,
            "salt": licence.holder_salt,
            "holder_code_commitment": document["holder_code_commitment"],
        }
        files.append((HOLDER_PROOF, (json.dumps(proof, ensure_ascii=False) + "\n").encode()))
    files.append((INSTRUCTIONS, instructions(fingerprint, proof).encode("utf-8")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def instructions(fingerprint: str, proof: dict | None) -> str:
    lines = [
        "电子证照离线核验包 / Licence verification bundle",
        "",
        f"{SIGNED_DATA}    签名数据（UTF-8 JSON，键排序、无空白）",
        f"{SIGNATURE}     SM2-with-SM3 签名（DER），签名者标识 {DISTID}",
        f"{ISSUER_CERT} 签发部门的 SM2 证书",
        f"{ROOT_CERT}   平台根证书（SM2，自签名）",
        "",
        "1. 核对根证书指纹与平台公布的一致（/api/v1/licences/issuers 中根密钥的",
        "   sm2_certificate_sha256，或政务服务网公布的指纹）：",
        f"   openssl x509 -in {ROOT_CERT} -noout -fingerprint -sha256",
        f"   应为 sha256 Fingerprint={fingerprint}",
        "2. 验证签发部门证书由根证书签发：",
        f"   openssl verify -vfyopt distid:{DISTID} -CAfile {ROOT_CERT} {ISSUER_CERT}",
        "3. 取出签发部门公钥并验证签名：",
        f"   openssl x509 -in {ISSUER_CERT} -noout -pubkey -out issuer-pub.pem",
        "   openssl pkeyutl -verify -pubin -inkey issuer-pub.pem -rawin -digest sm3 \\",
        f"       -pkeyopt distid:{DISTID} -in {SIGNED_DATA} -sigfile {SIGNATURE}",
        "   输出 Signature Verified Successfully 即签名有效。",
        "4. 证照当前状态（是否已注销）以平台核验接口或已签名的注销列表为准。",
    ]
    if proof is not None:
        lines += [
            "5. 持证人证明（holder-proof.json）：下列命令的输出应等于签名数据中",
            "   holder_code_commitment 冒号后的部分：",
            "   printf '%s%s' <salt> <holder_code> | openssl dgst -sm3",
        ]
    return "\n".join(lines) + "\n"
