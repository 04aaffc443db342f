"""One-door counter (一门式, 综合窗口): a clerk takes any department's application.

The clerk finds the person by ID number (or opens a counter-verified account for
them), takes the application with scanned paper materials, and usually accepts it
on the spot; the case then continues online in the responsible department
(前台综合受理、后台分类审批). 全城通办: any hall of the city may take an item of any
county in that city, and province-level items are taken everywhere.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from govhall.accounts.models import Person
from govhall.accounts.services import realname
from govhall.accounts.services.registration import clean_id_number, clean_name, new_username
from govhall.catalog.models import Item
from govhall.catalog.services import forms
from govhall.core.errors import refuse
from govhall.regions.models import Department, Hall, Post
from govhall.regions.services.scope import scope_of

from ..models import Application, Case, Channel, StoredFile
from . import access, applications, handling


def counter_departments(clerk) -> list[Department]:
    scope = scope_of(clerk)
    ids = [held.department_id for held in scope.posts if held.post in (Post.CLERK, Post.HALL_ADMIN)]
    return list(Department.objects.filter(pk__in=ids).select_related("region"))


def check_clerk(clerk, department: Department) -> None:
    if department not in counter_departments(clerk):
        raise refuse("department", "not_clerk", "只有本部门的窗口受理人员可以窗口收件。")


def may_take(department: Department, item: Item) -> bool:
    """全城通办: items of the clerk's city (any county) and of the province."""
    city_prefix = department.region_id[:4]
    return item.region_id.startswith(city_prefix) or item.region.level == "province"


def find_person(id_number: str, *, clerk=None, department=None) -> Person | None:
    """The account of an ID number; a clerk's look-up of someone found is reported to
    that person's data-use log (谁用了我的数据)."""
    number = clean_id_number(id_number)
    person = Person.objects.filter(id_number_index=Person.index_for(number)).first()
    if person is not None and clerk is not None:
        from govhall.core.signals import personal_data_read

        personal_data_read.send(
            sender=Person,
            subject_user_id=person.user_id,
            subject_id_number="",
            reader_user_id=clerk.pk,
            reader_department_id=department.pk if department is not None else None,
            reader_client="",
            purpose="综合窗口：凭身份证件查找办事人账号",
            case_number="",
            fields=["姓名", "实名等级"],
            source="counter",
        )
    return person


@transaction.atomic
def open_account(
    clerk, department: Department, *, id_number: str, name: str, mobile: str = ""
) -> Person:
    """An account for someone without one, verified by the clerk against the ID card."""
    check_clerk(clerk, department)
    number = clean_id_number(id_number)
    person_name = clean_name(name)
    if Person.objects.filter(id_number_index=Person.index_for(number)).exists():
        raise refuse("id_number", "exists", "该身份证号码已有账号，请直接查找。")
    User = get_user_model()
    if mobile and not forms.PHONE_RE.match(mobile):
        raise refuse("mobile", "invalid", "手机号码须为11位数字，以1开头。")
    if mobile and User.objects.filter(mobile=mobile).exists():
        raise refuse("mobile", "exists", "该手机号码已被其他账号使用。")
    user = User(username=new_username(), display_name=person_name, mobile=mobile or None)
    user.set_unusable_password()
    user.save()
    person = Person(user=user, id_number=number, name=person_name, source=Person.Source.COUNTER)
    person.save()
    realname.verify_at_counter(
        person=person,
        clerk=clerk,
        department=department,
        id_number_read=number,
        name_read=person_name,
    )
    person.refresh_from_db()
    return person


class CounterIdentity:
    """The applicant as the counter acts for them (the clerk holds the ID card)."""

    def __init__(self, person: Person, company=None):
        self.person, self.company, self.user = person, company, person.user
        self.powers = ()

    def can(self, power: str) -> bool:
        return True


@transaction.atomic
def take_application(
    clerk,
    department: Department,
    *,
    person: Person,
    item: Item,
    answers: dict,
    contact_phone: str,
    scans: dict[str, object] | None = None,
    paper_checked: list[str] | None = None,
    accept_now: bool = True,
    company=None,
    licence_consent: bool = False,
) -> Case:
    """Take the application at the counter: one visit recorded, scans into the locker.

    A valid e-licence the person holds stands for its material, as online, once the clerk
    records that the person agreed to it (``licence_consent``); a scan or a checked paper
    original supplied for the material is used instead.
    """
    check_clerk(clerk, department)
    if access.would_be_party(clerk, person, company):
        raise refuse(
            "person",
            "conflict_of_interest",
            "您是该申请的申请人、经办人或申请法人的法定代表人，依回避规定请由其他窗口人员收件。",
        )
    if not may_take(department, item):
        raise refuse(
            "item",
            "outside_city",
            f"“{item.name}”不属于本市，本窗口不能收件（全城通办限本市及省级事项）。",
        )
    applications.check_not_held(person, company, applications.published_version(item, online=False))
    identity = CounterIdentity(person, company)
    application = Application.objects.create(
        item=item,
        user=person.user,
        person=person,
        company=company,
        channel=Channel.COUNTER,
        contact_name=person.name,
        contact_phone=contact_phone,
        clerk=clerk,
        clerk_department=department,
        hall=Hall.objects.filter(region_id=department.region_id).first(),
    )
    applications.published_version(item, online=False)
    offered = applications.delivery_offered(application)
    delivery = "pickup" if "pickup" in offered else (offered[0] if offered else "")
    applications.save_answers(application, answers, contact={"delivery": delivery})
    names = {need.key: need.name for need in applications.material_needs(application)}
    for key, upload in (scans or {}).items():
        stored = applications.store_file(
            person.user,
            upload,
            title=names.get(key, key),
            kind=key,
            company=company,
            at_counter=True,
        )
        if not isinstance(stored, StoredFile):
            continue
        applications.attach(application, key, file=stored, source="counter_scan")
    for key in paper_checked or []:
        need = next((n for n in applications.material_needs(application) if n.key == key), None)
        if need is not None and not application.materials.filter(key=key).exists():
            application.materials.create(key=key, name=need.name, source="paper")
    (case,) = applications.submit(application, identity, licence_consent=licence_consent)
    if accept_now:
        handling.accept(case, clerk)
        case.refresh_from_db()
    return case
