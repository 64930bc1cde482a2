import logging

from django.contrib.auth import authenticate
from django.db import DatabaseError, connection
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from .models import Organization
from .selectors import OrganizationFilter, org_list
from .serializers import (
    HealthSerializer,
    MeSerializer,
    OrganizationSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)

logger = logging.getLogger(__name__)


class TokenView(APIView):
    """Exchange a user name and password for an API token (``Authorization: Token <token>``)."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer})
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,  # the Django request: django-axes marks lockouts on it
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise ValidationError({"non_field_errors": [_("Wrong user name or password.")]}, code="authorization")
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class HealthView(APIView):
    """Liveness of this web process and its database: ``{"status": "ok", "database": "ok"}``.

    For load balancers and monitoring, so open to anyone and never throttled. It runs exactly one
    query (``SELECT 1``) and reads no session, user or token; 503 when the database does not answer.
    """

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []

    @extend_schema(responses={200: HealthSerializer, 503: HealthSerializer})
    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            logger.exception("health check: the database did not answer")
            return Response({"status": "error", "database": "unavailable"}, status=503)
        return Response({"status": "ok", "database": "ok"})


class MeView(generics.RetrieveAPIView):
    """The caller and the roles it holds."""

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organizations in the caller's jurisdiction: an admin's subtree, a secretary's branch."""

    serializer_class = OrganizationSerializer
    queryset = Organization.objects.none()  # for the schema; requests use get_queryset
    filterset_class = OrganizationFilter

    def get_queryset(self):
        return org_list(actor=self.request.user)
