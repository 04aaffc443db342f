"""Demo data of the exchange for ``make run``: 蓬江区's branch hall registered as a client
and its first pushes — three whole cases, one record sent 13 hours late and a conclusion
without acceptance — so that its quality page shows the feedback a sender gets."""

from __future__ import annotations

import datetime

from django.utils import timezone

from govhall.catalog.models import CaseType, Item
from govhall.exchange.models import ExchangeClient
from govhall.exchange.services import clients, ingest
from govhall.exchange.services.samples import CaseStory, case_number
from govhall.regions.models import Department

DEMO_CLIENT = "pengjiang-hall"
REGION = "440703"


def load_exchange_demo() -> int:
    """Register the demo client and push its batch once; return the records accepted."""
    if ExchangeClient.objects.filter(code=DEMO_CLIENT).exists():
        return 0
    item = (
        Item.objects.published()
        .filter(region_id=REGION, current__case_type=CaseType.PROMISED)
        .select_related("department")
        .order_by("implementation_code")
        .first()
    )
    if item is None:
        return 0
    department: Department = item.department
    client, _secret = clients.register(
        "蓬江区网上办事分厅（演示）",
        DEMO_CLIENT,
        ExchangeClient.Kind.BRANCH_HALL,
        [REGION],
        contact="蓬江区政务服务数据管理局 0750-3500000",
    )
    now = timezone.now()
    day = timezone.localdate().strftime("%Y%m%d")
    records = []
    for serial in (1, 2, 3):
        story = CaseStory(item, department, case_number(department, 900 + serial, day))
        records += story.whole(now - datetime.timedelta(hours=6, minutes=10 * serial))
    late = CaseStory(item, department, case_number(department, 904, day))
    records.append(late.submit(now - datetime.timedelta(hours=13)))
    orphan = CaseStory(item, department, case_number(department, 905, day))
    records.append(orphan.conclude(now - datetime.timedelta(hours=1)))
    results = ingest.ingest(client, records, now=now)
    return sum(result.status == ingest.ACCEPTED for result in results)
