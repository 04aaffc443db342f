"""Channel calls: told apart by their bearer token's client, kept to the channel API and
its scopes, and counted per channel and day (requests, errors, refusals over the rate).

It runs before the view (the refusal of an undocumented path or a missing scope) and
after it (the count, with the status the caller got — a 401, 429 or 500 included).
"""

from __future__ import annotations

from govhall.core.api.errors import error, json_error
from govhall.core.errors import NON_FIELD
from govhall.core.signals import personal_data_read

from .models import Channel
from .services import access, usage


class ChannelMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = self._channel(request)
        request.govhall_channel = channel
        if channel is None:
            return self.get_response(request)
        response = self._refusal(request, channel) or self.get_response(request)
        usage.count(channel.pk, response.status_code)
        if response.status_code == 200 and access.scope_needed(request.path) == "licences":
            _report_licence_read(request, channel)
        return response

    @staticmethod
    def _channel(request) -> Channel | None:
        if not request.path.startswith(access.API):
            return None
        row = access.token_row(request)
        if row is None or row["application_id"] is None:
            return None
        channel = (
            Channel.objects.select_related("application")
            .filter(application_id=row["application_id"])
            .first()
        )
        if channel is not None:
            channel.token_scopes = set((row["scope"] or "").split())
            channel.token_user_id = row["user_id"]
        return channel

    @staticmethod
    def _refusal(request, channel: Channel):
        needed = access.scope_needed(request.path)
        if needed is None:
            message = (
                f"“{request.path}”不对第三方渠道开放；渠道可调用的接口见对接指南（channels.md）。"
            )
            return json_error([error(NON_FIELD, "channel_scope", message)], 403)
        if needed and needed not in channel.token_scopes:
            message = (
                f"该令牌没有“{needed}”授权范围：请在登录授权时申请该范围"
                f"（渠道“{channel.name}”登记的范围见对接指南）。"
            )
            return json_error([error("scope", "channel_scope", message)], 403)
        return None


def _report_licence_read(request, channel: Channel) -> None:
    """The holder's licences went to a channel (with their consent, the ``licences``
    scope): their "谁用了我的数据" lists it with the channel's client."""
    personal_data_read.send(
        sender=Channel,
        subject_user_id=channel.token_user_id,
        reader_client=channel.application.client_id,
        purpose=f"第三方渠道“{channel.name}”经本人授权查看电子证照",
        fields=["电子证照"],
        source="licence",
    )
