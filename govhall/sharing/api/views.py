"""``GET /api/v1/open-data/`` (public contract) and one dataset's entry."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ..services import catalogue


class OpenDataList(APIView):
    """The open-data catalogue: ``{"count", "results"}`` of datasets with their fields and
    download links (CSV, JSON, XLSX), exactly the public contract's keys; one dataset's
    entry (``open-data/<id>/``) adds description, keywords, row count and file digests."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(tags=["open-data"], operation_id="open_data_list", responses={200: dict})
    def get(self, request):
        results = [
            catalogue.contract_entry(r, request.build_absolute_uri) for r in catalogue.published()
        ]
        return Response({"count": len(results), "results": results})


class OpenDataDetail(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(tags=["open-data"], operation_id="open_data_detail", responses={200: dict})
    def get(self, request, key: str):
        for record in catalogue.published():
            if record.key == key:
                return Response(catalogue.entry(record, request.build_absolute_uri))
        raise Http404
