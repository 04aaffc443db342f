"""Request id and acting-user context for logs and the audit log."""

import re
import uuid

from . import context

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Take a well-formed ``X-Request-ID`` from the caller or make one; echo it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = context.set_context(
            context.ActorContext(request_id=request_id, remote_addr=request.META.get("REMOTE_ADDR"))
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset_context(token)
        response["X-Request-ID"] = request_id
        return response


class AuditActorMiddleware:
    """After authentication, record the signed-in user as the actor of this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            with context.acting(user_id=user.pk, label=user.get_username()):
                return self.get_response(request)
        return self.get_response(request)
