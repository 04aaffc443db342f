"""Drop the cached synonym table when an editor changes it."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import SynonymGroup


@receiver(post_save, sender=SynonymGroup, dispatch_uid="search-synonyms-saved")
@receiver(post_delete, sender=SynonymGroup, dispatch_uid="search-synonyms-deleted")
def synonyms_changed(**kwargs):
    from .synonyms import invalidate

    invalidate()
