"""Public utilities (docs/api.md): identifier validation and the working-day calendar."""

from django.db import connections
from django.http import JsonResponse
from django.views.decorators.http import require_safe
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import identifiers
from ..models import CalendarYear
from ..services import calendar
from . import serializers as s
from .errors import error, error_response


class IdentifierValidateView(APIView):
    """Validate and normalise a citizen ID number or a unified social credit code."""

    @extend_schema(
        request=s.IdentifierValidateRequest,
        responses=s.IdentifierValidateResponse,
        tags=["utilities"],
    )
    def post(self, request):
        query = s.IdentifierValidateRequest(data=request.data)
        query.is_valid(raise_exception=True)
        result = identifiers.validate(query.validated_data["kind"], query.validated_data["value"])
        body = {
            "valid": result.valid,
            "normalized": result.normalized,
            "errors": [e.as_dict() for e in result.errors],
        }
        if result.kind == identifiers.ID_NUMBER and result.valid:
            body["masked"] = identifiers.mask_id_number(result.normalized)
        return Response(body)


def _query(serializer_class, request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


def _calendar_answer(body: dict, counted: calendar.DueDate) -> Response:
    """``body`` and whether the calendar covered the count; when a year's holidays were
    missing (weekdays assumed), the warning and those years."""
    body["calendar_complete"] = counted.complete
    if not counted.complete:
        body["warning"] = counted.warning
        body["missing_years"] = list(counted.missing_years)
    return Response(body)


class DueDateView(APIView):
    """The Nth working day after ``start`` (not counted), with holidays and make-up days."""

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, required=True, description="起算日期 YYYY-MM-DD"),
            OpenApiParameter("working_days", int, required=True, description="工作日数"),
        ],
        responses=s.DueDateResponse,
        tags=["utilities"],
    )
    def get(self, request):
        query = _query(s.DueDateQuery, request)
        due = calendar.add_working_days(query["start"], query["working_days"])
        return _calendar_answer({"due_date": due.due_date.isoformat()}, due)


class ElapsedView(APIView):
    """Working days elapsed after ``start`` up to and including ``end``."""

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, required=True),
            OpenApiParameter("end", str, required=True),
        ],
        responses=s.ElapsedResponse,
        tags=["utilities"],
    )
    def get(self, request):
        query = _query(s.ElapsedQuery, request)
        elapsed = calendar.working_days_between(query["start"], query["end"])
        counted = calendar.DueDate(query["end"], elapsed.complete, elapsed.missing_years)
        return _calendar_answer({"working_days": elapsed.working_days}, counted)


class CalendarYearView(APIView):
    """One year's statutory holidays and make-up working days; 404 for an unknown year."""

    @extend_schema(responses=s.CalendarYearSerializer, tags=["utilities"])
    def get(self, request, year: int):
        calendar_year = CalendarYear.objects.filter(year=year).first()
        if calendar_year is None:
            return error_response(
                [error("year", "unknown_year", f"尚未载入{year}年的节假日安排。")], 404
            )
        days = calendar.exceptions_in(year)
        return Response(
            {
                "year": year,
                "source": calendar_year.source,
                "notice": calendar_year.notice,
                "days": [{"date": d.date, "kind": d.kind, "name": d.name} for d in days],
            }
        )


@require_safe
def healthz(request):
    """Liveness and database reachability for load balancers and monitoring."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure of the database is a failed health check
        return JsonResponse(
            {"status": "error", "database": f"error: {exc.__class__.__name__}"}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})
