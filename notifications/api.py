from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import services
from .models import Delivery
from .selectors import inbox
from .serializers import InboxItemSerializer, MarkReadSerializer


class InboxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's in-app notifications."""

    serializer_class = InboxItemSerializer
    queryset = Delivery.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return inbox(self.request.user)

    @extend_schema(
        request=MarkReadSerializer,
        responses={200: inline_serializer("MarkReadResult", {"marked": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        """Mark the listed notifications (or, without ``ids``, all of them) as read."""
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = services.inbox_mark_read(user=request.user, delivery_ids=serializer.validated_data.get("ids"))
        return Response({"marked": marked})
