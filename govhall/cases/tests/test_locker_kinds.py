"""The materials locker keeps the kind of material each file was stored for (issue #15
point 2): a slot offers and accepts only files of its kind."""

import pytest
from django.core.exceptions import ValidationError

from tests.common import pdf_bytes

from ..services import applications
from . import factories as f

pytestmark = pytest.mark.django_db


def _file(identity, title: str, kind: str = "", body: bytes | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = body if body is not None else pdf_bytes()
    upload = SimpleUploadedFile(f"{title}.pdf", body, content_type="application/pdf")
    return applications.store_file(identity.user, upload, title=title, kind=kind)


def test_a_file_of_another_kind_is_refused_for_a_slot():
    identity = f.applicant()
    application = applications.start(identity, item=f.item())
    income = _file(identity, "家庭收入和财产状况声明", "N:家庭收入和财产状况声明")
    with pytest.raises(ValidationError) as refused:
        applications.attach(application, "N:申请书", file=income)
    (problem,) = refused.value.error_dict["file"]
    assert problem.code == "wrong_kind"
    assert "“家庭收入和财产状况声明”，不能用作“申请书”" in problem.messages[0]
    assert not application.materials.exists()


def test_a_file_titled_for_the_material_fits_and_the_locker_offers_one_copy_per_content():
    identity = f.applicant()
    application = applications.start(identity, item=f.item())
    need = next(n for n in applications.material_needs(application) if n.name == "申请书")
    titled = _file(identity, "申请书")  # stored from the locker page: no kind, its title
    again = _file(identity, "申请书")
    other = _file(identity, "申请书", "N:申请书", pdf_bytes(2))
    _file(identity, "房屋租赁合同", "N:房屋租赁合同")
    offered = applications.locker_for(identity, need)
    assert [x.pk for x in offered] == [other.pk, again.pk]
    assert titled.sha256 == again.sha256
    applications.attach(application, need.key, file=titled)
    assert application.materials.get().file == titled


def test_the_api_refuses_a_locker_file_of_another_kind(client):
    identity = f.applicant()
    application = applications.start(identity, item=f.item())
    income = _file(identity, "家庭收入和财产状况声明", "N:家庭收入和财产状况声明")
    client.force_login(identity.user)
    response = client.post(
        f"/api/v1/applications/{application.public_id}/materials/",
        {"key": "N:申请书", "locker_file": str(income.public_id)},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert "不能用作“申请书”" in str(body)
    assert "wrong_kind" in str(body)


def test_a_correction_offers_and_accepts_only_files_of_the_listed_kind():
    from govhall.regions.models import Post

    from ..forms import CorrectionForm
    from ..services import applicant, handling

    dept = f.department("江门市民政局")
    identity = f.applicant()
    case = f.submitted(f.item(dept), identity)
    row = {"material_code": "N:房屋租赁合同", "name": "房屋租赁合同", "problem": "缺少签名"}
    handling.request_correction(case, f.staff(Post.CLERK, dept), items=[row])
    income = _file(identity, "家庭收入和财产状况声明", "N:家庭收入和财产状况声明")
    contract = _file(identity, "房屋租赁合同", "N:房屋租赁合同", pdf_bytes(3))
    locker = list(applications.locker_of(identity))
    form = CorrectionForm(rows=[row], locker=locker)
    offered = [value for value, _label in form.fields["locker_0"].choices if value]
    assert str(contract.public_id) in offered and str(income.public_id) not in offered
    assert all(
        applications.fits_material(x, "N:房屋租赁合同", "房屋租赁合同")
        for x in locker
        if str(x.public_id) in offered
    )
    chosen = CorrectionForm({"locker_0": str(income.public_id)}, rows=[row], locker=locker)
    assert not chosen.is_valid()
    assert "所选文件不是“房屋租赁合同”" in str(chosen.errors["locker_0"])
    with pytest.raises(ValidationError) as refused:
        applicant.submit_correction(case, identity, files={"N:房屋租赁合同": income})
    assert refused.value.error_dict["materials"][0].code == "wrong_kind"
    applicant.submit_correction(case, identity, files={"N:房屋租赁合同": contract})
