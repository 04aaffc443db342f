"""``GET /api/v1/me``: who is signed in — by session (the halls' pages, the mobile web)
or by an OAuth 2 bearer token from the hall's OIDC provider (apps, department systems)."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.core.api.auth import AUTHENTICATION

from ..models import Person, RealNameLevel, mask_mobile
from ..oidc.claims import acting_company_claim, staff_posts_claim
from .serializers import MeSerializer


class MeView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer, summary="当前登录身份")
    def get(self, request):
        user = request.user
        person = Person.objects.filter(user=user).first()
        if request.auth is not None and hasattr(request.auth, "govhall_context"):
            company_id = request.auth.govhall_context.company_id
        else:
            identity = getattr(request._request, "identity", None)
            company = getattr(identity, "company", None)
            company_id = company.pk if company is not None else None
        data = {
            "username": user.get_username(),
            "name": person.name if person else (user.display_name or user.get_username()),
            "id_number_masked": person.masked_id_number if person else "",
            "realname_level": person.realname_level if person else 0,
            "realname_level_label": str(RealNameLevel(person.realname_level).label)
            if person
            else "",
            "mobile_masked": mask_mobile(user.mobile or ""),
            "acting_company": acting_company_claim(person, company_id),
            "staff_posts": staff_posts_claim(user),
        }
        return Response(MeSerializer(data).data)
