"""A task knows its catalogue step: repeated step names, returns, and the numbering of the
tasks that existed before it was stored. Every record names who handled it."""

import importlib

import pytest
from django.apps import apps

from govhall.records.models import ProcessRecord
from govhall.regions.models import Post

from ..models import CaseState, CaseStep, Decision, StepState
from ..services import applicant as applicant_actions
from ..services import handling, steps
from . import factories as f

pytestmark = pytest.mark.django_db

TWICE_REVIEWED = [
    {"name": "审核", "post": "reviewer", "time_limit_days": 2},
    {"name": "审核", "post": "reviewer", "time_limit_days": 2},
    {"name": "批准", "post": "approver", "time_limit_days": 2},
]


def open_task(case):
    return case.steps.get(state=StepState.OPEN)


def test_an_item_whose_steps_repeat_a_name_is_handled_to_its_decision():
    dept = f.department("江门市民政局")
    clerk, reviewer, approver = f.handlers(dept)
    case = f.submitted(f.item(dept, name="两级审核事项", steps=TWICE_REVIEWED))
    handling.accept(case, clerk)
    first = open_task(case)
    assert (first.name, first.catalogue_index) == ("审核", 0)
    case.refresh_from_db()
    assert "return_step" not in handling.actions_for(case, reviewer)

    handling.complete_step(case, reviewer, opinion="初审通过")
    second = open_task(case)
    assert (second.name, second.catalogue_index) == ("审核", 1)
    assert steps.position(case, second) == (False, False)
    # a return from the second 审核 goes back to the first, not to itself
    handling.return_step(case, reviewer, opinion="请补充核查")
    assert open_task(case).catalogue_index == 0
    handling.complete_step(case, reviewer, opinion="已核查")
    handling.complete_step(case, reviewer, opinion="复审通过")
    last = open_task(case)
    assert (last.name, last.catalogue_index, last.post) == ("批准", 2, Post.APPROVER)
    assert steps.catalogue_step(case, last).name == "批准"
    case.refresh_from_db()
    assert "decide" in handling.actions_for(case, approver)

    handling.decide(case, approver, decision=Decision.APPROVE, opinion="同意")
    handling.conclude(case, clerk, delivery="electronic")
    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED and case.decision == Decision.APPROVE
    names = list(case.steps.order_by("sequence").values_list("name", "catalogue_index"))
    assert names == [
        ("受理", None),
        ("审核", 0),
        ("审核", 1),
        ("审核", 0),
        ("审核", 1),
        ("批准", 2),
    ]


def test_tasks_stored_before_the_index_existed_are_numbered_by_replaying_the_case():
    dept = f.department("江门市民政局")
    clerk, reviewer = f.staff(Post.CLERK, dept), f.staff(Post.REVIEWER, dept)
    case = f.submitted(f.item(dept, name="两级审核事项", steps=TWICE_REVIEWED))
    handling.accept(case, clerk)
    handling.complete_step(case, reviewer, opinion="初审通过")
    handling.return_step(case, reviewer, opinion="请补充核查")
    handling.complete_step(case, reviewer, opinion="已核查")
    expected = list(case.steps.order_by("sequence").values_list("pk", "catalogue_index"))
    CaseStep.objects.filter(case=case).update(catalogue_index=None)

    migration = importlib.import_module("govhall.cases.migrations.0008_step_catalogue_index")
    migration.number_tasks(apps, None)
    assert list(case.steps.order_by("sequence").values_list("pk", "catalogue_index")) == expected


def test_every_record_names_who_handled_it():
    dept = f.department("江门市民政局")
    clerk, reviewer, approver = f.handlers(dept)
    identity = f.applicant()
    case = f.submitted(f.item(dept), identity)
    handling.request_correction(
        case, clerk, items=[{"material_code": "", "name": "申请书", "problem": "缺签名"}]
    )
    stored = f.applications.store_file(identity.user, f.pdf("申请书"), title="申请书")
    applicant_actions.submit_correction(case, identity, files={"N:申请书": stored})
    handling.accept(case, clerk)
    handling.start_special(case, clerk, kind="expert_review", reason="需专家评审")
    handling.end_special(case, clerk, result="评审通过")
    handling.extend(case, approver, days=3, reason="情况复杂")
    handling.complete_step(case, clerk, opinion="拟同意")
    handling.complete_step(case, reviewer, opinion="同意")
    handling.decide(case, approver, decision=Decision.APPROVE)
    handling.conclude(case, clerk, delivery="pickup")
    handling.deliver(case, clerk, collected_by="本人")
    applicant_actions.rate(case, identity, level=1)

    handlers = {
        record.event: record.payload["details"].get("handler")
        for record in ProcessRecord.objects.filter(case_number=case.number)
    }
    name = {u.pk: u.display_name or u.username for u in (clerk, reviewer, approver)}
    assert handlers["request_correction"] == name[clerk.pk]
    assert handlers["conclude"] == handlers["deliver"] == name[clerk.pk]
    assert handlers["start_special"] == handlers["end_special"] == name[clerk.pk]
    assert handlers["extend"] == handlers["decide"] == name[approver.pk]
    assert handlers["submit"] == handlers["submit_correction"] == handlers["rate"] == "申请人"
    assert all(handlers.values()), handlers
