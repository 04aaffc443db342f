"""Signals of the exchange: listeners (monitoring) learn that pushed records arrived."""

from django.dispatch import Signal

# Sent after the transaction that stored pushed records commits; kwargs: client, count.
records_ingested = Signal()
