"""Hooks into the case engine: held licences, consent at submission, 同步签发."""

from govhall.cases.models import Application, Case, Channel
from govhall.cases.services import facts, hooks

from .models import LicenceUse
from .services import issuing, uses


def _on_submitted(
    sender, application, cases, licences: tuple[facts.LicenceStandIn, ...] = (), **kwargs
):
    """E-licences stood for materials (with the applicant's consent, online): log one use
    per case that needs the licence."""
    if not licences:
        return
    for case in cases:
        needed = set(
            case.item_version.materials.exclude(licence_type_code="").values_list(
                "licence_type_code", flat=True
            )
        )
        for used in licences:
            if used.type_code not in needed:
                continue
            licence = uses.case_licences(case).filter(versions__identifier=used.identifier).first()
            if licence is not None:
                at_counter = application.channel == Channel.COUNTER
                purpose = (
                    f"窗口申请“{case.item_name}”时办事人当面同意使用（{used.material_name}）"
                    if at_counter
                    else f"申请“{case.item_name}”时授权使用（{used.material_name}）"
                )
                uses.record_use(
                    licence,
                    LicenceUse.Kind.CONSENT,
                    user=application.user,
                    department=case.department,
                    case=case,
                    purpose=purpose[:200],
                    identifier=used.identifier,
                )


def _on_concluding(sender, case, user, details, **kwargs):
    licence = issuing.issue_for_case(case, user)
    if licence is not None:
        details["licence_identifier"] = licence.current.identifier
        details["licence_type_code"] = licence.type.code


facts.register_licence_provider(uses.held)
hooks.submitted.connect(_on_submitted, sender=Application, dispatch_uid="licences-consent")
hooks.concluding.connect(_on_concluding, sender=Case, dispatch_uid="licences-issue")
