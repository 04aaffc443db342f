"""Signals of the catalogue, for subsystems that keep something derived from guides.

``version_published(sender=ItemVersion, version=, item=)`` is sent inside the publishing
transaction, after ``item.current`` and ``item.status`` are updated, so a receiver's
writes commit or roll back with the publication (the knowledge base's clauses).
"""

from django.dispatch import Signal

version_published = Signal()
