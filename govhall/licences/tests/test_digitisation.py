"""存量电子化: the template, whole-file checking, idempotent re-upload, account linking,
the workbench pages and the management command."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from govhall.accounts.tests.factories import CompanyFactory, PersonFactory, id_number_for
from govhall.cases.tests import factories as cf
from govhall.core.models import AuditEntry
from govhall.regions.models import Post
from tests.browser.helpers import DESKTOP, PHONE, describe_violations, run_axe, sign_in
from tests.factories import DEFAULT_PASSWORD

from ..models import DigitisationBatch, Licence, LicenceState, VersionKind
from ..services import digitisation, verification
from . import factories as f

pytestmark = pytest.mark.django_db

HEADER = ["证照编号", "持证主体名称", "持证主体代码", "颁证日期", "有效期起始", "有效期截止"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def recent(days_ago: int = 30) -> datetime.date:
    return datetime.date.today() - datetime.timedelta(days=days_ago)


def sheet_from_template(licence_type, rows) -> bytes:
    """Fill the downloaded template, as a clerk would."""
    workbook = load_workbook(io.BytesIO(digitisation.template(licence_type)))
    sheet = workbook[digitisation.SHEET_TITLE]
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "低保证存量.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX)


@pytest.fixture
def civil():
    dept = cf.department("江门市民政局")
    return dept, f.licence_type(issuers=[dept]), cf.staff(Post.APPROVER, dept)


def test_template_has_the_fixed_columns_then_the_types_fields_as_text(civil):
    _dept, licence_type, _user = civil
    workbook = load_workbook(io.BytesIO(digitisation.template(licence_type)))
    sheet = workbook[digitisation.SHEET_TITLE]
    assert [c.value for c in sheet[1]] == [*HEADER, "家庭人口", "配偶姓名"]
    assert sheet.column_dimensions["C"].number_format == "@"  # ID numbers stay text
    assert sheet.column_dimensions["D"].number_format == "yyyy-mm-dd"
    assert "18位公民身份号码" in sheet["C1"].comment.text
    notes = [row[0] for row in workbook["填写说明"].iter_rows(values_only=True)]
    assert "家庭人口" in notes and "有效期截止" in notes


def test_a_clean_file_is_issued_whole_and_uploading_it_again_issues_nothing(civil):
    dept, licence_type, user = civil
    account = PersonFactory(name="陈大文")
    issued = recent(400)
    rows = [
        ["粤低保A001", "陈大文", account.id_number, issued, None, None, 3, "李小红"],
        ["粤低保A002", "黄阿妹", id_number_for(90001), issued.isoformat(), None, None, "2", None],
        [
            "粤低保A003",
            "周志强",
            id_number_for(90002),
            issued,
            issued,
            recent(-100),
            1,
            "",
        ],
        [None, None, None, None, None, None, None, None],  # a blank row is ignored
    ]
    content = sheet_from_template(licence_type, rows)

    batch = digitisation.digitise(licence_type, dept, upload(content), user)
    assert batch.state == DigitisationBatch.State.DONE, batch.errors
    assert (batch.rows_total, batch.rows_issued, batch.rows_skipped) == (3, 3, 0)
    assert batch.uploaded_by == user and batch.file_name == "低保证存量.xlsx"

    first = Licence.objects.get(type=licence_type, number="粤低保A001")
    version = first.current
    assert first.digitised and version.kind == VersionKind.DIGITISE
    assert first.person == account
    assert version.issue_date == issued and version.valid_from == issued
    assert version.valid_until == datetime.date(issued.year + 3, issued.month, issued.day) - (
        datetime.timedelta(days=1)
    )
    assert version.data == {"household_size": "3", "spouse_name": "李小红"}
    assert version.issued_by == user
    assert verification.verify(version.identifier)["signature_valid"] is True
    second = Licence.objects.get(number="粤低保A002")
    assert second.person is None and second.holder_name == "黄阿妹"
    assert second.current.data == {"household_size": "2"}
    assert Licence.objects.get(number="粤低保A003").current.valid_until == recent(-100)
    assert AuditEntry.objects.filter(
        object_type="licences.digitisationbatch", object_id=str(batch.pk), action="import"
    ).exists()

    again = digitisation.digitise(licence_type, dept, upload(content), user)
    assert again.state == DigitisationBatch.State.DONE
    assert (again.rows_total, again.rows_issued, again.rows_skipped) == (3, 0, 3)
    assert Licence.objects.filter(type=licence_type).count() == 3


def test_any_error_refuses_the_whole_file_and_lists_every_error(civil):
    dept, licence_type, user = civil
    good = id_number_for(90010)
    rows = [
        ["粤低保B001", "合格人", good, recent(), None, None, 2, None],  # row 2: fine
        ["粤低保B002", "", id_number_for(90011), "2024/13/40", None, None, None, None],  # row 3
        ["粤低保B003", "错号人", "440703199001011234", recent(), None, None, "多", None],  # row 4
        ["粤低保B001", "重号人", id_number_for(90012), recent(), None, None, 1, None],  # row 5
        ["粤低保B005", "数字人", 440703199001010000, recent(), None, None, 1, None],  # row 6
        ["粤低保B006", "过期人", id_number_for(90013), "2015-01-01", None, None, 1, None],  # row 7
        ["粤低保B007", "倒序人", id_number_for(90014), recent(), recent(), recent(40), 1, None],
        ["粤低保B008", "未来人", id_number_for(90015), recent(-5), None, None, 1, None],  # row 9
    ]
    batch = digitisation.digitise(
        licence_type, dept, upload(sheet_from_template(licence_type, rows)), user
    )
    assert batch.state == DigitisationBatch.State.REFUSED
    assert batch.rows_issued == 0 and batch.rows_total == 8
    assert not Licence.objects.exists()
    found = {(e["row"], e["column"], e["code"]) for e in batch.errors}
    assert found == {
        (3, "持证主体名称", "required"),
        (3, "颁证日期", "date"),
        (3, "家庭人口", "required"),
        (4, "持证主体代码", "id_number"),
        (4, "家庭人口", "number"),
        (5, "证照编号", "duplicate"),
        (6, "持证主体代码", "text"),
        (7, "有效期截止", "expired"),
        (8, "有效期截止", "order"),
        (9, "颁证日期", "future"),
    }
    messages = {(e["row"], e["column"]): e["message"] for e in batch.errors}
    assert messages[(5, "证照编号")] == "证照编号“粤低保B001”与第2行重复。"
    assert messages[(3, "颁证日期")] == "“颁证日期”须为日期（YYYY-MM-DD）。"
    assert messages[(4, "家庭人口")] == "照面信息“家庭人口”须为数字。"
    assert "按3年有效期推算" in messages[(7, "有效期截止")]


def test_a_number_held_by_another_holder_is_an_error_not_a_skip(civil):
    dept, licence_type, user = civil
    first = [["粤低保C001", "原持证人", id_number_for(90020), recent(), None, None, 1, None]]
    digitisation.digitise(
        licence_type, dept, upload(sheet_from_template(licence_type, first)), user
    )
    clash = [["粤低保C001", "另一人", id_number_for(90021), recent(), None, None, 1, None]]
    batch = digitisation.digitise(
        licence_type, dept, upload(sheet_from_template(licence_type, clash)), user
    )
    assert batch.state == DigitisationBatch.State.REFUSED
    assert [(e["row"], e["code"]) for e in batch.errors] == [(2, "number_taken")]


def test_file_level_problems(civil):
    dept, licence_type, user = civil
    not_excel = digitisation.digitise(
        licence_type, dept, upload(b"id,name\n1,2\n", "data.xlsx"), user
    )
    assert not_excel.state == "refused" and not_excel.errors[0]["code"] == "not_xlsx"

    workbook = Workbook()
    workbook.active.append(["证照编号", "持证主体名称"])
    out = io.BytesIO()
    workbook.save(out)
    missing = digitisation.digitise(licence_type, dept, upload(out.getvalue()), user)
    assert missing.errors[0]["code"] == "columns"
    assert (
        "持证主体代码" in missing.errors[0]["message"]
        and "家庭人口" in missing.errors[0]["message"]
    )

    empty = digitisation.digitise(
        licence_type, dept, upload(sheet_from_template(licence_type, [])), user
    )
    assert empty.errors[0]["code"] == "empty"

    rows = [
        [f"粤低保D{n:05d}", "某人", id_number_for(100000 + n), recent(), None, None, 1, None]
        for n in range(digitisation.MAX_ROWS + 1)
    ]
    too_many = digitisation.digitise(
        licence_type, dept, upload(sheet_from_template(licence_type, rows)), user
    )
    assert too_many.errors[0]["code"] == "too_many_rows"
    assert "最多5,000行" in too_many.errors[0]["message"]
    assert not Licence.objects.exists()


def test_only_the_departments_staff_may_digitise_its_types(civil):
    dept, licence_type, _user = civil
    content = sheet_from_template(
        licence_type, [["粤低保E001", "某人", id_number_for(90030), recent(), None, None, 1, None]]
    )
    outsider = cf.staff(Post.APPROVER, cf.department("潮州市民政局", cf.CHAOZHOU))
    with pytest.raises(ValidationError, match="签发部门的工作人员"):
        digitisation.digitise(licence_type, dept, upload(content), outsider)
    other = cf.department("江门市教育局")
    with pytest.raises(ValidationError, match="不是“最低生活保障证”的签发部门"):
        digitisation.digitise(licence_type, other, upload(content), cf.staff(Post.CLERK, other))
    assert not DigitisationBatch.objects.exists() and not Licence.objects.exists()


def test_company_holders_are_linked_by_credit_code():
    dept = cf.department("江门市食品药品监督管理局")
    licence_type = f.licence_type(
        f"{f.DEFINING_BODY_CODE}002",
        "食品经营许可证",
        issuers=[dept],
        holder_kind="company",
        fields=[],
        validity_years=5,
        number_prefix="JY",
    )
    company = CompanyFactory()
    rows = [["JY14407030001", company.name, company.credit_code, recent(), None, None]]
    batch = digitisation.digitise(
        licence_type,
        dept,
        upload(sheet_from_template(licence_type, rows)),
        cf.staff(Post.CLERK, dept),
    )
    assert batch.state == "done", batch.errors
    licence = Licence.objects.get(number="JY14407030001")
    assert licence.company == company and licence.holder_code == company.credit_code
    assert licence.state == LicenceState.VALID


def test_workbench_pages(client, settings, civil):
    settings.GOVHALL_STAFF_TOTP_REQUIRED = False
    dept, licence_type, user = civil
    client.force_login(user)
    page = client.get("/workbench/licences/digitise/")
    html = page.content.decode()
    assert page.status_code == 200
    template_url = f"/workbench/licences/digitise/template/{licence_type.code}/"
    assert template_url in html and "最低生活保障证（江门市民政局）" in html
    template = client.get(template_url)
    assert template["Content-Type"].startswith(XLSX)
    assert "filename*=UTF-8''" in template["Content-Disposition"]
    header = next(load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))
    assert list(header[:6]) == HEADER

    choice = f"{licence_type.pk}-{dept.pk}"
    refused = client.post(
        "/workbench/licences/digitise/",
        {
            "choice": choice,
            "file": upload(
                sheet_from_template(
                    licence_type,
                    [["粤低保F001", "某人", "12345", recent(), None, None, 1, None]],
                )
            ),
        },
    )
    batch = DigitisationBatch.objects.get()
    assert refused.status_code == 302
    assert refused["Location"] == f"/workbench/licences/digitise/batches/{batch.pk}/"
    html = client.get(refused["Location"]).content.decode()
    assert "文件有1处错误，未签发任何证照" in html
    assert '<td data-label="行号">2</td><td data-label="列">持证主体代码</td>' in html
    assert "“持证人身份证号码”不正确。" in html

    missing = client.post("/workbench/licences/digitise/", {"choice": choice})
    assert missing.status_code == 400 and "请选择要上传的“数据文件”。" in missing.content.decode()
    wrong_kind = client.post(
        "/workbench/licences/digitise/",
        {"choice": choice, "file": SimpleUploadedFile("a.csv", b"x")},
    )
    assert "须为Excel文件（.xlsx）" in wrong_kind.content.decode()

    listing = client.get("/workbench/licences/digitise/batches/").content.decode()
    assert "低保证存量.xlsx" in listing and "有错误，未签发" in listing

    outsider = cf.staff(Post.CLERK, cf.department("潮州市民政局", cf.CHAOZHOU))
    client.force_login(outsider)
    assert client.get(f"/workbench/licences/digitise/batches/{batch.pk}/").status_code == 404
    assert client.get(template_url).status_code == 404
    assert client.get("/workbench/licences/digitise/").status_code == 403


def test_management_command(tmp_path, capsys, civil):
    dept, licence_type, _user = civil
    path = tmp_path / "paper.xlsx"
    call_command(
        "digitise_licences",
        str(path),
        "--template",
        "--type",
        licence_type.code,
        "--department",
        dept.credit_code,
    )
    workbook = load_workbook(path)
    workbook[digitisation.SHEET_TITLE].append(
        ["粤低保G001", "命令行", id_number_for(90040), recent().isoformat(), None, None, 2]
    )
    workbook.save(path)
    args = [str(path), "--type", licence_type.code, "--department", dept.credit_code]
    call_command("digitise_licences", *args)
    assert "签发 1，已存在跳过 0" in capsys.readouterr().out
    licence = Licence.objects.get(number="粤低保G001")
    assert licence.current.issued_by is None
    entry = AuditEntry.objects.filter(object_type="licences.digitisationbatch").latest("sequence")
    assert entry.actor_label == "system:digitise_licences"

    workbook[digitisation.SHEET_TITLE].append(
        ["粤低保G002", "命令行二", "bad", recent().isoformat(), None, None, 2]
    )
    workbook.save(path)
    with pytest.raises(CommandError, match="未签发任何证照"):
        call_command("digitise_licences", *args)
    assert "第3行 持证主体代码" in capsys.readouterr().err
    with pytest.raises(CommandError, match="不存在"):
        call_command("digitise_licences", str(path), "--type", "X", "--department", "Y")


# --- in chromium: accessible, and no sideways scrolling at 390 px -------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_pages_in_a_browser(new_page, viewport, settings, tmp_path, civil):
    settings.GOVHALL_STAFF_TOTP_REQUIRED = False
    settings.MEDIA_ROOT = tmp_path / "media"
    _dept, licence_type, user = civil
    bad = tmp_path / "低保证存量.xlsx"
    bad.write_bytes(
        sheet_from_template(
            licence_type, [["粤低保H001", "某人", "12345", recent(), None, None, "多", None]]
        )
    )
    page = new_page(viewport=viewport)
    sign_in(page, user.username, DEFAULT_PASSWORD)
    found, wide = [], []

    def check(where: str) -> None:
        found.extend((where, v) for v in run_axe(page) if v["impact"] in {"serious", "critical"})
        width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if viewport is PHONE and width > 0:
            wide.append(where)

    page.goto("/workbench/licences/digitise/")
    check("digitise page")
    page.get_by_role("button", name="校验并签发").click()
    page.get_by_role("alert").wait_for()
    assert "请选择要上传的“数据文件”。" in page.locator(".error-summary").inner_text()
    check("digitise page with errors")
    page.get_by_label("证照类型（签发部门）").select_option(label="最低生活保障证（江门市民政局）")
    page.get_by_label("数据文件").set_input_files(str(bad))
    page.get_by_role("button", name="校验并签发").click()
    page.get_by_text("文件有2处错误，未签发任何证照").wait_for()
    check("refused batch")
    page.goto("/workbench/licences/digitise/batches/")
    check("batch history")
    page.goto("/workbench/licences/archive/")
    check("archive page")
    page.get_by_label("结束日期").fill("2000-01-01")
    page.get_by_role("button", name="导出归档包").click()
    page.get_by_role("alert").wait_for()  # the first of the month is filled in already
    assert "“结束日期”不能早于“开始日期”。" in page.locator(".error-summary").inner_text()
    check("archive page with errors")

    assert not found, "axe-core violations:\n" + describe_violations(found)
    assert not wide, f"pages wider than 390 px: {wide}"
