"""Legacy account import: 10,000 rows with duplicates and conflicts, an exact report,
nothing overwritten, the whole file in one transaction."""

import csv
import io

import bcrypt
import pytest
from django.contrib.auth import authenticate

from govhall.accounts.models import LegacyImport, Person, User
from govhall.accounts.services import legacy
from govhall.core.models import AuditEntry

from .factories import PersonFactory, id_number_for

ADDRESS = "445102"
LEGACY_PASSWORD = "Legacy-pass-2015"
LEGACY_BCRYPT = bcrypt.hashpw(LEGACY_PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
OTHER_BCRYPT = bcrypt.hashpw(b"another-one-1", bcrypt.gensalt(rounds=4)).decode()


def ident(n: int) -> str:
    return id_number_for(n, ADDRESS)


def bad_checksum(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


class Scenario:
    """Builds the CSV and the accounts that already exist, remembering what to expect."""

    def __init__(self):
        self.rows: list[list[str]] = []
        self.n = 0
        self.expected_codes: dict[str, int] = {}

    def next_id(self) -> str:
        self.n += 1
        return ident(self.n)

    def add(self, *row: str) -> int:
        self.rows.append(list(row))
        return len(self.rows) + 1  # CSV line number (after the header)

    def expect(self, code: str, count: int = 1):
        self.expected_codes[code] = self.expected_codes.get(code, 0) + count

    def csv_bytes(self, encoding="utf-8") -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id_number", "name", "mobile", "password_hash"])
        writer.writerows(self.rows)
        return out.getvalue().encode(encoding)


def build(total: int = 10_000) -> tuple[Scenario, dict]:
    s = Scenario()
    facts: dict = {"merged": [], "name_differs": [], "bcrypt": []}
    # Existing accounts: same name, nothing set → merge fills mobile and password.
    for i in range(20):
        number = s.next_id()
        person = PersonFactory(id_number=number, name=f"旧甲{i}", user__mobile=None)
        person.user.set_unusable_password()
        person.user.save()
        s.add(number, f"旧甲{i}", f"1510000{i:04d}", LEGACY_BCRYPT)
        facts["merged"].append(person)
    # Existing accounts with a different name → conflict, untouched.
    for i in range(10):
        number = s.next_id()
        person = PersonFactory(id_number=number, name=f"原名{i}", user__mobile=None)
        s.add(number, f"改名{i}", f"1520000{i:04d}", "")
        facts["name_differs"].append(person)
        s.expect("name_differs")
    # Existing accounts with another mobile → conflict, mobile kept.
    for i in range(10):
        number = s.next_id()
        PersonFactory(id_number=number, name=f"旧乙{i}", user__mobile=f"1530000{i:04d}")
        s.add(number, f"旧乙{i}", f"1531111{i:04d}", "")
        s.expect("mobile_differs")
    # Existing accounts with a password → an incoming hash is a conflict, password kept.
    for i in range(5):
        number = s.next_id()
        person = PersonFactory(id_number=number, name=f"旧丙{i}")
        s.add(number, f"旧丙{i}", person.user.mobile, OTHER_BCRYPT)
        s.expect("password_differs")
    # Exact duplicates inside the file.
    for i in range(100):
        number = s.next_id()
        s.add(number, f"重复{i}", f"1540000{i:04d}", "")
        s.add(number, f"重复{i}", f"1540000{i:04d}", "")
        s.expect("duplicate_row")
    # Duplicates that complete each other (second row has no mobile).
    for i in range(50):
        number = s.next_id()
        s.add(number, f"互补{i}", f"1550000{i:04d}", "")
        s.add(number, f"互补{i}", "", "")
        s.expect("duplicate_row")
    # Conflicting rows inside the file → the number is not imported.
    for i in range(30):
        number = s.next_id()
        s.add(number, f"冲突{i}", "", "")
        facts.setdefault("name_in_file_lines", []).append(s.add(number, f"衝突{i}", "", ""))
        s.expect("name_in_file")
    for i in range(20):
        number = s.next_id()
        s.add(number, f"号码{i}", f"1560000{i:04d}", "")
        s.add(number, f"号码{i}", f"1561111{i:04d}", "")
        s.expect("mobile_in_file")
    # New people whose mobile another account already uses → created without it.
    taken = PersonFactory(user__mobile="15799999999")
    for i in range(15):
        s.add(s.next_id(), f"占用{i}", taken.user.mobile, "")
        s.expect("mobile_in_use")
    # Rows that are wrong in themselves.
    for i in range(25):
        s.add(bad_checksum(s.next_id()), f"错号{i}", "", "")
        s.expect("invalid_id_number")
    for _ in range(5):
        s.add(s.next_id(), "", "", "")
        s.expect("missing_name")
    for i in range(5):
        s.add(s.next_id(), f"坏手机{i}", "12345", "")
        s.expect("invalid_mobile")
    for i in range(5):
        s.add(s.next_id(), f"坏摘要{i}", "", "md5:0cc175b9c0f1b6a831c399e269772661")
        s.expect("unsupported_password_hash")
    # The rest: plain new accounts, a few with bcrypt passwords.
    plain = total - len(s.rows)
    for i in range(plain):
        number = s.next_id()
        password = LEGACY_BCRYPT if i < 3 else ""
        s.add(number, f"新户{i}", f"158{i:08d}", password)
        if password:
            facts["bcrypt"].append(number)
    facts["plain"] = plain
    return s, facts


@pytest.mark.django_db
def test_ten_thousand_rows_import_with_an_exact_conflict_report():
    scenario, facts = build()
    assert len(scenario.rows) == 10_000
    users_before = User.objects.count()

    batch, report = legacy.import_accounts(
        scenario.csv_bytes(), source_system="江门市旧网上办事大厅", file_name="accounts.csv"
    )

    assert report.total_rows == 10_000
    assert report.by_code() == scenario.expected_codes
    assert report.errors == 40 and report.duplicates == 150
    assert report.conflicts == 10 + 10 + 5 + 30 + 20 + 15
    assert report.merged == 20 + 10 + 5
    assert report.created == facts["plain"] + 100 + 50 + 15
    assert User.objects.count() == users_before + report.created
    assert Person.objects.filter(legacy_import=batch).count() == report.created
    assert batch.conflict_count == report.conflicts and batch.report == report.entries

    # The report names the exact line and masks the ID number.
    name_conflicts = [e for e in report.entries if e["code"] == "name_in_file"]
    assert [e["line"] for e in name_conflicts] == facts["name_in_file_lines"]
    assert all(
        "*" in e["id_number"] and len(e["id_number"]) == 18
        for e in report.entries
        if e["id_number"]
    )
    assert "4451" in report.as_csv() and not any(ident(n) in report.as_csv() for n in range(1, 200))

    # Nothing silently overwritten: differing names stay, merges only fill empty fields.
    for person in facts["name_differs"]:
        person.refresh_from_db()
        assert person.name.startswith("原名") and person.user.mobile is None
    merged = facts["merged"][0]
    merged.user.refresh_from_db()
    assert merged.user.mobile == "15100000000" and merged.user.has_usable_password()
    assert not Person.objects.filter(name__startswith="冲突").exists()
    assert not Person.objects.filter(name__startswith="衝突").exists()
    assert Person.objects.get(name="占用0").user.mobile is None
    assert Person.objects.get(name="互补3").user.mobile == "15500000003"

    # Imported bcrypt passwords work, then move to the current hasher.
    user = authenticate(username=facts["bcrypt"][0], password=LEGACY_PASSWORD)
    assert user is not None and not user.password.startswith("bcrypt$")
    assert AuditEntry.objects.filter(action="import", object_id=str(batch.pk)).count() == 1


@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing():
    scenario, _ = build(total=600)
    users_before = User.objects.count()
    batch, report = legacy.import_accounts(
        scenario.csv_bytes("gb18030"), source_system="试算", dry_run=True
    )
    assert batch is None and report.by_code() == scenario.expected_codes
    assert User.objects.count() == users_before
    assert not LegacyImport.objects.exists()


@pytest.mark.django_db
def test_unreadable_files_are_refused_with_a_reason():
    with pytest.raises(legacy.ImportFileError, match="缺少列"):
        legacy.import_accounts(b"id,name\n1,2\n", source_system="x")
    with pytest.raises(legacy.ImportFileError, match="来源系统"):
        legacy.import_accounts(b"id_number,name,mobile,password_hash\n", source_system=" ")


@pytest.mark.django_db
def test_overlong_names_are_reported_not_truncated():
    data = f"id_number,name,mobile,password_hash\n{ident(99_001)},{'长' * 51},,\n".encode()
    _batch, report = legacy.import_accounts(data, source_system="旧系统")
    assert report.by_code() == {"name_too_long": 1} and report.created == 0
