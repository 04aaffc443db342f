"""Case-engine test data: submitted cases and bundles, on top of the shared departments,
staff, applicants and items of ``tests/common.py`` (re-exported here)."""

from __future__ import annotations

from govhall.accounts.services.acting import Identity
from govhall.catalog.models import Item
from govhall.catalog.services import bundles
from govhall.regions.models import Post
from tests.common import (  # noqa: F401  (re-exported: the case tests' one namespace)
    CHAOZHOU,
    FORM,
    JIANGMEN,
    MATERIALS,
    PENGJIANG,
    STEPS,
    applicant,
    company_agent,
    department,
    dept_like,
    handlers,
    item,
    pdf,
    pdf_bytes,
    signed_in,
    staff,
)

from ..models import Application, Case
from ..services import applications

ANSWERS = {"household_size": 3, "married": False}


def fill(application, identity, answers=None) -> None:
    offered = applications.delivery_offered(application)
    applications.save_answers(
        application,
        dict(ANSWERS if answers is None else answers),
        contact={"contact_phone": "13800138000", "delivery": offered[0] if offered else ""},
    )
    for need in applications.material_needs(application):
        if need.source in ("applicant", "licence"):
            upload = pdf(need.name)
            stored = applications.store_file(
                identity.user, upload, title=need.name, company=identity.company
            )
            applications.attach(application, need.key, file=stored)


def locker(identity, item_obj: Item) -> dict:
    """A file in ``identity``'s materials locker for every material the applicant must
    supply to ``item_obj`` (what the one-step apply names), by need key."""
    probe = Application(item=item_obj)
    return {
        need.key: applications.store_file(identity.user, pdf(need.name), title=need.name)
        for need in applications.material_needs(probe)
        if need.required and not need.fetched_by_hall
    }


def submitted(item_obj: Item | None = None, identity: Identity | None = None, answers=None) -> Case:
    identity = identity or applicant()
    application = applications.start(identity, item=item_obj or item())
    fill(application, identity, answers)
    (case,) = applications.submit(application, identity)
    return case


def bundle(members: list[Item], code: str = "open-restaurant"):
    return bundles.save_bundle(
        code=code,
        name="我要开餐馆",
        audience="person",
        region=JIANGMEN,
        members=[{"item": m.implementation_code, "required": True} for m in members],
    )


POSTS = Post
