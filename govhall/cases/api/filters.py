"""Query-string filters shared by the applicant's and the staff's case lists."""

from govhall.core.errors import refuse

from ..models import CaseState


def state_filter(queryset, request):
    """``?state=``: one case state; an unknown value is a 400 naming the parameter."""
    state = request.query_params.get("state", "").strip()
    if not state:
        return queryset
    if state not in CaseState.values:
        raise refuse("state", "choice", f"state须为{'、'.join(CaseState.values)}之一。")
    return queryset.filter(state=state)
