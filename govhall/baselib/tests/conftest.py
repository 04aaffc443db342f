import datetime

import pytest

from govhall.baselib.data import attributes as catalogue
from govhall.core.identifiers import make_credit_code, make_id_number
from govhall.regions.models import Department

CITIZEN = make_id_number("440703", datetime.date(1985, 6, 18), 131)
SPOUSE = make_id_number("440703", datetime.date(1987, 9, 2), 248)
COMPANY = make_credit_code("91", "440703", "MA4W0J2K")


def department(owner) -> Department:
    return Department.objects.get(region_id=owner[0], name=owner[1])


def household(number=CITIZEN, name="陈志明", birth="1985-06-18", ref=None, as_of="2003-07-01"):
    return {
        "record_ref": ref or f"GA-{number[-6:]}",
        "department": department(catalogue.PUBLIC_SECURITY).credit_code,
        "subject_kind": "person",
        "key": number,
        "as_of": f"{as_of}T09:00:00+08:00",
        "values": {
            "name": name,
            "sex": "1",
            "birth_date": birth,
            "household_region": "440703",
            "household_status": "1",
        },
    }


def marriage(
    number=CITIZEN, spouse=SPOUSE, status="21", ref="J440703-2012-003187", on="2012-10-08"
):
    return {
        "record_ref": ref,
        "department": department(catalogue.CIVIL_AFFAIRS).credit_code,
        "subject_kind": "person",
        "key": number,
        "as_of": f"{on}T10:30:00+08:00",
        "values": {
            "marital_status": status,
            "spouse_name": "李秀英",
            "spouse_id_number": spouse,
            "marriage_registered_on": on,
            "marriage_registry": "江门市蓬江区民政局婚姻登记处",
            "marriage_certificate_no": ref,
        },
    }


@pytest.fixture
def civil_affairs(db):
    return department(catalogue.CIVIL_AFFAIRS)


@pytest.fixture
def public_security(db):
    return department(catalogue.PUBLIC_SECURITY)
