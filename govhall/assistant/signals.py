"""Re-index a guide's clauses when the catalogue publishes a version of it."""

from django.dispatch import receiver

from govhall.catalog.signals import version_published


@receiver(version_published, dispatch_uid="assistant-index-clauses")
def index_published_version(sender, version, item, **kwargs):
    from .services.clauses import index_version

    index_version(version)
