"""What an applicant does to a submitted case: correct, withdraw, rate."""

from __future__ import annotations

from django.utils import timezone

from govhall.core.errors import refuse

from ..models import (
    ApplicationMaterial,
    Case,
    MaterialSource,
    Rating,
    StoredFile,
    SuspensionKind,
)
from . import access, actions, applications, handling, transitions

RATING_CHANNELS = {"pc", "mobile", "qr", "tablet", "phone", "sms"}


def _own(identity, case: Case) -> None:
    if not access.applicant_can_act(identity, case):
        raise refuse("case", "not_found", "办件不存在或您无权操作。")


@transitions.atomic_action
def submit_correction(
    case: Case, identity, *, files: dict[str, StoredFile], note: str = ""
) -> Case:
    """补正: supply every material the one-time notice listed; the clock restarts."""
    case = transitions.lock(case)
    _own(identity, case)
    actions.enforce(case, identity, "submit_correction")
    notice = case.corrections.filter(corrected_at__isnull=True).first()
    listed = [row for row in notice.items if row.get("material_code")]
    missing = [row["name"] for row in listed if row["material_code"] not in files]
    if missing:
        raise refuse(
            "materials",
            "required",
            "请按补正告知提供全部材料，尚缺：" + "、".join(missing) + "。",
        )
    for key, stored in files.items():
        if stored.owner_id != case.user_id:
            raise refuse("materials", "not_yours", "只能提交本人材料库中的文件。")
        row = next((r for r in notice.items if r.get("material_code") == key), None)
        if row is not None and not applications.fits_material(stored, key, row["name"]):
            raise refuse(
                "materials",
                "wrong_kind",
                f"所选文件是“{stored.title}”，不能用作“{row['name']}”。",
            )
        ApplicationMaterial.objects.update_or_create(
            application=case.application,
            key=key,
            defaults={
                "name": row["name"] if row else stored.title,
                "source": MaterialSource.UPLOAD,
                "file": stored,
                "reference": "",
            },
        )
    notice.corrected_at = timezone.now()
    notice.applicant_note = (note or "").strip()
    notice.save(update_fields=["corrected_at", "applicant_note"])
    case.suspensions.filter(kind=SuspensionKind.CORRECTION, ended_on__isnull=True).update(
        ended_on=timezone.localdate()
    )
    transitions.apply(
        case,
        "submit_correction",
        handler=transitions.APPLICANT,
        details={"materials": sorted(files), "note": notice.applicant_note},
    )
    return case


@transitions.atomic_action
def withdraw(case: Case, identity, *, reason: str) -> Case:
    """撤回: the applicant ends the case before it is decided."""
    case = transitions.lock(case)
    _own(identity, case)
    actions.enforce(case, identity, "withdraw")
    if not (reason or "").strip():
        raise refuse("reason", "required", "请填写撤回理由。")
    case.withdrawal_reason = reason.strip()[:300]
    case.conclusion_code = "2"
    case.concluded_at = timezone.now()
    handling.cancel_open_steps(case)
    handling._close_suspensions(case)
    transitions.apply(
        case,
        "withdraw",
        handler=transitions.APPLICANT,
        details={"conclusion_code": "2", "reason": case.withdrawal_reason},
    )
    handling._conclude_bundle_if_done(case)
    return case


@transitions.atomic_action
def rate(
    case: Case,
    identity,
    *,
    level: int,
    comment: str = "",
    channel: str = "pc",
    tags: tuple[str, ...] | list[str] = (),
) -> Rating:
    """好差评: one rating per case, after conclusion; bad ones need a comment. ``tags``
    (e.g. 超过法定办理时间, checked by the caller) travel in the record for the follow-up."""
    case = transitions.lock(case)
    _own(identity, case)
    actions.enforce(case, identity, "rate")
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in Rating.Level.values:
        raise refuse("level", "choice", "评价等级须为1（非常满意）至5（非常不满意）。")
    comment = (comment or "").strip()
    if level >= 4 and not comment:
        raise refuse("comment", "required", "差评请写明不满意的原因，以便整改。")
    if channel not in RATING_CHANNELS:
        raise refuse("channel", "choice", "评价渠道无效。")
    # A rating through a registered phone channel (its token) is a 移动端 rating.
    if getattr(identity, "client_channel", "") == "mobile":
        channel = "mobile"
    rating = Rating.objects.create(
        case=case,
        level=level,
        comment=comment[:500],
        channel=channel,
        channel_client=getattr(identity, "client", None),
        user=identity.user,
    )
    transitions.apply(
        case,
        "rate",
        handler=transitions.APPLICANT,
        details={
            "level": level,
            "comment": rating.comment,
            "channel": channel,
            **({"tags": list(tags)} if tags else {}),
        },
    )
    return rating
