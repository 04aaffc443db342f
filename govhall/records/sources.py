"""Where a process record came from (``ProcessRecord.source``): this hall's own case
engine, an exchange client's code (a branch hall or a vertical system), or the demo data
that ``load_demo`` writes to show the dashboards before any client pushes."""

LOCAL = "local"
DEMO = "demo"


# The staff page of a local case, when the user may open it: the case engine registers
# how to find it (records sits below cases and never imports it); monitoring links to it.
_local_case_pages = []


def register_local_case_page(find) -> None:
    """``find(user, case_number)`` answers the page's URL, or "" outside the user's reach."""
    _local_case_pages.append(find)


def local_case_page(user, case_number: str) -> str:
    for find in _local_case_pages:
        if url := find(user, case_number):
            return url
    return ""
