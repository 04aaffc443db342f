"""Applying: drafts, materials, submission and the fan-out of bundles (一表式).

A draft keeps whatever the applicant typed (checked for shape, not completeness) so it
resumes on another device. ``submit`` checks everything, then creates one case per
item in one transaction; it is idempotent: the application row is locked and a
second call (double click, retry, the same idempotency key) returns the same cases.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from govhall.accounts.models import Person, Power
from govhall.catalog.models import Bundle, Item, ItemVersion
from govhall.catalog.services import forms, published
from govhall.core import uploads
from govhall.core.errors import Problem, Refusal, refuse
from govhall.core.prepared import Prepared
from govhall.core.services import audit, calendar

from ..models import (
    ApplicantKind,
    Application,
    ApplicationMaterial,
    BundleCase,
    Case,
    CaseState,
    Channel,
    MaterialSource,
    StoredFile,
    SubmissionKey,
)
from . import facts, handling, hooks, notifications, numbers, transitions

MAGIC = uploads.MAGIC  # the counter's scan form checks first bytes before the full inspection


# --- what an application needs ----------------------------------------------------------


@dataclass
class MaterialNeed:
    """One material to supply; shared by every item of a bundle that asks for it."""

    key: str
    name: str
    required: bool
    source: str  # catalogue source: applicant / licence / shared
    licence_type_code: str = ""
    requirements: str = ""
    items: list[str] = field(default_factory=list)
    shared_source: str = ""  # where the hall fetches it from (facts.shared_offer)
    shared_reason: str = ""  # why the hall cannot fetch it, so the applicant supplies it

    @property
    def fetched_by_hall(self) -> bool:
        return self.source == "shared"


def material_key(material) -> str:
    """Materials of different items are the same when they name the same e-licence type
    or carry the same name."""
    if material.licence_type_code:
        return facts.licence_key(material.licence_type_code)
    return f"N:{material.name}"[: facts.MATERIAL_KEY_LENGTH]


def members(application: Application) -> list[Item]:
    """The items an application is for (a bundle's required items plus the chosen optional).

    Kept on the application for its choice of optional items, with each version's
    materials, so one submission reads the catalogue once.
    """
    chosen = frozenset(application.answers.get("_optional_items") or [])
    cached = getattr(application, "_members", None)
    if cached is not None and cached[0] == (application.item_id, application.bundle_id, chosen):
        return cached[1]
    if application.item_id:
        items = [application.item]
    else:
        rows = application.bundle.members.select_related("item__current").order_by(
            "sort_order", "pk"
        )
        items = [m.item for m in rows if m.required or m.item.implementation_code in chosen]
    published.with_materials([item.current for item in items])
    application._members = ((application.item_id, application.bundle_id, chosen), items)
    return items


def form_of(application: Application) -> list[dict]:
    return forms.merge_forms([item.current.form_fields or [] for item in members(application)])


def material_needs(application: Application) -> list[MaterialNeed]:
    needs: dict[str, MaterialNeed] = {}
    for item in members(application):
        for material in item.current.materials.all():
            key = material_key(material)
            need = needs.get(key)
            if need is None:
                need = needs[key] = MaterialNeed(
                    key=key,
                    name=material.name,
                    required=material.required and not material.condition,
                    source=material.source,
                    licence_type_code=material.licence_type_code,
                    requirements=material.requirements,
                )
            else:
                need.required |= material.required and not material.condition
            need.items.append(item.name)
            if material.source == "shared":
                _offer_shared(application, item, material, need)
    return list(needs.values())


def _offer_shared(application: Application, item: Item, material, need: MaterialNeed) -> None:
    """Ask the shared-data provider whether the hall can fetch this material for this
    applicant; when it cannot, the applicant supplies it and is told why."""
    offer = facts.shared_offer(application, item, material)
    if offer is None:
        return
    if offer.available and not need.shared_reason:
        need.shared_source = offer.source
    elif not offer.available:
        need.source = "applicant"
        need.shared_source = ""
        need.shared_reason = offer.reason


# --- drafts -----------------------------------------------------------------------------


def published_version(item: Item, *, online: bool = True) -> ItemVersion:
    """The item's published version; ``online`` also requires an online channel."""
    if item.status != Item.Status.ACTIVE or item.current_id is None:
        raise refuse("item", "not_published", f"事项“{item.name}”目前不可申办。")
    version = item.current
    if online and not (version.channel_online or version.channel_mobile) and version.depth < 2:
        raise refuse("item", "not_online", f"事项“{item.name}”不支持网上申办，请到窗口办理。")
    return version


def check_applicant(identity, version: ItemVersion) -> None:
    """Real-name level and, for a company, the agent's power to apply."""
    person = identity.person
    if person is None:
        raise refuse("applicant", "no_person", "请先以自然人账号登录并完成实名认证。")
    if person.realname_level < version.min_realname_level:
        raise refuse(
            "applicant",
            "realname_level",
            f"办理“{version.name}”需要实名等级{version.min_realname_level}级，"
            f"您当前为{person.realname_level}级，请先提升实名等级。",
        )
    if identity.company is not None and not identity.can(Power.APPLY):
        raise refuse("applicant", "no_power", f"您没有代“{identity.company.name}”申办事项的授权。")
    audiences = version.audience_codes
    if identity.company is None and "1" not in audiences:
        raise refuse("applicant", "audience", f"“{version.name}”面向法人，请切换为法人身份后申办。")
    if identity.company is not None and not set(audiences) & set("23456"):
        raise refuse(
            "applicant", "audience", f"“{version.name}”面向自然人，请切换为本人身份后申办。"
        )
    check_not_held(person, identity.company, version)


def held_result(person, company, version: ItemVersion) -> facts.HeldLicence | None:
    """The valid e-licence of the item's result type the applicant already holds, if any."""
    if not version.result_licence_type or person is None:
        return None
    return next(
        (
            licence
            for licence in facts.held_licences(person, company)
            if licence.type_code == version.result_licence_type
        ),
        None,
    )


def check_not_held(person, company, version: ItemVersion) -> None:
    """Refuse applying again for a result licence the applicant holds and is still valid,
    unless the catalogue allows it (``repeat_while_held``)."""
    if version.repeat_while_held:
        return
    held = held_result(person, company, version)
    if held is not None:
        number = f"（证照编号{held.number}）" if held.number else ""
        raise refuse(
            "item",
            "licence_held",
            f"您已持有有效的“{held.name}”{number}，不能再次申请“{version.name}”。"
            "如需换证、补证或变更，请申办相应事项。",
        )


def eligibility(identity, items: list[Item]):
    """The refusal ``start`` would give (a ValidationError), or None: asked by the apply page
    before a draft exists."""
    from django.core.exceptions import ValidationError

    try:
        for item in items:
            check_applicant(identity, published_version(item))
    except ValidationError as exc:
        return exc
    return None


def delivery_offered(application: Application) -> list[str]:
    """Ways of delivery the items' guides list (for a bundle, those all its items share),
    electronic first (``ItemVersion.deliveries``)."""
    offered = [set(i.current.deliveries) for i in members(application)]
    if not offered:
        return []
    common = set.intersection(*offered) or set().union(*offered)
    return [d for d in ("electronic", "post", "pickup") if d in common]


# One statement, atomic by itself: a transaction around it only adds BEGIN and COMMIT.
def start(
    identity,
    *,
    item: Item | None = None,
    bundle: Bundle | None = None,
    channel: str = Channel.ONLINE,
) -> Application:
    """Open a draft for an item or a bundle as the acting identity."""
    application = _new_draft(identity, item, bundle, channel)
    application.save()
    return application


def _new_draft(identity, item: Item | None, bundle: Bundle | None, channel: str) -> Application:
    """An unsaved draft, after the applicant checks ``start`` and ``apply`` share."""
    if (item is None) == (bundle is None):
        raise refuse("item", "required", "请选择要申办的事项或“一件事”。")
    if bundle is not None and not bundle.is_published:
        raise refuse("bundle", "not_published", f"“{bundle.name}”目前不可申办。")
    # A registered channel's token names the channel, whatever the request body says.
    client = getattr(identity, "client", None)
    application = Application(
        item=item,
        bundle=bundle,
        user=identity.user,
        person=identity.person,
        company=identity.company,
        channel=getattr(identity, "client_channel", "") or channel,
        channel_client=client,
        contact_name=identity.person.name if identity.person else "",
        contact_phone=getattr(identity.user, "mobile", "") or "",
    )
    for member in (
        [item] if item else [m.item for m in bundle.members.select_related("item__current")]
    ):
        check_applicant(identity, published_version(member))
    return application


def draft_of(identity, public_id) -> Application:
    """A draft of the acting identity (anyone else's is "not found")."""
    application = (
        Application.objects.select_related("item__current", "bundle", "person", "company")
        .filter(
            public_id=public_id,
            user=identity.user,
            state__in=[Application.State.DRAFT, Application.State.SUBMITTED],
        )
        .first()
    )
    if application is None or (application.company_id or None) != (
        identity.company.pk if identity.company else None
    ):
        raise Application.DoesNotExist
    return application


# One statement, atomic by itself: a transaction around it only adds BEGIN and COMMIT.
def save_answers(
    application: Application, data: dict, *, contact: dict | None = None
) -> Application:
    """Keep what was typed; malformed values are refused now, missing ones at submission."""
    _check_draft(application)
    _fill_in(application, data, contact)
    application.save()
    return application


def _fill_in(application: Application, data: dict, contact: dict | None) -> None:
    fields = form_of(application)
    answers, problems = forms.clean_answers(fields, data, partial=True)
    if problems:
        raise _problems(problems)
    optional = data.get("_optional_items", application.answers.get("_optional_items"))
    if optional is not None:
        answers["_optional_items"] = list(optional)
    application.answers = answers
    for name in ("contact_name", "contact_phone", "delivery", "delivery_address"):
        if contact and name in contact:
            setattr(application, name, str(contact[name] or "").strip())


def _problems(problems: list[Problem]) -> Refusal:
    """One problem per field (the last found), as the form shows them."""
    return Refusal({p.field: p for p in problems}.values())


def _check_draft(application: Application) -> None:
    if application.state != Application.State.DRAFT:
        raise refuse("application", "not_draft", "该申请已提交，不能再修改。")


def store_file(
    user, upload, *, title: str = "", kind: str = "", company=None, at_counter: bool = False
) -> StoredFile:
    """Put an uploaded file into the locker, after checking its size and real type.

    ``kind`` is the material key it is stored for, so that the locker later offers it for
    that material only.
    """
    limit = settings.GOVHALL_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise refuse(
            "file",
            "too_large",
            f"文件不能超过{limit // (1024 * 1024)}MB（当前{upload.size / 1048576:.1f}MB）。",
        )
    if upload.size == 0:
        raise refuse("file", "empty", "文件为空，请重新选择。")
    inspected = uploads.inspect(upload)  # parsed as what it claims; active content refused
    content_type, content = inspected.content_type, inspected.content
    digest = hashlib.sha256()
    size = 0
    content.seek(0)
    for chunk in content.chunks():
        digest.update(chunk)
        size += len(chunk)
    content.seek(0)
    stored = StoredFile(
        owner=user,
        company=company,
        name=uploads.display_name(upload.name, content_type)[-200:],
        title=(title or upload.name or "材料")[:200],
        kind=(kind or "")[:220],
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
        scanned_at_counter=at_counter,
        created_at=timezone.now(),
    )
    stored.content.save(
        f"{stored.public_id.hex}{settings.GOVHALL_UPLOAD_TYPES[content_type]}", content, save=False
    )
    stored.save()
    return stored


def locker_of(identity):
    return _locker(identity.user.pk, identity.company.pk if identity.company else None)


def _locker(owner_id: int, company_id: int | None):
    rows = StoredFile.objects.filter(owner_id=owner_id)
    return rows.filter(company_id=company_id) if company_id else rows.filter(company__isnull=True)


# The locker files a one-call application names (an ``IN`` list of public ids), compiled
# once per connection and number of files: every such application reads them.
_person_files = Prepared(
    StoredFile, lambda owner, *ids: _locker(owner, None).filter(public_id__in=ids)
)
_company_files = Prepared(
    StoredFile, lambda owner, company, *ids: _locker(owner, company).filter(public_id__in=ids)
)


def locker_files(identity, public_ids) -> dict:
    """``locker_of(identity).filter(public_id__in=public_ids)`` by public id, without
    compiling it again."""
    ids = list(dict.fromkeys(public_ids))
    if not ids:
        return {}
    if identity.company:
        rows = _company_files(identity.user.pk, identity.company.pk, *ids)
    else:
        rows = _person_files(identity.user.pk, *ids)
    return {row.public_id: row for row in rows}


def fits(file: StoredFile, need: MaterialNeed) -> bool:
    """Whether a locker file was stored for this kind of material (its key, or — stored
    from the locker page without one — its title naming the material)."""
    return fits_material(file, need.key, need.name)


def fits_material(file: StoredFile, key: str, name: str) -> bool:
    return file.kind == key if file.kind else file.title == name


def locker_for(identity, need: MaterialNeed, limit: int = 100) -> list[StoredFile]:
    """The locker files stored for this kind of material, newest first, one per content
    (the same file uploaded twice is offered once)."""
    rows = locker_of(identity).filter(Q(kind=need.key) | Q(kind="", title=need.name))
    seen, offered = set(), []
    for file in rows.order_by("-created_at", "-pk")[: limit * 2]:
        if file.sha256 not in seen:
            seen.add(file.sha256)
            offered.append(file)
    return offered[:limit]


# One statement, atomic by itself: a transaction around it only adds BEGIN and COMMIT.
def attach(
    application: Application,
    key: str,
    *,
    file: StoredFile | None = None,
    licence=None,
    source: str = MaterialSource.LOCKER,
) -> ApplicationMaterial:
    """Supply one material: a locker file (just uploaded or chosen) or a held e-licence."""
    _check_draft(application)
    values = _material_values(application, material_needs(application), key, file, licence, source)
    material = ApplicationMaterial(application=application, key=key, **values)
    # A replacement is one UPDATE, a new material one INSERT after it (update_or_create
    # took a read, a transaction and two savepoints around its write).
    material.added_at = timezone.now()
    supplied = ApplicationMaterial.objects.filter(application=application, key=key)
    if supplied.update(**values, added_at=material.added_at):
        return material
    try:
        material.save(force_insert=True)
    except IntegrityError:  # the same material attached by a concurrent request
        raise refuse(
            "material", "material_conflict", f"“{values['name']}”正在由另一请求提供，请刷新后重试。"
        ) from None
    return material


def _material_values(application, needs, key, file, licence, source) -> dict:
    """What supplying ``key`` stores, after checking the need exists and the file is theirs."""
    need = next((n for n in needs if n.key == key), None)
    if need is None:
        raise refuse("material", "unknown", "该事项不需要这份材料。")
    if file is not None:
        if file.owner_id != application.user_id or file.company_id != application.company_id:
            raise refuse("file", "not_yours", "只能选择本人（或本单位）材料库中的文件。")
        if not fits(file, need):
            raise refuse(
                "file",
                "wrong_kind",
                f"所选文件是“{file.title}”，不能用作“{need.name}”，请上传或选择“{need.name}”。",
            )
        return {"name": need.name, "source": source, "file": file, "reference": ""}
    if licence is not None:
        return {
            "name": need.name,
            "source": MaterialSource.LICENCE,
            "file": None,
            "reference": licence.identifier,
        }
    raise refuse("file", "required", f"请上传或选择“{need.name}”。")


@transaction.atomic
def detach(application: Application, key: str) -> None:
    _check_draft(application)
    application.materials.filter(key=key).delete()


@transaction.atomic
def discard(application: Application) -> None:
    _check_draft(application)
    application.state = Application.State.DISCARDED
    application.save(update_fields=["state", "updated_at"])


# --- submission -------------------------------------------------------------------------


@dataclass
class Supply:
    """What an application has supplied and what its applicant holds, read once per call.

    ``materials`` maps need keys to the supplied rows (saved or, for ``apply``, not yet);
    ``held`` are the applicant's valid e-licences.
    """

    materials: dict[str, ApplicationMaterial]
    held: list[facts.HeldLicence]

    @classmethod
    def of(cls, application: Application) -> Supply:
        return cls({m.key: m for m in application.materials.all()}, held_for(application))


def held_for(application: Application) -> list[facts.HeldLicence]:
    """The applicant's valid e-licences, read only when a material of the application
    names an e-licence type: a held licence supplies only such a material (its key is the
    licence type's), so for the others the read could change nothing."""
    if not any(need.licence_type_code for need in material_needs(application)):
        return []
    return facts.held_licences(application.person, application.company)


def check_complete(application: Application, supply: Supply | None = None) -> tuple[dict, list]:
    """Every problem that stops submission, each naming its field (for "check your answers")."""
    supply = supply or Supply.of(application)
    answers, problems = forms.clean_answers(form_of(application), application.answers)
    supplied = set(supply.materials) | {facts.licence_key(h.type_code) for h in supply.held}
    for need in material_needs(application):
        if need.required and not need.fetched_by_hall and need.key not in supplied:
            message = need.shared_reason or f"请提供“{need.name}”。"
            problems.append(Problem(f"materials.{need.key}", "required", message))
    offered = delivery_offered(application)
    if offered and application.delivery not in offered:
        problems.append(Problem("delivery", "required", "请选择“结果送达方式”。"))
    elif application.delivery == "post" and not application.delivery_address:
        problems.append(
            Problem("delivery_address", "required", "选择邮寄送达时，“邮寄地址”为必填项。")
        )
    if not application.contact_phone:
        problems.append(Problem("contact_phone", "required", "“联系电话”为必填项。"))
    elif not forms.PHONE_RE.match(application.contact_phone):
        problems.append(Problem("contact_phone", "invalid", "“联系电话”须为11位手机号码。"))
    return answers, problems


def licence_supplies(
    application: Application, supply: Supply | None = None
) -> dict[str, facts.HeldLicence]:
    """Materials an e-licence of the applicant will stand for (用证), by need key.

    A file (or a paper original checked at a counter) supplied for the need wins;
    otherwise the licence attached to it, or else the first valid licence of that type the
    applicant holds.
    """
    supply = supply or Supply.of(application)
    if not supply.held:
        return {}
    by_type: dict[str, facts.HeldLicence] = {}
    for licence in supply.held:
        by_type.setdefault(facts.licence_key(licence.type_code), licence)
    by_identifier = {licence.identifier: licence for licence in supply.held}
    supplies = {}
    for need in material_needs(application):
        material = supply.materials.get(need.key)
        if material is not None and (material.file_id or material.source != MaterialSource.LICENCE):
            continue
        if material is not None and material.reference in by_identifier:
            supplies[need.key] = by_identifier[material.reference]
        elif need.key in by_type:
            supplies[need.key] = by_type[need.key]
    return supplies


def _use_licences(
    application: Application, supply: Supply, consent: bool
) -> tuple[facts.LicenceStandIn, ...]:
    """Record the licences standing for materials; online, only with the applicant's consent.

    Updates ``supply.materials`` in memory; the caller saves them.
    """
    supplies = licence_supplies(application, supply)
    if not supplies:
        return ()
    if not consent and application.channel == Channel.COUNTER:
        raise refuse(
            "licence_consent",
            "required",
            "请确认办事人当面同意调用其电子证照，或改为上传扫描件、核验纸质原件。",
        )
    if not consent:
        raise refuse(
            "licence_consent",
            "required",
            "请勾选“同意调用上述电子证照”，或在材料页改为上传材料。",
        )
    names = {need.key: need.name for need in material_needs(application)}
    for key, licence in supplies.items():
        material = supply.materials.get(key) or ApplicationMaterial(
            application=application, key=key
        )
        material.name, material.source = names[key], MaterialSource.LICENCE
        material.file, material.reference = None, licence.identifier
        supply.materials[key] = material
    return tuple(
        facts.LicenceStandIn(licence.type_code, licence.identifier, names[key])
        for key, licence in supplies.items()
    )


class Submitted(list):
    """The cases of a submission; ``replayed`` when an earlier request had made them (the
    API answers 200 instead of 201)."""

    replayed = False

    @classmethod
    def of(cls, cases, *, replayed: bool) -> Submitted:
        out = cls(cases)
        out.replayed = replayed
        return out


def fingerprint(*parts) -> str:
    """A stable hash of what a request asks for (JSON, sorted keys), kept with its key."""
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def submit(
    application: Application,
    identity,
    *,
    idempotency_key: str = "",
    licence_consent: bool = False,
    endpoint: str = "submit",
) -> Submitted:
    """Submit once; every later call with this application or key returns the same cases.

    The key is the user's own for ``endpoint``; the same key for another application (or
    another licence consent) is refused (``idempotency_conflict``), not replayed."""
    idempotency_key = (idempotency_key or "")[:64]
    wanted = fingerprint(str(application.public_id), bool(licence_consent))
    key = (idempotency_key, endpoint, wanted)
    try:
        with transaction.atomic(), audit.deferred():
            # Read again under the lock with what submitting reads (item, version,
            # department, applicant, account): one statement instead of six.
            application = (
                Application.objects.select_for_update(of=("self",))
                .select_related("item__current", "item__department", "person", "company", "user")
                .get(pk=application.pk)
            )
            if application.state == Application.State.SUBMITTED:
                return Submitted.of(application.cases.order_by("pk"), replayed=True)
            _check_draft(application)
            if application.channel != Channel.COUNTER:
                for item in members(application):
                    check_applicant(identity, published_version(item))
            cases = _submit(application, identity, Supply.of(application), key, licence_consent)
            return Submitted.of(cases, replayed=False)
    except (IntegrityError, Refusal) as exc:
        return _replay_or_raise(key, identity, exc)


def apply(
    identity,
    *,
    item: Item | None = None,
    bundle: Bundle | None = None,
    channel: str = Channel.ONLINE,
    answers: dict,
    contact: dict | None = None,
    materials: dict[str, StoredFile] | None = None,
    idempotency_key: str = "",
    licence_consent: bool = False,
    endpoint: str = "apply",
) -> tuple[Application, Submitted]:
    """Start, fill in, supply locker files and submit in one transaction (一次提交).

    For clients that hold the whole application at once (the mobile app, third-party
    channels): the same checks as the draft path, and nothing is kept when one fails —
    no draft is left behind. Idempotent on ``idempotency_key`` like ``submit``: the same
    key with a different application is refused (``idempotency_conflict``).
    """
    idempotency_key = (idempotency_key or "")[:64]
    wanted = fingerprint(
        item.implementation_code if item else "",
        bundle.code if bundle else "",
        channel,
        answers,
        contact or {},
        {k: str(v.public_id) for k, v in (materials or {}).items()},
        bool(licence_consent),
    )
    key = (idempotency_key, endpoint, wanted)
    try:
        with transaction.atomic(), audit.deferred():
            application = _new_draft(identity, item, bundle, channel)
            _fill_in(application, answers, contact)
            needs = material_needs(application)
            supplied = {
                key_: ApplicationMaterial(
                    application=application,
                    key=key_,
                    **_material_values(application, needs, key_, file, None, MaterialSource.LOCKER),
                )
                for key_, file in (materials or {}).items()
            }
            supply = Supply(supplied, held_for(application))
            cases = _submit(application, identity, supply, key, licence_consent)
            return application, Submitted.of(cases, replayed=False)
    except (IntegrityError, Refusal) as exc:
        seen = _replay_or_raise(key, identity, exc)
        return (seen[0].application if seen else None), seen


# (key, endpoint, fingerprint of the request)
IdempotencyKey = tuple[str, str, str]


def _seen(key: IdempotencyKey, identity) -> Submitted | None:
    """The cases an earlier submission with this key made, or None; a conflict when that
    submission asked for something else."""
    value, endpoint, wanted = key
    seen = (
        SubmissionKey.objects.select_related("application")
        .filter(key=value, user=identity.user, endpoint=endpoint)
        .first()
    )
    if seen is None:
        return None
    if seen.fingerprint and seen.fingerprint != wanted:
        when = timezone.localtime(seen.created_at)
        raise refuse(
            "Idempotency-Key",
            "idempotency_conflict",
            f"Idempotency-Key“{value}”已于{when:%Y-%m-%d %H:%M:%S}用于另一份内容不同的提交"
            f"（申请{seen.application.public_id}），不能重放；新的提交请使用新的Idempotency-Key。",
        )
    cases = Case.objects.filter(application_id=seen.application_id).order_by("pk")
    return Submitted.of(cases, replayed=True)


def _replay_or_raise(key: IdempotencyKey, identity, error: Exception) -> Submitted:
    """An earlier or concurrent request with the same idempotency key made the cases:
    return its answer; else raise ``error``.

    Submissions do not read the key first (one statement fewer each): a replay is found
    when its insert hits the key's unique constraint, or when a check refuses what was
    accepted earlier (the item unpublished since, say) — the replay still answers as the
    first request did."""
    seen = _seen(key, identity) if key[0] else None
    if seen is None:
        raise error
    return seen


def _submit(
    application: Application,
    identity,
    supply: Supply,
    key: IdempotencyKey,
    licence_consent: bool,
) -> list[Case]:
    """Check, then open the cases; the caller holds the transaction (and the draft's lock).

    ``application`` may be unsaved (``apply``): it is then inserted once, submitted, with
    its materials in one statement.
    """
    items = members(application)
    answers, problems = check_complete(application, supply)
    if problems:
        raise _problems(problems)
    licences = _use_licences(application, supply, licence_consent)
    now = timezone.now()
    application.state = Application.State.SUBMITTED
    application.submitted_at = now
    application.answers = {
        **answers,
        **{k: v for k, v in application.answers.items() if k.startswith("_")},
    }
    fresh = application.pk is None
    application.save()
    if key[0]:
        SubmissionKey.objects.create(
            key=key[0],
            endpoint=key[1],
            fingerprint=key[2],
            user=identity.user,
            application=application,
        )
    _save_materials(application, supply, fresh)
    with calendar.pinned():
        cases = [_open_case(application, item, now) for item in items]
    if application.bundle_id:
        bundle_case = BundleCase.objects.create(
            number=numbers.bundle_number(cases[0].number),
            application=application,
            bundle=application.bundle,
        )
        Case.objects.filter(pk__in=[c.pk for c in cases]).update(bundle_case=bundle_case)
        for case in cases:
            case.bundle_case = bundle_case
    names = sorted(m.name for m in supply.materials.values())
    # At a counter the clerk takes the application; online the applicant submits it.
    handler = (
        transitions.handler_name(application.clerk)
        if application.clerk_id
        else transitions.APPLICANT
    )
    for case in cases:
        transitions.record_submission(
            case,
            {
                "materials": names,
                "bundle": application.bundle.code if application.bundle_id else None,
            },
            handler=handler,
        )
        notifications.notify(case, "submit")
    hooks.submitted.send(
        sender=Application, application=application, cases=cases, licences=licences
    )
    for case in cases:
        if case.item_version.is_rule_decidable and application.channel != Channel.COUNTER:
            from . import auto_approval

            auto_approval.decide_at_submission(case, answers)
    return cases


def _save_materials(application: Application, supply: Supply, fresh: bool) -> None:
    """Write the supplied rows: all at once for a new application, else those changed."""
    rows = list(supply.materials.values())
    for row in rows:
        row.application = application
    if fresh:
        ApplicationMaterial.objects.bulk_create(rows)
        return
    for row in rows:
        if row.pk is None or row.source == MaterialSource.LICENCE:
            row.save()


def _open_case(application: Application, item: Item, now) -> Case:
    version = item.current
    person, company = application.person, application.company
    counter = application.channel == Channel.COUNTER
    case = Case(
        application=application,
        item=item,
        item_version=version,
        item_name=version.name,
        implementation_code=item.implementation_code,
        department=item.department,
        region_id=item.region_id,
        accepting_department=application.clerk_department if counter else None,
        accepting_hall=application.hall,
        case_type=version.case_type,
        channel=application.channel,
        channel_client_id=application.channel_client_id,
        state=CaseState.SUBMITTED,
        applicant_kind=ApplicantKind.COMPANY if company else ApplicantKind.PERSON,
        applicant_name=company.name if company else person.name,
        applicant_key=company.credit_code if company else Person.index_for(person.id_number),
        person=person,
        company=company,
        user=application.user,
        contact_name=application.contact_name,
        contact_phone=application.contact_phone,
        submitted_at=now,
        statutory_limit_days=version.statutory_limit_days,
        promised_limit_days=version.promised_limit_days,
        delivery=application.delivery
        if application.delivery in ("electronic", "post", "pickup")
        else "",
        delivery_address=application.delivery_address,
        visits=1 if counter else 0,
    )
    from . import clocks

    clocks.recompute(case)
    # The day's counter row stays locked until the commit: take it as late as possible.
    case.number = numbers.next_case_number(item.department, timezone.localdate(now))
    case.save()
    handling.open_acceptance(case, department=application.clerk_department if counter else None)
    return case
