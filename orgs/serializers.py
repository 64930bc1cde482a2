from rest_framework import serializers

from .models import Organization, RoleAssignment, User
from .serializer_fields import ChoiceLabelField


class OrganizationSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField("kind")

    class Meta:
        model = Organization
        fields = ["id", "name", "full_name", "kind", "kind_display", "code", "depth", "parent", "numchild"]


class RoleAssignmentSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.full_name", read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["role", "organization", "organization_name"]


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "roles"]

    def get_roles(self, obj) -> list[dict]:
        qs = obj.roles.filter(is_active=True).select_related("organization")
        return RoleAssignmentSerializer(qs, many=True).data


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class HealthSerializer(serializers.Serializer):
    status = serializers.CharField()
    database = serializers.CharField()
