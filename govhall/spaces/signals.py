"""Receivers: every read of personal data another subsystem reports is logged here."""

from django.dispatch import receiver

from govhall.core.signals import personal_data_read

from .services import datareads


@receiver(personal_data_read, dispatch_uid="spaces-record-data-read")
def record_data_read(sender, **kwargs):
    datareads.record(**kwargs)
