"""Keep the roll-ups near real time: fold pushed records soon after they arrive."""

from django.db import transaction
from django.dispatch import receiver

from govhall.exchange.signals import records_ingested


@receiver(records_ingested)
def _refresh_after_ingest(sender, **kwargs):
    from .tasks import refresh_indicators

    transaction.on_commit(refresh_indicators.enqueue)
