"""The one registry of the case engine's actions: what is offered is exactly what the
services accept, every action appends an event of the stream, and the reviewer's step
reads 审核通过 / 退回, with 退回 only where the catalogue step allows it."""

import pytest
from django.core.exceptions import ValidationError

from govhall.records import events
from govhall.regions.models import Post

from ..api.serializers.staff import REQUESTS
from ..models import StepState
from ..services import actions, handling
from . import factories as f

pytestmark = pytest.mark.django_db


def test_every_action_appends_an_event_and_every_event_the_engine_writes_has_its_action():
    assert {a.event for a in actions.ACTIONS} == set(events.CODES) - {"pre_accept"}
    slugs = [a.slug for a in actions.STAFF_ACTIONS]
    assert len(set(slugs)) == len(slugs) and set(slugs) == set(REQUESTS)
    for action in actions.ACTIONS:
        if action.actor != actions.SYSTEM and action.from_states:
            assert action.slug and action.service, action.name


def offered_names(case, user) -> set[str]:
    case.refresh_from_db()
    return {o.action.name for o in actions.offered(case, user)}


def accepted_names(case, user) -> set[str]:
    """The staff actions whose guard lets this user through now (what the services
    check before they read any input)."""
    case.refresh_from_db()
    allowed = set()
    for action in actions.STAFF_ACTIONS:
        try:
            actions.enforce(case, user, action.name)
        except ValidationError:
            continue
        allowed.add(action.name)
    return allowed


def test_what_is_offered_is_what_the_services_accept_all_along_a_case():
    dept = f.department("江门市民政局")
    people = [*f.handlers(dept), f.staff(Post.SUPERVISOR, dept)]
    clerk, reviewer, approver, _ = people
    case = f.submitted(f.item(dept))

    def same_everywhere():
        for user in people:
            assert offered_names(case, user) == accepted_names(case, user), user

    same_everywhere()
    assert offered_names(case, clerk) == {"accept", "request_correction", "reject"}
    handling.accept(case, clerk)
    same_everywhere()
    handling.complete_step(case, clerk, opinion="拟同意")
    same_everywhere()
    handling.start_special(case, reviewer, kind="hearing", reason="需听证")
    same_everywhere()
    assert offered_names(case, reviewer) == {"end_special"}
    assert offered_names(case, approver) == {"extend"}
    handling.end_special(case, reviewer, result="听证完毕")
    handling.complete_step(case, reviewer, opinion="同意")
    same_everywhere()
    assert {"decide", "return_step", "start_special", "extend"} == offered_names(case, approver)
    handling.decide(case, approver, decision="approve")
    same_everywhere()
    handling.conclude(case, clerk, delivery="pickup")
    same_everywhere()
    assert offered_names(case, clerk) == {"deliver"}
    handling.deliver(case, clerk)
    same_everywhere()
    assert offered_names(case, clerk) == set()


def test_the_reviewer_passes_or_returns_under_natural_labels():
    dept = f.department("江门市民政局")
    clerk, reviewer = f.staff(Post.CLERK, dept), f.staff(Post.REVIEWER, dept)
    case = f.submitted(f.item(dept))
    handling.accept(case, clerk)
    case.refresh_from_db()
    assert [(o.action.name, o.label) for o in actions.offered(case, clerk)] == [
        ("complete_step", "承办完成"),
        ("start_special", "启动特别程序"),
    ]
    handling.complete_step(case, clerk, opinion="拟同意")
    case.refresh_from_db()
    labels = {o.action.name: o.label for o in actions.offered(case, reviewer)}
    assert labels["complete_step"] == "审核通过" and labels["return_step"] == "退回"


def test_a_step_the_catalogue_does_not_let_return_offers_no_return_and_refuses_one():
    dept = f.department("江门市民政局")
    clerk, reviewer = f.staff(Post.CLERK, dept), f.staff(Post.REVIEWER, dept)
    steps = [
        {"name": "承办", "post": "clerk", "time_limit_days": 3},
        {"name": "审核", "post": "reviewer", "time_limit_days": 3, "may_return": False},
        {"name": "批准", "post": "approver", "time_limit_days": 2},
    ]
    case = f.submitted(f.item(dept, name="审核不可退回的事项", steps=steps))
    handling.accept(case, clerk)
    handling.complete_step(case, clerk, opinion="拟同意")
    assert "return_step" not in offered_names(case, reviewer)
    assert "complete_step" in offered_names(case, reviewer)
    with pytest.raises(ValidationError) as refused:
        handling.return_step(case, reviewer, opinion="请重新核查")
    assert refused.value.error_dict["action"][0].code == "return_not_allowed"
    assert case.steps.get(state=StepState.OPEN).name == "审核"
