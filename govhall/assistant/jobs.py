"""Periodic work of the assistant (run by ``manage.py run_scheduler``)."""

import datetime

from govhall.operations.registry import job


@job(
    "remind_written_consultations",
    every=datetime.timedelta(hours=1),
    description="提醒当日到期和已超期仍未答复的书面咨询",
)
def remind_written_consultations():
    from .services import consultation

    return consultation.remind_written()
