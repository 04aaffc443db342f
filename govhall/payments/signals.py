"""The case engine's hooks: assess at approval, hold the conclusion while a fee is due."""

from decimal import Decimal

from django.dispatch import receiver

from govhall.cases.models import Case
from govhall.cases.services import hooks


@receiver(hooks.decided, sender=Case, dispatch_uid="payments-assess-on-decided")
def assess_on_decided(sender, case, user, at_once=False, **kwargs):
    from .services import assessment

    assessment.on_decided(case, user, at_once)


@receiver(hooks.concluding, sender=Case, dispatch_uid="payments-hold-conclusion")
def hold_conclusion(sender, case, user, details, **kwargs):
    from .services import assessment

    if not assessment.charges(case):
        return
    refusal = assessment.conclusion_refusal(case)
    if refusal is not None:
        raise refusal
    paid = assessment.fee_yuan_for_record(case)
    if paid is not None:  # the case and its conclusion record say what was paid
        case.fee = Decimal(paid)
        details["fee"] = paid
