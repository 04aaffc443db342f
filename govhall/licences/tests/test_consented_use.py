"""用证: a material another department's licence stands for is never uploaded; the
applicant consents, the case shows the licence data, and the holder sees every read."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from govhall.cases.models import ApplicationMaterial, MaterialSource
from govhall.cases.services import applications, facts
from govhall.cases.tests import factories as cf
from govhall.cases.tests.portal_helpers import (
    GOOD_FORM,
    _private_media,  # noqa: F401  (autouse fixture)
    idempotency_key,
    signed_in,
    start,
)
from govhall.regions.models import Post

from ..models import LicenceUse
from ..services import issuing, uses
from . import factories as f

pytestmark = pytest.mark.django_db

MARRIAGE = f"{f.DEFINING_BODY_CODE}002"


def setting():
    """A 结婚证 issued by 江门市民政局; an item of 江门市公安局 that asks for it."""
    civil = cf.department("江门市民政局")
    police = cf.department("江门市公安局")
    marriage = f.licence_type(
        MARRIAGE, "结婚证", issuers=[civil], fields=[], validity_years=0, number_prefix="J"
    )
    identity = cf.applicant(name="王小红")
    licence = issuing.issue(marriage, civil, issuing.Holder.of_person(identity.person), data={})
    item = cf.item(
        police,
        name="夫妻投靠户口迁入",
        materials=[
            {
                "code": "M01",
                "name": "申请书",
                "required": True,
                "source": "applicant",
                "media": "electronic",
            },
            {
                "code": "M02",
                "name": "结婚证",
                "required": True,
                "source": "licence",
                "media": "electronic",
                "licence_type_code": MARRIAGE,
                "licence_type_name": "结婚证",
            },
        ],
    )
    return police, identity, licence, item


def draft(identity, item):
    application = applications.start(identity, item=item)
    applications.save_answers(
        application,
        dict(cf.ANSWERS),
        contact={"contact_phone": "13800138000", "delivery": "electronic"},
    )
    stored = applications.store_file(identity.user, cf.pdf("申请书"), title="申请书")
    applications.attach(application, "N:申请书", file=stored)
    return application


def test_no_upload_consent_then_the_holder_sees_who_read_it():
    police, identity, licence, item = setting()
    application = draft(identity, item)

    _answers, problems = applications.check_complete(application)
    assert problems == []  # the 结婚证 needs no upload
    supplies = applications.licence_supplies(application)
    assert supplies[facts.licence_key(MARRIAGE)].identifier == licence.current.identifier
    assert supplies[facts.licence_key(MARRIAGE)].issuer == "江门市民政局"

    with pytest.raises(ValidationError) as refused:
        applications.submit(application, identity)
    assert list(refused.value.message_dict) == ["licence_consent"]
    assert not application.cases.exists()

    (case,) = applications.submit(application, identity, licence_consent=True)
    material = ApplicationMaterial.objects.get(
        application=application, key=facts.licence_key(MARRIAGE)
    )
    assert material.source == MaterialSource.LICENCE and material.file is None
    assert material.reference == licence.current.identifier
    consent = LicenceUse.objects.get(licence=licence, kind=LicenceUse.Kind.CONSENT)
    assert consent.case == case and consent.department == police

    clerk = cf.staff(Post.CLERK, police)
    assert uses.read_for_case(clerk, case) == [licence]
    read = LicenceUse.objects.get(licence=licence, kind=LicenceUse.Kind.READ)
    assert (read.user, read.department, read.case) == (clerk, police, case)
    seen = list(uses.uses_of_holder(identity))
    assert [(u.kind, u.department.name) for u in seen] == [
        ("read", "江门市公安局"),
        ("consent", "江门市公安局"),
    ]


def test_a_department_reads_a_licence_only_inside_its_own_case():
    police, identity, licence, item = setting()
    (case,) = applications.submit(draft(identity, item), identity, licence_consent=True)
    outsider = cf.staff(Post.CLERK, cf.department("潮州市公安局", cf.CHAOZHOU))
    with pytest.raises(ValidationError):
        uses.read_for_case(outsider, case)
    with pytest.raises(ValidationError):
        uses.request_for_case(outsider, case, MARRIAGE, "核对婚姻状况")
    clerk = cf.staff(Post.CLERK, police)
    with pytest.raises(ValidationError) as refused:
        uses.request_for_case(clerk, case, MARRIAGE, "  ")
    assert list(refused.value.message_dict) == ["purpose"]
    assert uses.request_for_case(clerk, case, MARRIAGE, "核对婚姻状况") == [licence]
    request = LicenceUse.objects.get(kind=LicenceUse.Kind.REQUEST)
    assert request.purpose == "核对婚姻状况" and request.case == case
    assert not LicenceUse.objects.filter(user=outsider).exists()


def test_an_upload_wins_over_the_licence_and_needs_no_consent():
    _police, identity, licence, item = setting()
    application = draft(identity, item)
    stored = applications.store_file(identity.user, cf.pdf("结婚证"), title="结婚证")
    applications.attach(application, facts.licence_key(MARRIAGE), file=stored)
    assert applications.licence_supplies(application) == {}
    (case,) = applications.submit(application, identity)
    assert not LicenceUse.objects.filter(licence=licence).exists()
    assert case.number


def test_through_the_pages_consent_box_and_the_staff_case_page(client):
    police, identity, licence, item = setting()
    signed_in(client, identity)
    application = start(client, item)
    client.post(reverse("cases:application", args=[application.public_id]), GOOD_FORM)
    client.post(
        reverse("cases:materials", args=[application.public_id]),
        {"key": "N:申请书", "action": "upload", "file": cf.pdf("申请书")},
    )
    check = reverse("cases:check", args=[application.public_id])
    page = client.get(check)
    text = page.content.decode()
    assert "使用您的电子证照“结婚证”" in text and licence.number in text
    assert 'name="licence_consent"' in text

    response = client.post(check, {"idempotency_key": idempotency_key(page)})
    assert response.status_code == 400
    text = response.content.decode()
    assert 'href="#id_licence_consent"' in text and "同意调用上述电子证照" in text
    assert not application.cases.exists()

    response = client.post(
        check, {"idempotency_key": idempotency_key(response), "licence_consent": "on"}
    )
    assert response.status_code == 302
    case = application.cases.get()

    staff_client = client.__class__()
    clerk = cf.staff(Post.CLERK, police)
    staff_client.force_login(clerk)
    page = staff_client.get(reverse("workbench:case", args=[case.number]))
    text = page.content.decode()
    assert licence.number in text and licence.current.identifier in text
    assert identity.person.id_number not in text  # masked
    assert LicenceUse.objects.filter(kind="read", user=clerk, case=case).count() == 1

    response = staff_client.post(
        reverse("workbench:case-licence-request", args=[case.number]),
        {"type_code": MARRIAGE, "purpose": ""},
    )
    assert response.status_code == 400 and "调取用途" in response.content.decode()
    response = staff_client.post(
        reverse("workbench:case-licence-request", args=[case.number]),
        {"type_code": MARRIAGE, "purpose": "核对婚姻状况"},
    )
    assert response.status_code == 200
    assert LicenceUse.objects.filter(kind="request", user=clerk, purpose="核对婚姻状况").exists()


def test_staff_api_reads_and_requests_inside_the_case_only(client):
    police, identity, licence, item = setting()
    (case,) = applications.submit(draft(identity, item), identity, licence_consent=True)
    url = f"/api/v1/staff/cases/{case.number}/licences"
    client.force_login(cf.staff(Post.CLERK, cf.department("潮州市公安局", cf.CHAOZHOU)))
    assert client.get(url).status_code == 404
    assert client.post(url, {"type_code": MARRIAGE, "purpose": "x"}).status_code == 404

    clerk = cf.staff(Post.CLERK, police)
    client.force_login(clerk)
    body = client.get(url).json()
    assert [row["number"] for row in body] == [licence.number]
    assert body[0]["holder_code"] != identity.person.id_number
    response = client.post(url, {"type_code": MARRIAGE}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "purpose"
    response = client.post(
        url, {"type_code": MARRIAGE, "purpose": "核对"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()[0]["identifier"]
    kinds = sorted(LicenceUse.objects.filter(user=clerk).values_list("kind", flat=True))
    assert kinds == ["read", "request"]
