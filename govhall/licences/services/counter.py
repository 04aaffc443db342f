"""亮证: a clerk scans the QR code a holder shows at a counter.

The answer is the public verification's; a licence that exists is also logged as a
``counter`` use under the clerk's department, so the holder sees where it was shown.
"""

from __future__ import annotations

from django.db import transaction

from govhall.core.errors import refuse
from govhall.regions.services.scope import scope_of

from ..models import LicenceUse, LicenceVersion
from . import uses, verification


@transaction.atomic
def check_shown(user, text: str, department_id: int | None = None) -> dict:
    scope = scope_of(user)
    if not scope.is_staff_member:
        raise refuse("user", "not_staff", "只有在岗的工作人员可以核验亮证。")
    if not (text or "").strip():
        raise refuse("text", "required", "请扫描二维码或输入证照标识。")
    answer = verification.verify(text)
    if answer["status"] == verification.Status.UNKNOWN:
        return answer
    version = (
        LicenceVersion.objects.select_related("licence__current")
        .filter(identifier=answer["identifier"])
        .first()
    )
    if department_id is None or department_id not in scope.department_ids:
        department_id = min(scope.department_ids) if scope.department_ids else None
    uses.record_use(
        version.licence,
        LicenceUse.Kind.COUNTER,
        user=user,
        department=None if department_id is None else _department(department_id),
        purpose="窗口亮证核验",
        identifier=version.identifier,
    )
    return answer


def _department(pk: int):
    from govhall.regions.models import Department

    return Department.objects.get(pk=pk)
