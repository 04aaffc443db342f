"""电子文件归档: the package of a department's concluded cases checks out with ``sha256sum -c``,
its SM3 digests recompute, its licences verify with the keys it carries, and no ID number
appears in clear in its manifest."""

import base64
import datetime
import io
import json
import subprocess
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from govhall.cases.tests import factories as cf
from govhall.core.models import AuditEntry
from govhall.records.models import ProcessRecord
from govhall.regions.models import Post

from ..models import Licence
from ..services import archive, signing
from . import factories as f
from . import openssl

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% a licence rendered elsewhere\n%%EOF\n"


@pytest.fixture
def concluded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GOVHALL_STAFF_TOTP_REQUIRED = False
    dept = cf.department("江门市民政局")
    f.licence_type(issuers=[dept])
    identity = cf.applicant(name="欧阳娜娜")
    case, clerk = f.concluded_case(dept, identity)
    version = Licence.objects.get(case=case).current
    version.pdf.save("licence.pdf", ContentFile(PDF))
    return dept, case, clerk, identity


def open_package(data: bytes, where) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        package.extractall(where)
    return json.loads((where / "manifest.json").read_text(encoding="utf-8"))


def test_package_contents_checksums_and_signatures(concluded, tmp_path):
    dept, case, clerk, identity = concluded
    # Neither another department's concluded case nor this department's open one belongs.
    chaozhou = cf.department("潮州市民政局", cf.CHAOZHOU)
    other_type = f"{f.DEFINING_BODY_CODE}003"
    f.licence_type(other_type, issuers=[chaozhou], number_prefix="潮低保")
    f.concluded_case(chaozhou, item=f.issuing_item(chaozhou, other_type))
    still_open = cf.submitted(case.item, cf.applicant())
    today = timezone.localdate()

    result = archive.export_archive(dept, today - datetime.timedelta(days=7), today, clerk)
    assert (result.cases, result.licences) == (1, 1)
    where = tmp_path / "unpacked"
    manifest = open_package(result.content, where)

    assert manifest["package_id"] == result.package_id
    assert manifest["department"]["credit_code"] == dept.credit_code
    assert manifest["period"] == {
        "from": (today - datetime.timedelta(days=7)).isoformat(),
        "to": today.isoformat(),
    }
    (entry,) = manifest["cases"]
    assert entry["number"] == case.number and entry["number"] != still_open.number
    assert entry["item"]["implementation_code"] == case.implementation_code
    assert entry["applicant"]["name"] == "欧阳娜娜"
    id_number = identity.person.id_number
    assert entry["applicant"]["code"] == id_number[:4] + "*" * 10 + id_number[-4:]
    assert id_number not in (where / "manifest.json").read_text(encoding="utf-8")
    assert entry["decision"]["decision"] == "approve"
    assert entry["dates"]["concluded_at"].startswith(today.isoformat())
    events = [r["event"] for r in entry["process_records"]]
    assert len(events) == ProcessRecord.objects.filter(case_number=case.number).count()
    assert events[-1] == "conclude"

    materials = [m for m in entry["materials"] if m["file"]]
    assert len(materials) == 2  # 申请书 and 房屋租赁合同 (the 户口簿 is shared data)
    for material in materials:
        content = (where / material["file"]["path"]).read_bytes()
        assert content.startswith(b"%PDF-")
        assert material["file"]["matches_upload_digest"] is True

    licence = Licence.objects.get(case=case)
    (listed,) = entry["licences"]
    assert listed["identifier"] == licence.current.identifier
    (version,) = listed["versions"]
    canonical = (where / version["canonical"]["path"]).read_text(encoding="utf-8")
    assert canonical == licence.current.canonical
    assert version["canonical"]["path"].endswith(f"{licence.current.identifier}.json")
    signature = (where / version["signature"]["path"]).read_bytes()  # DER, as documented
    assert signature == base64.b64decode(licence.current.signature)
    assert (where / version["pdf"]["path"]).read_bytes() == PDF

    # The archivist's own tools: sha256sum -c, SM3 recomputed, OpenSSL with the packed key.
    checked = subprocess.run(
        ["sha256sum", "--strict", "-c", "checksums.sha256"],
        cwd=where,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    checked_paths = {line.removesuffix(": OK") for line in checked.stdout.splitlines()}
    assert all(line.endswith(": OK") for line in checked.stdout.splitlines())
    # Every packed file is checked, manifest.json included.
    assert checked_paths == {i["path"] for i in manifest["files"]} | {"manifest.json"}
    with zipfile.ZipFile(io.BytesIO(result.content)) as package:
        assert set(package.namelist()) == checked_paths | {"checksums.sha256"}
    for item in manifest["files"]:
        data = (where / item["path"]).read_bytes()
        assert signing.sm3_hex(data) == item["sm3"] and len(data) == item["size"]
    (key,) = manifest["keys"]
    # The package verifies on its own: its key file, its canonical file, OpenSSL.
    scratch = tmp_path / "openssl"
    scratch.mkdir()
    verified = openssl.pkeyutl_verify(
        scratch,
        (where / key["file"]["path"]).read_text(),
        (where / version["canonical"]["path"]).read_bytes(),
        signature,
    )
    assert "Verified Successfully" in verified, verified

    # A tampered file fails the check.
    (where / version["canonical"]["path"]).write_text(canonical.replace("3", "4"), "utf-8")
    tampered = subprocess.run(
        ["sha256sum", "-c", "checksums.sha256"], cwd=where, capture_output=True, text=True
    )
    assert tampered.returncode != 0 and "FAILED" in tampered.stdout

    entry = AuditEntry.objects.get(object_type="licences.archive")
    assert entry.object_id == result.package_id and entry.after["cases"] == 1
    assert entry.after["department"] == dept.credit_code


def test_only_the_departments_staff_and_a_sane_period(concluded):
    dept, _case, clerk, _identity = concluded
    today = timezone.localdate()
    outsider = cf.staff(Post.CLERK, cf.department("潮州市民政局", cf.CHAOZHOU))
    with pytest.raises(ValidationError, match="只有本部门的工作人员"):
        archive.export_archive(dept, today, today, outsider)
    with pytest.raises(ValidationError) as raised:
        archive.export_archive(dept, today, today - datetime.timedelta(days=1), clerk)
    assert raised.value.message_dict == {"date_to": ["“结束日期”不能早于“开始日期”。"]}
    with pytest.raises(ValidationError, match="最长366天"):
        archive.export_archive(dept, today - datetime.timedelta(days=400), today, clerk)
    assert not AuditEntry.objects.filter(object_type="licences.archive").exists()

    empty = archive.export_archive(
        dept, datetime.date(2020, 1, 1), datetime.date(2020, 1, 31), clerk
    )
    with zipfile.ZipFile(io.BytesIO(empty.content)) as package:
        manifest = json.loads(package.read("manifest.json"))
    assert manifest["cases"] == [] and manifest["counts"]["cases"] == 0


def test_workbench_download_and_command(concluded, client, tmp_path, capsys):
    dept, case, clerk, _identity = concluded
    today = timezone.localdate().isoformat()
    client.force_login(clerk)
    page = client.get("/workbench/licences/archive/")
    assert page.status_code == 200 and "江门市民政局" in page.content.decode()
    bad = client.post(
        "/workbench/licences/archive/",
        {"department": dept.pk, "date_from": today, "date_to": "2020-01-01"},
    )
    assert bad.status_code == 400 and "“结束日期”不能早于“开始日期”。" in bad.content.decode()
    response = client.post(
        "/workbench/licences/archive/",
        {"department": dept.pk, "date_from": today, "date_to": today},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    manifest = open_package(data, tmp_path / "web")
    assert [c["number"] for c in manifest["cases"]] == [case.number]
    assert manifest["created_by"] == clerk.username

    out = tmp_path / "package.zip"
    call_command(
        "export_archive", "--department", dept.credit_code, "--from", today, "--to", today,
        "--out", str(out),
    )  # fmt: skip
    assert "办件 1，电子证照 1" in capsys.readouterr().out
    with zipfile.ZipFile(out) as package:
        assert package.testzip() is None
        assert json.loads(package.read("manifest.json"))["created_by"] == "system"
    entry = AuditEntry.objects.filter(object_type="licences.archive").latest("sequence")
    assert entry.actor_label == "system:export_archive"
