"""The claims the hall asserts about a user, and the scope that releases each.

Standard claims follow OpenID Connect Core §5.1; the hall's own are documented in
docs/identity.md. ``id_number`` is released only under its own scope, and only to
clients registered for it.
"""

from __future__ import annotations

from govhall.regions.models import StaffPost

from ..models import Company, Person
from ..services import companies

CLAIM_SCOPES = {
    "sub": "openid",
    "name": "profile",
    "preferred_username": "profile",
    "realname_level": "profile",
    "id_number_masked": "profile",
    "id_number": "id_number",
    "phone_number": "phone",
    "phone_number_verified": "phone",
    "email": "email",
    "email_verified": "email",
    "acting_company": "company",
    "staff_posts": "staff",
}


def acting_company_claim(person: Person | None, company_id: int | None) -> dict | None:
    """The company the user chose to act for when authorising — if they still may."""
    if person is None or company_id is None:
        return None
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        return None
    option = companies.acting_option(person, company.pk)
    if option is None:
        return None
    return {
        "credit_code": company.credit_code,
        "name": company.name,
        "role": option.role,
        "powers": list(option.powers),
    }


def staff_posts_claim(user) -> list[dict]:
    rows = (
        StaffPost.objects.filter(user=user, is_active=True, department__is_active=True)
        .select_related("department__region")
        .order_by("pk")
    )
    return [
        {
            "department": row.department.credit_code,
            "department_name": row.department.name,
            "region": row.department.region_id,
            "region_level": row.department.region.level,
            "post": row.post,
        }
        for row in rows
    ]


def claims_for(user, acting_company_id: int | None = None) -> dict:
    person = Person.objects.filter(user=user).first()
    claims = {
        "name": person.name if person else (user.display_name or user.get_username()),
        "preferred_username": user.get_username(),
        "realname_level": person.realname_level if person else 0,
        "email": user.email or None,
        "email_verified": False,
        "staff_posts": staff_posts_claim(user),
    }
    if person is not None:
        claims["id_number"] = person.id_number
        claims["id_number_masked"] = person.masked_id_number
    if user.mobile:
        claims["phone_number"] = f"+86{user.mobile}"
        claims["phone_number_verified"] = user.mobile_verified_at is not None
    company = acting_company_claim(person, acting_company_id)
    if company is not None:
        claims["acting_company"] = company
    return {k: v for k, v in claims.items() if v is not None}
