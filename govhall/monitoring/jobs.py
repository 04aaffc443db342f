"""Periodic work of data monitoring (run by ``manage.py run_scheduler``)."""

import datetime

from govhall.operations.registry import job


@job(
    "refresh_indicators",
    every=datetime.timedelta(minutes=5),
    description="把新的办件过程信息（本厅和分厅报送的）增量汇总进监测指标",
)
def refresh_indicators():
    from .services import refresh

    return {"folded": refresh.refresh()}
