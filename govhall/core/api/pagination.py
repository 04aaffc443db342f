from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}`` with ``?page=`` and ``?page_size=``."""

    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_page_message = "页码无效。"
