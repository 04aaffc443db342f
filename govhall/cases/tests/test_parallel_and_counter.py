"""一件事 fan-out across departments, cross-level handling, and the one-door counter."""

import pytest
from django.core.exceptions import ValidationError

from govhall.accounts.tests.factories import PersonFactory
from govhall.regions.models import Post

from ..models import BundleCase, CaseState, Channel, Decision
from ..services import access, applications, counter, handling
from . import factories as f

pytestmark = pytest.mark.django_db


def _walk_to_conclusion(case, dept):
    clerk, reviewer, approver = f.handlers(dept)
    handling.accept(case, clerk)
    handling.complete_step(case, clerk, opinion="拟同意")
    handling.complete_step(case, reviewer, opinion="同意")
    handling.decide(case, approver, decision=Decision.APPROVE)
    handling.conclude(case, clerk, delivery="electronic")


def test_a_bundle_fans_out_to_three_departments_and_concludes_together():
    depts = [
        f.dept_like("市场监督", f.JIANGMEN) or f.department("江门市工商行政管理局"),
        f.department("江门市食品药品监督管理局"),
        f.department("江门市公安局"),
    ]
    members = [
        f.item(
            d,
            name=name,
            form_fields=[*f.FORM, {"name": f"extra{n}", "label": f"补充{n}", "type": "text"}],
        )
        for n, (d, name) in enumerate(
            zip(depts, ["个体工商户设立登记", "食品经营许可", "消防安全检查"], strict=False)
        )
    ]
    bundle = f.bundle(members)
    identity = f.applicant()
    application = applications.start(identity, bundle=bundle)
    names = [field["name"] for field in applications.form_of(application)]
    assert names.count("household_size") == 1 and len(names) == 6  # shared fields asked once
    needs = applications.material_needs(application)
    assert len(needs) == 3 and all(len(n.items) == 3 for n in needs)  # shared materials once
    f.fill(application, identity)
    cases = applications.submit(application, identity)
    assert [c.department for c in cases] == depts
    bundle_case = BundleCase.objects.get(application=application)
    for case, dept in zip(cases[:2], depts[:2], strict=False):
        _walk_to_conclusion(case, dept)
    bundle_case.refresh_from_db()
    assert not bundle_case.is_concluded
    _walk_to_conclusion(cases[2], depts[2])
    bundle_case.refresh_from_db()
    assert bundle_case.is_concluded


def test_county_accepts_and_city_decides():
    county = f.dept_like("民政", f.PENGJIANG)
    city = f.department("江门市民政局")
    steps = [
        {"name": "承办", "post": "clerk", "time_limit_days": 3},
        {"name": "审核", "post": "reviewer", "time_limit_days": 3},
        {"name": "批准", "post": "approver", "time_limit_days": 2, "department": city.credit_code},
    ]
    case = f.submitted(f.item(county, steps=steps))
    county_clerk, county_reviewer = f.staff(Post.CLERK, county), f.staff(Post.REVIEWER, county)
    county_approver, city_approver = f.staff(Post.APPROVER, county), f.staff(Post.APPROVER, city)
    handling.accept(case, county_clerk)
    handling.complete_step(case, county_clerk, opinion="拟同意")
    handling.complete_step(case, county_reviewer, opinion="同意，报市局")
    step = handling.current_step(case)
    assert step.department == city
    assert not access.inbox(county_approver).filter(pk=step.pk).exists()
    assert access.inbox(city_approver).filter(pk=step.pk).exists()
    assert access.staff_cases(city_approver).filter(pk=case.pk).exists()
    with pytest.raises(ValidationError):
        handling.decide(case, county_approver, decision=Decision.APPROVE)
    handling.decide(case, city_approver, decision=Decision.APPROVE)
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED


def test_staff_of_another_region_see_nothing():
    jiangmen = f.department("江门市民政局")
    chaozhou = f.dept_like("民政", f.CHAOZHOU)
    case = f.submitted(f.item(chaozhou))
    jiangmen_clerk = f.staff(Post.CLERK, jiangmen)
    jiangmen_supervisor = f.staff(Post.SUPERVISOR, jiangmen)
    assert not access.staff_cases(jiangmen_clerk).filter(pk=case.pk).exists()
    assert not access.staff_cases(jiangmen_supervisor).filter(pk=case.pk).exists()
    assert not access.inbox(jiangmen_clerk).filter(case=case).exists()
    with pytest.raises(ValidationError):
        handling.accept(case, jiangmen_clerk)
    with pytest.raises(ValidationError):
        handling.reject(case, jiangmen_clerk, reason="越权")
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    chaozhou_supervisor = f.staff(Post.SUPERVISOR, f.dept_like("监察", f.CHAOZHOU) or chaozhou)
    assert access.staff_cases(chaozhou_supervisor).filter(pk=case.pk).exists()


def test_counter_takes_another_departments_item_and_the_case_continues_online():
    centre = f.department("江门市行政服务中心")
    responsible = f.department("江门市民政局")
    clerk = f.staff(Post.CLERK, centre)
    target = f.item(responsible)
    person = counter.open_account(
        clerk, centre, id_number=PersonFactory.build().id_number, name="窗口新办", mobile=""
    )
    assert person.realname_level == 3
    assert counter.find_person(person.id_number) == person
    needs = {
        n.name: n.key for n in applications.material_needs(applications.Application(item=target))
    }
    case = counter.take_application(
        clerk,
        centre,
        person=person,
        item=target,
        answers=f.ANSWERS,
        contact_phone="13800138001",
        scans={needs["申请书"]: f.pdf("申请书")},
        paper_checked=[needs["房屋租赁合同"]],
    )
    assert case.channel == Channel.COUNTER and case.visits == 1
    assert case.accepting_department == centre and case.state == CaseState.IN_PROGRESS
    responsible_clerk = f.staff(Post.CLERK, responsible)
    assert access.inbox(responsible_clerk).filter(case=case).exists()
    handling.complete_step(case, responsible_clerk, opinion="拟同意")


def test_counter_refuses_items_of_another_city():
    centre = f.department("江门市行政服务中心")
    clerk = f.staff(Post.CLERK, centre)
    person = f.applicant().person
    with pytest.raises(ValidationError, match="全城通办"):
        counter.take_application(
            clerk,
            centre,
            person=person,
            item=f.item(f.dept_like("民政", f.CHAOZHOU)),
            answers=f.ANSWERS,
            contact_phone="13800138001",
        )
