"""Watch pushed records soon after they arrive (local ones are read by the periodic job).

The exchange signals ``records_ingested`` after its transaction; the stream rules run in a
background task, so the ingest request pays only for enqueuing it."""

from django.db import transaction
from django.dispatch import receiver

from govhall.exchange.signals import records_ingested


@receiver(records_ingested)
def _watch_after_ingest(sender, **kwargs):
    from .tasks import watch_records

    transaction.on_commit(watch_records.enqueue)
