"""What the API says about the signed-in identity (ID numbers only masked)."""

from rest_framework import serializers


class ActingCompanySerializer(serializers.Serializer):
    credit_code = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField(help_text="legal_representative 或 agent")
    powers = serializers.ListField(child=serializers.CharField())


class StaffPostSerializer(serializers.Serializer):
    department = serializers.CharField(help_text="部门统一社会信用代码")
    department_name = serializers.CharField()
    region = serializers.CharField()
    region_level = serializers.CharField()
    post = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    id_number_masked = serializers.CharField(allow_blank=True)
    realname_level = serializers.IntegerField(
        help_text="0 工作人员，1 自助注册，2 在线核验，3 窗口核验"
    )
    realname_level_label = serializers.CharField(allow_blank=True)
    mobile_masked = serializers.CharField(allow_blank=True)
    acting_company = ActingCompanySerializer(allow_null=True)
    staff_posts = StaffPostSerializer(many=True)
