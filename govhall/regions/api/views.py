"""Public reference data (public contract, docs/api.md): regions, departments, halls."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.exceptions import ValidationError

from govhall.core.api.pagination import StandardPagination

from ..models import Department, Hall, Level, Region
from .serializers import DepartmentSerializer, HallSerializer, RegionSerializer


class ReferencePagination(StandardPagination):
    page_size = 200


def _region_param(request, name: str, required: bool = False) -> Region | None:
    code = request.query_params.get(name, "").strip()
    if not code:
        if required:
            raise ValidationError({name: f"必须提供{name}（行政区划代码）。"})
        return None
    if not code.isdigit() or len(code) not in (6, 9, 12):
        raise ValidationError({name: f"{name}须为6、9或12位数字的行政区划代码。"})
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({name: f"行政区划代码“{code}”不存在。"})
    return region


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("parent", str, description="上级区划代码；省略时返回省级区划"),
            OpenApiParameter("level", str, enum=Level.values),
        ],
        tags=["reference"],
    )
)
class RegionList(generics.ListAPIView):
    """Child regions of ``parent`` (the province itself when ``parent`` is omitted)."""

    serializer_class = RegionSerializer
    pagination_class = ReferencePagination
    filter_backends = []

    def get_queryset(self):
        parent = _region_param(self.request, "parent")
        queryset = Region.objects.order_by("code")
        queryset = queryset.filter(parent=parent) if parent else queryset.filter(parent=None)
        level = self.request.query_params.get("level")
        if level:
            if level not in Level.values:
                raise ValidationError({"level": "level须为" + "、".join(Level.values) + "之一。"})
            queryset = queryset.filter(level=level)
        return queryset


@extend_schema(tags=["reference"])
class RegionDetail(generics.RetrieveAPIView):
    serializer_class = RegionSerializer
    queryset = Region.objects.all()
    lookup_field = "code"


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("region", str, description="行政区划代码"),
            OpenApiParameter("q", str, description="名称关键字"),
        ],
        tags=["reference"],
    )
)
class DepartmentList(generics.ListAPIView):
    """Departments of a region (all departments when ``region`` is omitted)."""

    serializer_class = DepartmentSerializer
    pagination_class = ReferencePagination
    filter_backends = []

    def get_queryset(self):
        region = _region_param(self.request, "region")
        queryset = Department.objects.filter(is_active=True).select_related("region")
        if region is not None:
            queryset = queryset.filter(region=region)
        q = self.request.query_params.get("q", "").strip()
        if q:
            queryset = queryset.filter(name__contains=q)
        return queryset.order_by("region__code", "sort_order", "name")


@extend_schema(tags=["reference"])
class DepartmentDetail(generics.RetrieveAPIView):
    serializer_class = DepartmentSerializer

    def get_object(self):
        return get_object_or_404(
            Department.objects.select_related("region"), credit_code=self.kwargs["code"]
        )


@extend_schema_view(
    get=extend_schema(
        parameters=[OpenApiParameter("parent", str, description="上级区划代码")],
        tags=["reference"],
    )
)
class HallList(generics.ListAPIView):
    """Halls of the regions directly below ``parent`` (the main hall when omitted)."""

    serializer_class = HallSerializer
    pagination_class = ReferencePagination
    filter_backends = []

    def get_queryset(self):
        parent = _region_param(self.request, "parent")
        queryset = Hall.objects.filter(is_active=True).select_related("region")
        if parent is None:
            return queryset.filter(region__parent=None)
        return queryset.filter(region__parent=parent).order_by("region__code")
