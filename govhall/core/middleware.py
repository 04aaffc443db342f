"""Request id and acting-user context for logs and the audit log; the input check."""

import contextlib
import re
import uuid

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpResponseBadRequest, QueryDict, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import MultiValueDict
from rest_framework.parsers import FormParser, MultiPartParser

from . import context, inputs
from .api.errors import API_PREFIX, bad_request_error, json_error
from .errors import NON_FIELD, Problem
from .views import bad_request

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


# Bodies a view may read (DELETE bodies are not read by any view here).
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# What Django raises while reading a query string or a form body it will not accept.
_UNREADABLE = (SuspiciousOperation, BadRequest, MultiPartParserError, UnreadablePostError)
# After a refusal, read at most this much of the rest of the body, so the client (still
# sending) gets the answer instead of a reset connection; beyond it the connection closes.
_DRAIN_LIMIT = 1024 * 1024


class InputGuardMiddleware:
    """The one input check of every page and API call (``core.inputs``): no control
    character in the path, the query string or a form body, and a query string or form
    Django refuses to read (too many fields, too large) answered as bad input, not a 500.

    Runs in ``process_view``, after the session and the user are known (the page needs
    them) and before any view or ``CsrfViewMiddleware`` reads the body. The answer is 400:
    the JSON error shape under ``/api/``, the Chinese 400 page elsewhere. JSON bodies are
    the API's JSON parser's to check (``core.api.parsers``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Cookies are read (the session) before any view: check them first. An escaped
        # "\000" in a quoted cookie value comes out as NUL.
        if any(inputs.bad_name(k) or inputs.bad_name(v) for k, v in request.COOKIES.items()):
            problem = Problem("cookie", inputs.CONTROL_CHARACTER, _COOKIE)
            return _refused(request, problem, page=False)  # no session or user for a page
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            problem = (
                _in_path(request, view_kwargs) or _in_query(request) or _in_form(request, view_func)
            )
        except _UNREADABLE as exc:
            _drain(request)
            refused = bad_request_error(exc)
            return _refused(request, Problem(NON_FIELD, refused["code"], refused["message"]))
        return None if problem is None else _refused(request, problem)


_COOKIE = "请求的Cookie含有不允许的控制字符，请清除本站Cookie后重试。"
_NAME = "请求的参数名含有不允许的控制字符（如NUL），请删除后重试。"


def _control(field: str) -> Problem:
    return Problem(field, inputs.CONTROL_CHARACTER, inputs.text_message(field))


def _in_path(request, view_kwargs) -> Problem | None:
    if not inputs.bad_name(request.path_info):
        return None
    for name, value in view_kwargs.items():
        if isinstance(value, str) and inputs.bad_name(value):
            return _control(name)
    return _control("path")


def _in_pairs(pairs) -> Problem | None:
    for key, values in pairs:
        if inputs.bad_name(key):
            return Problem(NON_FIELD, inputs.CONTROL_CHARACTER, _NAME)
        for value in values:
            if isinstance(value, str) and inputs.bad_text(value):
                return _control(key)
    return None


def _in_query(request) -> Problem | None:
    return _in_pairs(request.GET.lists())


def _in_form(request, view_func) -> Problem | None:
    if request.method not in _BODY_METHODS or request.content_type not in _FORM_TYPES:
        return None
    view_class = getattr(view_func, "cls", None)  # a DRF view: its parsers decide
    if view_class is not None and not _parses_forms(view_class):
        return None
    data, files = _form_of(request)
    return _in_pairs(data.lists()) or _in_pairs((key, []) for key in files)


def _parses_forms(view_class) -> bool:
    return any(issubclass(p, FormParser | MultiPartParser) for p in view_class.parser_classes)


def _form_of(request):
    """The form body as Django parses it; for PUT and PATCH (which Django leaves alone)
    parsed the same way and kept on the request, where DRF's form parsing finds it."""
    if request.method == "POST":
        return request.POST, request.FILES
    if request.content_type == "multipart/form-data":
        request._post, request._files = request.parse_file_upload(request.META, request)
    else:
        request._post, request._files = QueryDict(request.body), MultiValueDict()
    return request._post, request._files


def _drain(request) -> None:
    chunk, left = 64 * 1024, _DRAIN_LIMIT
    with contextlib.suppress(OSError, UnreadablePostError):  # the client went away
        while left > 0 and request._stream.read(chunk):
            left -= chunk


def _refused(request, problem: Problem, page: bool = True):
    if request.path_info.startswith(API_PREFIX):
        return json_error([problem.as_dict()], 400)
    if not page:
        return HttpResponseBadRequest(problem.message, content_type="text/plain; charset=utf-8")
    return bad_request(request, message=problem.message)


class ErrorPageMiddleware:
    """The hall's own Chinese 404/403/400/500 pages in development too.

    With ``DEBUG`` on Django answers an unknown address or an uncaught exception with its
    English technical page, so ``make run`` showed two families of error pages. Here those
    are answered by the same handlers as in production (``handler404`` …), unless the
    developer asks for the technical pages with ``GOVHALL_DEBUG_ERROR_PAGES=1``. With
    ``DEBUG`` off this does nothing: Django already uses the handlers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _active() -> bool:
        from django.conf import settings

        return settings.DEBUG and not getattr(settings, "GOVHALL_DEBUG_ERROR_PAGES", False)

    def __call__(self, request):
        if self._active():
            from django.urls import Resolver404, get_resolver, get_urlconf

            try:
                get_resolver(get_urlconf()).resolve(request.path_info)
            except Resolver404 as exc:
                return self._page(request, 404, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not self._active():
            return None
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        if isinstance(exception, Http404):
            return self._page(request, 404, exception)
        if isinstance(exception, PermissionDenied):
            return None  # Django answers with handler403 in DEBUG too
        if isinstance(exception, _UNREADABLE):
            return self._page(request, 400, exception)
        import logging

        logging.getLogger("django.request").error(
            "Internal Server Error: %s", request.path, exc_info=exception
        )
        return self._page(request, 500, None)

    @staticmethod
    def _page(request, status: int, exception):
        from django.core.handlers.exception import get_exception_response
        from django.urls import get_resolver, get_urlconf

        resolver = get_resolver(get_urlconf())
        if status == 500:  # handler500 takes no exception
            return resolver.resolve_error_handler(500)(request)
        return get_exception_response(request, resolver, status, exception)
