"""The holder's verification bundle: downloaded through the API and the licence page,
then checked with the ``openssl`` command line alone — no project code touches the
verification (zipfile only unpacks). The signed data holds no ID number, only a salted
commitment the holder can open."""

import io
import json
import subprocess
import zipfile

import pytest
from django.test import Client

from govhall.cases.tests import factories as cf
from tests.common import signed_in

from ..models import LicenceUse, LicenceVersion
from . import factories as f

pytestmark = pytest.mark.django_db
BASE = "/api/v1/my/licences/"
DISTID = "distid:1234567812345678"


def person_licence(name="张小明"):
    licence, identity = f.person_licence(cf.applicant(name=name))
    return licence, identity, signed_in(identity)


def openssl(*args, cwd, stdin=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["openssl", *args], cwd=cwd, capture_output=True, input=stdin, check=False
    )


def unpack(content: bytes, folder):
    folder.mkdir()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        archive.extractall(folder)
    return folder


def openssl_verifies(folder) -> tuple[bool, str]:
    """The three steps of docs/licences.md: chain, public key out, signature."""
    chain = openssl(
        "verify", "-vfyopt", DISTID, "-CAfile", "root-cert.pem", "issuer-cert.pem", cwd=folder
    )
    if chain.returncode != 0:
        return False, (chain.stdout + chain.stderr).decode()
    key = openssl(
        "x509", "-in", "issuer-cert.pem", "-noout", "-pubkey", "-out", "issuer-pub.pem",
        cwd=folder,
    )  # fmt: skip
    assert key.returncode == 0, key.stderr
    checked = openssl(
        "pkeyutl", "-verify", "-pubin", "-inkey", "issuer-pub.pem", "-rawin",
        "-digest", "sm3", "-pkeyopt", DISTID,
        "-in", "licence.json", "-sigfile", "licence.sig",
        cwd=folder,
    )  # fmt: skip
    out = (checked.stdout + checked.stderr).decode()
    return b"Signature Verified Successfully" in checked.stdout, out


def test_bundle_verifies_with_openssl_alone_and_hides_the_id_number(tmp_path):
    licence, identity, client = person_licence()
    id_number = identity.person.id_number

    response = client.get(f"{BASE}{licence.current.identifier}/bundle")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    folder = unpack(response.content, tmp_path / "bundle")
    names = {p.name for p in folder.iterdir()}
    assert names == {
        "licence.json",
        "licence.sig",
        "issuer-cert.pem",
        "root-cert.pem",
        "VERIFY.txt",
    }

    ok, out = openssl_verifies(folder)
    assert ok, out

    # The trust anchor: the root's fingerprint is the one the hall publishes.
    printed = openssl(
        "x509", "-in", "root-cert.pem", "-noout", "-fingerprint", "-sha256", cwd=folder
    ).stdout.decode()
    published = Client().get("/api/v1/licences/issuers").json()["keys"]
    (root,) = [k for k in published if k["is_root"]]
    assert printed.strip().split("=", 1)[1] == root["sm2_certificate_sha256"]
    assert root["sm2_certificate"] == (folder / "root-cert.pem").read_text()
    assert root["sm2_certificate_sha256"] in (folder / "VERIFY.txt").read_text()
    # The issuer certificate names the department.
    subject = openssl(
        "x509", "-in", "issuer-cert.pem", "-noout", "-subject", "-nameopt", "utf8", cwd=folder
    ).stdout.decode()
    assert "江门市民政局" in subject

    # No part of the bundle holds the ID number; the signed data binds it by commitment.
    for path in folder.iterdir():
        assert id_number.encode() not in path.read_bytes(), path.name
    document = json.loads((folder / "licence.json").read_text("utf-8"))
    assert document["format"] == "govhall-licence/2"
    assert "holder_code" not in document
    assert document["holder_code_commitment"].startswith("sm3:")
    assert document["identifier"] == licence.current.identifier

    # The download is the holder's own logged use.
    use = LicenceUse.objects.get(licence=licence)
    assert use.kind == LicenceUse.Kind.DOWNLOAD and "核验包" in use.purpose


def test_tampered_data_or_foreign_certificate_fails_openssl(tmp_path):
    licence, _, client = person_licence()
    content = client.get(f"{BASE}{licence.current.identifier}/bundle").content

    tampered = unpack(content, tmp_path / "tampered")
    text = (tampered / "licence.json").read_text("utf-8")
    (tampered / "licence.json").write_text(
        text.replace('"household_size":"3"', '"household_size":"4"')
    )
    assert (tampered / "licence.json").read_text("utf-8") != text
    ok, out = openssl_verifies(tampered)
    assert not ok and "Verified Successfully" not in out

    # A self-made "root" does not vouch for the issuer certificate.
    forged = unpack(content, tmp_path / "forged")
    openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:SM2", "-nodes",
        "-keyout", "k.pem", "-out", "root-cert.pem", "-subj", "/CN=forged", "-days", "1",
        cwd=forged,
    )  # fmt: skip
    ok, out = openssl_verifies(forged)
    assert not ok


def test_holder_proof_opens_the_commitment_with_openssl(tmp_path):
    licence, identity, client = person_licence()
    response = client.get(f"{BASE}{licence.current.identifier}/bundle", {"reveal": "holder"})
    assert response.status_code == 200
    folder = unpack(response.content, tmp_path / "proof")
    proof = json.loads((folder / "holder-proof.json").read_text("utf-8"))
    assert proof["holder_code"] == identity.person.id_number
    assert len(proof["salt"]) == 32
    document = json.loads((folder / "licence.json").read_text("utf-8"))
    digest = openssl(
        "dgst", "-sm3", "-r", cwd=folder, stdin=(proof["salt"] + proof["holder_code"]).encode()
    ).stdout.decode()
    assert document["holder_code_commitment"] == "sm3:" + digest.split()[0]
    # Someone else's ID number does not open it.
    other = cf.applicant(name="王五").person.id_number
    wrong = openssl("dgst", "-sm3", "-r", cwd=folder, stdin=(proof["salt"] + other).encode())
    assert document["holder_code_commitment"] != "sm3:" + wrong.stdout.decode().split()[0]
    assert openssl_verifies(folder)[0]


def test_bad_reveal_other_holders_and_legacy_versions_are_refused():
    licence, _, client = person_licence()
    identifier = licence.current.identifier
    bad = client.get(f"{BASE}{identifier}/bundle", {"reveal": "everything"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "reveal"

    _, _, stranger = person_licence("王五")
    assert stranger.get(f"{BASE}{identifier}/bundle").status_code == 404
    assert Client().get(f"{BASE}{identifier}/bundle").status_code in (401, 403)

    # A version signed in the old format (full ID number in the signed data): 409.
    document = json.loads(licence.current.canonical)
    document["format"] = "govhall-licence/1"
    document["holder_code"] = licence.holder_code
    del document["holder_code_commitment"]
    LicenceVersion.objects.filter(pk=licence.current.pk).update(
        canonical=json.dumps(document, ensure_ascii=False)
    )
    legacy = client.get(f"{BASE}{identifier}/bundle")
    assert legacy.status_code == 409
    assert legacy.json()["errors"][0]["code"] == "legacy_format"
    # On the page: a message, back to the licence.
    page = client.get(f"/my/licences/{licence.pk}/bundle", follow=True)
    assert "不提供离线核验包" in page.content.decode()


def test_licence_page_offers_the_bundle(tmp_path):
    licence, _, client = person_licence()
    page = client.get(f"/my/licences/{licence.pk}/").content.decode()
    assert f"/my/licences/{licence.pk}/bundle" in page and 'name="reveal"' in page
    response = client.get(f"/my/licences/{licence.pk}/bundle", {"reveal": "holder"})
    assert response.status_code == 200
    folder = unpack(response.content, tmp_path / "page")
    assert (folder / "holder-proof.json").exists()
    assert openssl_verifies(folder)[0]


def test_company_licence_keeps_its_public_credit_code(tmp_path):
    identity = cf.company_agent()
    licence = f.company_licence(identity.company)
    response = signed_in(identity).get(f"{BASE}{licence.current.identifier}/bundle")
    assert response.status_code == 200, response.content
    folder = unpack(response.content, tmp_path / "company")
    document = json.loads((folder / "licence.json").read_text("utf-8"))
    assert document["holder_code"] == identity.company.credit_code
    assert "holder_code_commitment" not in document
    assert openssl_verifies(folder)[0]
