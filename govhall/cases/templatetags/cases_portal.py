"""Template helpers of the applicant pages: the unread-message count, remaining days."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_message_count(context) -> int:
    """Unread site-inbox messages of the signed-in user (shown in the header)."""
    from ..models import Notification

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@register.filter
def working_days_left(days) -> str:
    """“还剩N个工作日” / “今天到期” / “已超期N个工作日”."""
    if days is None:
        return ""
    days = int(days)
    if days > 0:
        return _("还剩%(n)d个工作日") % {"n": days}
    if days == 0:
        return _("今天到期")
    return _("已超期%(n)d个工作日") % {"n": -days}


@register.filter
def show_if_of(form, name: str) -> str:
    """The JSON condition of a conditional question (empty when always asked)."""
    return form.show_if(name)
