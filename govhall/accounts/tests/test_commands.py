"""Management commands: legacy import from a file, OIDC client registration."""

import io

import pytest
from django.core.management import CommandError, call_command

from govhall.accounts.models import ClientProfile, Person

from .factories import id_number_for


@pytest.mark.django_db
def test_import_legacy_accounts_command(tmp_path):
    data = tmp_path / "old.csv"
    first, second = id_number_for(5001, "440781"), id_number_for(5002, "440781")
    data.write_text(
        "id_number,name,mobile,password_hash\n"
        f"{first},甲,13300000001,\n{first},甲,,\n{second},乙,bad,\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.csv"
    out = io.StringIO()
    call_command(
        "import_legacy_accounts", str(data), source="旧系统", report=str(report), stdout=out
    )
    text = out.getvalue()
    assert "新建 1" in text and "重复行 1" in text and "错误行 1" in text
    assert "invalid_mobile: 1" in text
    assert Person.objects.filter(name="甲").exists()
    content = report.read_text(encoding="utf-8-sig")
    assert "invalid_mobile" in content and second not in content
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_legacy_accounts", str(tmp_path / "none.csv"), source="x")


@pytest.mark.django_db
def test_register_oidc_client_command():
    out = io.StringIO()
    call_command(
        "register_oidc_client",
        "江门市不动产登记系统",
        redirect_uri=["https://bdc.example.gov.cn/cb"],
        scopes="openid profile id_number",
        stdout=out,
    )
    text = out.getvalue()
    assert "client_secret: " in text
    profile = ClientProfile.objects.get(application__name="江门市不动产登记系统")
    assert profile.allowed_scopes == "openid profile id_number"
    with pytest.raises(CommandError, match="不支持的授权范围"):
        call_command(
            "register_oidc_client", "x", redirect_uri=["https://a/cb"], scopes="openid admin"
        )
