"""Shared data in applications (免提交): materials the hall fetches instead of asking.

A catalogue material from shared data names its resource in ``shared_data_source``, in
brackets at the end: ``人口库婚姻登记信息（RK-HYDJ）`` for every data item the approval
covers, or ``（RK-HYDJ:婚姻状况,配偶姓名）`` for some (names or codes). A material without
a bracketed code is a plain description and stays what it was: a flag.

While the applicant fills in the application, ``offer`` tells the case engine whether the
hall can fetch the material — the handling department (the item's) holds an approval in
force whose purpose is the item's name and whose items cover the material's, and the
library holds a record for the applicant — or why not, and the applicant then supplies
it. At submission ``fetch_for_cases`` reads the data under that approval, bound to the
new case, and stores it as the case's material; the clerk sees it as data with its
source and time, the applicant in "谁用了我的数据".
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils import timezone

from govhall.cases.models import ApplicationMaterial, MaterialSource
from govhall.cases.services import facts
from govhall.core.errors import refuse

from ..models import Library, Resource, SharedRead
from . import reads, sources

LINK_RE = re.compile(
    r"[（(]\s*(?P<code>[A-Za-z0-9][A-Za-z0-9.\-]{0,39})\s*(?:[:：]\s*(?P<fields>[^）)]*))?[）)]\s*$"
)
WHOLE_RE = re.compile(
    r"^\s*(?P<code>[A-Za-z0-9][A-Za-z0-9.\-]{0,39})\s*(?:[:：]\s*(?P<fields>.*))?$"
)


def link_of(text: str) -> tuple[str, list[str]] | None:
    """(resource code, data items named — empty for all) of a material's source text."""
    match = LINK_RE.search(text or "") or WHOLE_RE.match(text or "")
    if match is None:
        return None
    names = [f.strip() for f in re.split(r"[,，、\s]+", match.group("fields") or "") if f.strip()]
    return match.group("code"), names


def _resolve(resource: Resource, names: list[str]) -> tuple[list[str] | None, list[str]]:
    """Field codes for names or codes (None for "all the approval covers"), and unknowns."""
    if not names:
        return None, []
    by_name = {}
    for code, name in resource.fields.values_list("code", "name"):
        by_name[code] = code
        by_name[name] = code
    return [by_name[n] for n in names if n in by_name], [n for n in names if n not in by_name]


def subject_for(resource: Resource, application) -> str:
    if resource.library == Library.LEGAL_PERSON:
        return application.company.credit_code if application.company_id else ""
    return application.person.id_number if application.person_id else ""


def offer(application, item, material) -> facts.SharedOffer | None:
    link = link_of(material.shared_data_source)
    if link is None:
        return None
    cache = application.__dict__.setdefault("_shared_offers", {})
    key = (item.pk, material.pk, application.person_id, application.company_id)
    if key not in cache:
        cache[key] = _offer(application, item, material, *link)
    return cache[key]


def _offer(application, item, material, code: str, names: list[str]) -> facts.SharedOffer:
    ask = f"请上传“{material.name}”。"
    resource = Resource.objects.select_related("owner").filter(code=code).first()
    if resource is None:
        return facts.SharedOffer(False, f"共享目录中没有资源{code}，大厅无法获取。{ask}")
    fields, unknown = _resolve(resource, names)
    if unknown:
        return facts.SharedOffer(
            False, f"共享资源“{resource.name}”没有数据项{'、'.join(unknown)}。{ask}"
        )
    subject = subject_for(resource, application)
    if not subject:
        return facts.SharedOffer(False, f"“{resource.name}”须按申请人的证件查询。{ask}")
    reason = reads.availability(item.department, resource, fields, item.name)
    if reason:
        return facts.SharedOffer(False, f"大厅暂不能通过数据共享获取：{reason}{ask}")
    approval = reads.covering(item.department, resource, fields, item.name)
    wanted = fields if fields is not None else list(approval.fields)
    key, _, _ = reads.subject_of(resource, subject)
    # A presence check, not a read: nothing is returned to anyone; the read at submission
    # is the one logged.
    if sources.fetch(resource.library, key, wanted) is None:
        return facts.SharedOffer(
            False, f"{resource.owner.name}的“{resource.name}”中没有您的相关记录。{ask}"
        )
    return facts.SharedOffer(True, source=f"{resource.owner.name}“{resource.name}”")


def fetch_for_cases(application, cases) -> list[SharedRead]:
    """Read every shared material the hall offered to fetch, once per case that needs it,
    and store it as the application's material. A read that fails now (an approval revoked
    since the page was shown, the record gone) refuses the submission with the reason; the
    applicant is then asked for the material."""
    from govhall.cases.services.applications import material_key, material_needs, members

    # The items' materials are already loaded with the application's members: an
    # application without a linked shared material costs no statement here.
    linked = {
        item.pk: [
            (m, link)
            for m in item.current.materials.all()
            if m.source == "shared" and (link := link_of(m.shared_data_source)) is not None
        ]
        for item in members(application)
    }
    if not any(linked.values()):
        return []
    fetched = {n.key for n in material_needs(application) if n.fetched_by_hall}
    supplied = {m.key: m for m in application.materials.all()}
    done: list[SharedRead] = []
    for case in cases:
        for material, link in linked.get(case.item_id, []):
            key = material_key(material)
            if key not in fetched:
                continue  # the hall said it could not fetch it; the applicant was asked
            present = supplied.get(key)
            if present is not None and present.source != MaterialSource.SHARED:
                continue  # the applicant supplied it (asked for it, or chose to)
            result = _read(application, case, material, *link)
            if present is None:
                present = ApplicationMaterial(application=application, key=key)
            present.name = material.name
            present.source = MaterialSource.SHARED
            present.file = None
            present.reference = str(result.read.public_id)
            present.added_at = timezone.now()
            present.save()
            supplied[key] = present
            done.append(result.read)
    return done


def _read(application, case, material, code: str, names: list[str]) -> reads.ReadResult:
    field = f"materials.{material.name}"
    resource = Resource.objects.select_related("owner").filter(code=code).first()
    if resource is None:
        raise refuse(
            field, "unknown_resource", f"共享目录中没有资源{code}，请上传“{material.name}”。"
        )
    fields, _ = _resolve(resource, names)
    try:
        result = reads.read(
            requester=case.department,
            resource=resource,
            subject=subject_for(resource, application),
            fields=fields,
            purpose=case.item_name,
            case=case,
        )
    except ValidationError as error:
        message = error.messages[0]
        raise refuse(
            field, "shared_unavailable", f"{message}请返回“提供材料”上传“{material.name}”。"
        ) from None
    if not result.returned:
        raise refuse(
            field,
            "shared_no_data",
            f"{resource.owner.name}的“{resource.name}”中没有您的相关记录，"
            f"请返回“提供材料”上传“{material.name}”。",
        )
    return result


def shared_rows_for_case(case) -> list[dict]:
    """The shared data the case used, for the clerk: each material's items and values,
    with the source and its time, and the read that fetched it."""
    keys = {
        m.reference: m.name
        for m in ApplicationMaterial.objects.filter(
            application_id=case.application_id, source=MaterialSource.SHARED
        ).exclude(reference="")
    }
    rows = (
        SharedRead.objects.filter(case_number=case.number, outcome=SharedRead.Outcome.RETURNED)
        .select_related("resource", "owner", "requester")
        .order_by("at", "pk")
    )
    out = []
    for row in rows:
        names = dict(row.resource.fields.values_list("code", "name"))
        out.append(
            {
                "material": keys.get(str(row.public_id), row.resource.name),
                "resource": row.resource,
                "values": [(names.get(c, c), v) for c, v in reads.values_of(row).items()],
                "source": row.source_name or row.owner.name,
                "updated_at": row.source_updated_at,
                "read": row,
            }
        )
    return out


def register() -> None:
    facts.register_shared_material_provider(offer)
