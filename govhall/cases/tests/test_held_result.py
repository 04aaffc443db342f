"""A result licence held and valid (issue #15 point 4): applying again is refused unless
the catalogue allows it, online at start and at submission, and at the counter."""

import pytest
from django.core.exceptions import ValidationError

from govhall.licences.tests import factories as lf
from govhall.regions.models import Post

from ..models import Application
from ..services import applications, counter
from . import factories as f

pytestmark = pytest.mark.django_db


def _code(exc: ValidationError) -> str:
    (problem,) = exc.value.error_dict["item"]
    return problem.code


def test_applying_again_for_a_held_licence_is_refused_online_and_at_the_counter():
    civil = f.department("江门市民政局")
    lf.licence_type(issuers=[civil])
    citizen = f.applicant()
    item = lf.issuing_item(civil, name="城乡居民最低生活保障申请", repeat_while_held=False)
    assert not item.current.repeat_while_held
    draft = applications.start(citizen, item=item)
    lf.concluded_case(civil, citizen, item=lf.issuing_item(civil, name="特困人员认定"))

    assert applications.eligibility(citizen, [item]) is not None
    with pytest.raises(ValidationError) as refused:
        applications.start(citizen, item=item)
    assert _code(refused) == "licence_held"
    assert "不能再次申请" in refused.value.messages[0]
    # A draft started before the licence was issued is refused at submission.
    f.fill(draft, citizen)
    with pytest.raises(ValidationError) as refused:
        applications.submit(draft, citizen)
    assert _code(refused) == "licence_held"
    draft.refresh_from_db()
    assert draft.state == Application.State.DRAFT

    before = Application.objects.count()
    with pytest.raises(ValidationError) as refused:
        counter.take_application(
            f.staff(Post.CLERK, civil),
            civil,
            person=citizen.person,
            item=item,
            answers=f.ANSWERS,
            contact_phone="13800138000",
        )
    assert _code(refused) == "licence_held"
    assert Application.objects.count() == before


def test_the_catalogue_may_allow_a_second_application_while_held():
    civil = f.department("江门市民政局")
    lf.licence_type(issuers=[civil])
    citizen = f.applicant()
    lf.concluded_case(civil, citizen)
    allowed = lf.issuing_item(civil, name="特困人员认定")
    assert allowed.current.repeat_while_held  # the catalogue's default
    assert applications.eligibility(citizen, [allowed]) is None
    assert f.submitted(allowed, citizen).item == allowed
