"""Test data that tests of every app share: departments of the reference data, staff,
applicants and a published item with steps, a form and materials (the case engine's
tests add submitted cases on top, ``govhall/cases/tests/factories.py``)."""

from __future__ import annotations

from govhall.accounts.models import RealNameLevel
from govhall.accounts.services.acting import Identity
from govhall.accounts.tests.factories import CompanyFactory, PersonFactory
from govhall.catalog.models import Item
from govhall.catalog.services import items
from govhall.catalog.tests.factories import doc_for, ensure_themes
from govhall.regions.models import Department, Post

from .factories import StaffPostFactory

JIANGMEN = "440700"
PENGJIANG = "440703"
CHAOZHOU = "445100"

FORM = [
    {
        "name": "household_size",
        "label": "家庭人口",
        "type": "integer",
        "required": True,
        "min": 1,
        "max": 20,
    },
    {"name": "married", "label": "是否已婚", "type": "boolean", "required": True},
    {
        "name": "spouse_name",
        "label": "配偶姓名",
        "type": "text",
        "required": True,
        "show_if": {"field": "married", "equals": True},
    },
]

STEPS = [
    {"name": "承办", "post": "clerk", "time_limit_days": 3},
    {"name": "审核", "post": "reviewer", "time_limit_days": 3},
    {"name": "批准", "post": "approver", "time_limit_days": 2},
]

MATERIALS = [
    {
        "code": "M01",
        "name": "申请书",
        "required": True,
        "source": "applicant",
        "media": "electronic",
    },
    {
        "code": "M02",
        "name": "居民户口簿",
        "required": True,
        "source": "shared",
        "media": "both",
        "shared_data_source": "省人口基础信息库",
    },
    {
        "code": "M03",
        "name": "房屋租赁合同",
        "required": True,
        "source": "applicant",
        "media": "both",
    },
]


def department(name: str, region: str = JIANGMEN) -> Department:
    return Department.objects.select_related("region").get(region_id=region, name=name)


def dept_like(fragment: str, region: str) -> Department:
    return (
        Department.objects.filter(region_id=region, name__contains=fragment).order_by("pk").first()
    )


def item(dept: Department | None = None, **overrides) -> Item:
    """A promised item (承诺件) with three steps, a form and materials, applied for online."""
    ensure_themes()
    values = {
        "name": overrides.pop("name", "城乡居民最低生活保障申请"),
        "item_type": "XK",
        "case_type": "2",
        "statutory_limit_days": 20,
        "promised_limit_days": 10,
        "depth": 3,
        "visits": 0,
        "channels": ["online", "mobile", "counter"],
        "delivery": ["electronic", "post", "pickup"],
        "min_realname_level": 2,
        "steps": STEPS,
        "materials": MATERIALS,
        "form_fields": FORM,
        "result_name": "低保证",
        "supports_logistics": True,
    }
    values.update(overrides)
    return items.load_document(doc_for(dept or department("江门市民政局"), **values), publish=True)


def applicant(level: int = RealNameLevel.ONLINE_VERIFIED, **kwargs) -> Identity:
    person = PersonFactory(realname_level=level, **kwargs)
    return Identity(user=person.user, person=person)


def company_agent() -> Identity:
    company = CompanyFactory()
    person = company.legal_representative
    return Identity(user=person.user, person=person, company=company, role="legal")


def user_client(user):
    """A test client signed in as ``user`` (a staff member, or anyone for themselves)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def signed_in(identity: Identity):
    """A test client signed in as ``identity``, acting for its company when it has one
    (what choosing the company after signing in stores in the session)."""
    from govhall.accounts.services import acting

    client = user_client(identity.user)
    if identity.company is not None:
        session = client.session
        session[acting.SESSION_KEY] = identity.company.pk
        session.save()
    return client


def staff(post: str, dept: Department):
    return StaffPostFactory(post=post, department=dept).user


def handlers(dept: Department) -> tuple:
    """A clerk, a reviewer and an approver of ``dept``: the posts an ordinary case passes."""
    return tuple(staff(p, dept) for p in (Post.CLERK, Post.REVIEWER, Post.APPROVER))


def pdf_bytes(pages: int = 1) -> bytes:
    """A real (blank, A4) PDF: uploads are parsed, so a bare header no longer passes."""
    from govhall.demo.files import blank_pdf

    return blank_pdf(pages)


def pdf(name: str = "材料"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(f"{name}.pdf", pdf_bytes(), content_type="application/pdf")
