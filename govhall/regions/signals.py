"""Holding an active hall-administrator post opens the admin, however the post was saved.

Posts are saved from our own admin, from the user admin's inline (accounts), from
services and the shell; one receiver keeps the rule in one place. Access is never taken
away here: the admin screens also require an *active* post (``regions.admin``), so a
deactivated post already shows nothing.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Post, StaffPost
from .services import admin_access


@receiver(post_save, sender=StaffPost, dispatch_uid="regions-hall-admin-access")
def _grant_admin_to_hall_admins(sender, instance, raw=False, **kwargs):
    if raw or instance.post != Post.HALL_ADMIN or not instance.is_active:
        return
    admin_access.grant_hall_admin_access(instance.user)
