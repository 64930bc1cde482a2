from rest_framework import serializers

from .models import Delivery


class InboxItemSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="notification.kind")
    title = serializers.CharField(source="notification.title")
    body = serializers.CharField(source="notification.body")
    url = serializers.CharField(source="notification.url")
    created_at = serializers.DateTimeField(source="notification.created_at")
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = ["id", "kind", "title", "body", "url", "created_at", "is_read", "read_at"]

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None


class MarkReadSerializer(serializers.Serializer):
    # Ids are BigAutoField keys: larger numbers are no id (and overflow SQLite's integers).
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, max_length=500
    )
