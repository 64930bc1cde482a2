"""``GET /api/v1/instructors/recommend/`` (SPEC section 9): parameters, response shape and schema.

The action itself sits on ``pool.api.InstructorViewSet`` and calls ``recommend_response``.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from orgs.models import Organization
from orgs.selectors import jurisdiction_of

from ..models import Category, Level
from .ranking import MAX_K, RankedInstructor, Recommendations, instructor_recommend
from .text import MAX_QUERY_CHARS


class RecommendQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=MAX_QUERY_CHARS, help_text=gettext_lazy("The need in the members' own words."))
    k = serializers.IntegerField(
        min_value=1, max_value=MAX_K, default=10, required=False, help_text=gettext_lazy("How many instructors.")
    )
    branch = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=gettext_lazy("Organization id: only instructors of the pools it may book from."),
    )
    date = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text=gettext_lazy("YYYY-MM-DD: instructors who cannot lecture that day rank lower."),
    )

    def validate_date(self, value):
        if value < timezone.localdate():
            raise serializers.ValidationError(_("The date must not be in the past."), code="past_date")
        return value


class InferredCategorySerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices, allow_null=True)
    name = serializers.CharField()
    probability = serializers.FloatField()


class ScorePartsSerializer(serializers.Serializer):
    topic = serializers.FloatField()
    category = serializers.FloatField()
    availability = serializers.FloatField()
    rating = serializers.FloatField()
    load = serializers.FloatField()


class AvailabilitySerializer(serializers.Serializer):
    date = serializers.DateField()
    available = serializers.BooleanField()
    reason = serializers.CharField()


class RatingSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    mean = serializers.FloatField()
    adjusted = serializers.FloatField()
    pool_mean = serializers.FloatField()


class ExplanationSerializer(serializers.Serializer):
    matched_terms = serializers.ListField(child=serializers.CharField())
    matched_fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    expanded_from = serializers.DictField(child=serializers.CharField())
    field_scores = serializers.DictField(child=serializers.FloatField())
    inferred_category = InferredCategorySerializer()
    concepts = serializers.ListField(child=serializers.CharField())
    parts = ScorePartsSerializer()
    availability = AvailabilitySerializer(allow_null=True)
    rating = RatingSerializer(allow_null=True)
    load = serializers.IntegerField()


class RecommendedInstructorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    level = serializers.ChoiceField(choices=Level.choices)
    score = serializers.FloatField()
    explanation = ExplanationSerializer()


class RecommendResponseSerializer(serializers.Serializer):
    results = RecommendedInstructorSerializer(many=True)


def explanation_payload(item: RankedInstructor, result: Recommendations) -> dict:
    """Why this instructor: matched terms, the inferred category and the parts of the score."""
    return {
        "matched_terms": item.topic.matched_terms,
        "matched_fields": item.topic.matched_by_field,
        "expanded_from": item.topic.expanded_from,
        "field_scores": item.topic.field_scores,
        "inferred_category": {
            "category": result.inferred_category,
            "name": result.inferred_category_name,
            "probability": round(result.category_probability, 3),
        },
        "concepts": result.concepts,
        "parts": item.parts,
        "availability": None
        if result.day is None
        else {"date": result.day, "available": bool(item.available), "reason": item.unavailable_reason},
        "rating": None
        if item.rating is None
        else {
            "count": item.rating.count,
            "mean": round(item.rating.mean, 2),
            "adjusted": round(item.rating.adjusted, 2),
            "pool_mean": round(item.rating.pool_mean, 2),
        },
        "load": item.load,
    }


def recommendations_payload(result: Recommendations) -> dict:
    return {
        "results": [
            {
                "id": item.id,
                "code": item.code,
                "name": item.name,
                "category": item.category,
                "level": item.level,
                "score": item.score,
                "explanation": explanation_payload(item, result),
            }
            for item in result.results
        ]
    }


def branch_for(user, branch_id: int) -> Organization:
    """The organization, if it lies in the user's jurisdiction (404 otherwise, existing or not)."""
    org = Organization.objects.filter(pk=branch_id).first()
    if org is None or not jurisdiction_of(user).covers(org):
        raise NotFound(_("No such organization in your jurisdiction."))
    return org


def recommend_response(request) -> Response:
    params = RecommendQuerySerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    data = params.validated_data
    branch = branch_for(request.user, data["branch"]) if data.get("branch") else None
    result = instructor_recommend(
        actor=request.user, need=data["q"], k=data.get("k", 10), branch=branch, day=data.get("date")
    )
    # The payload is built in the schema's shape from plain values, so it goes out as it is: passing it
    # through RecommendResponseSerializer (which documents it) cost a third of the request's time.
    return Response(recommendations_payload(result))


RECOMMEND_SCHEMA = {
    "parameters": [RecommendQuerySerializer],
    "responses": {
        200: RecommendResponseSerializer,
        400: OpenApiResponse(description="Missing q, k out of range, a date that is not a date or in the past."),
        401: OpenApiResponse(description="No credentials."),
        404: OpenApiResponse(description="The branch is not in the caller's jurisdiction."),
    },
}
