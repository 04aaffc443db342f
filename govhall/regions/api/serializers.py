from rest_framework import serializers

from ..models import Department, Hall, Region


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class DepartmentSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="credit_code")
    region = serializers.CharField(source="region_id")
    region_name = serializers.CharField(source="region.name")
    level = serializers.CharField(source="region.level")

    class Meta:
        model = Department
        fields = ["code", "name", "short_name", "region", "region_name", "level", "kind"]


class HallSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id")
    url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Hall
        fields = ["region", "name", "kind", "url", "address", "hotline", "opening_hours"]
