"""Signals of the exchange app (other apps listen; this app imports none of them).

``records_ingested(sender=ExchangeClient, client, count)`` — sent after the transaction
that stored ``count`` (> 0) pushed process records of ``client`` committed. Monitoring
refreshes its figures on it.
"""

from django.dispatch import Signal

records_ingested = Signal()
