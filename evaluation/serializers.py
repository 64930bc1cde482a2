"""Serializers of the evaluation API: input validation and output shapes only (writes are services)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orgs.serializer_fields import ChoiceLabelField
from pool.models import RatingSummary

from .models import DisciplineIncident, EvaluationRun, Outcome, Proposal, Rating, RatingLink, RatingWindow
from .services import MAX_COMMENT


class LectureRatingCreateSerializer(serializers.Serializer):
    content = serializers.IntegerField(min_value=1, max_value=5, label=_("content"))
    delivery = serializers.IntegerField(min_value=1, max_value=5, label=_("teaching delivery"))
    practical = serializers.IntegerField(min_value=1, max_value=5, label=_("practical value"))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=MAX_COMMENT, default="")
    as_branch = serializers.BooleanField(
        required=False, default=False, help_text=_("The branch's own rating (its secretary).")
    )
    token = serializers.CharField(
        required=False, allow_blank=True, max_length=64, default="", help_text=_("A one-time link's token.")
    )


class LectureRatingSerializer(serializers.ModelSerializer):
    booking = serializers.IntegerField(source="window.booking_id", read_only=True)
    score = serializers.DecimalField(max_digits=3, decimal_places=2, read_only=True)
    rater = serializers.SerializerMethodField()

    class Meta:
        model = Rating
        fields = [
            "id",
            "booking",
            "instructor",
            "year",
            "source",
            "content",
            "delivery",
            "practical",
            "score",
            "comment",
            "created_at",
            "rater",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_rater(self, rating: Rating) -> str | None:
        """Who rated: only for the admins of the instructor's pool (and those above it); else null."""
        if not self.context.get("show_raters"):
            return None
        if rating.member_id:
            return rating.member.name
        if rating.source == Rating.Source.BRANCH:
            return rating.submitted_by.display_name if rating.submitted_by_id else str(Rating.Source.BRANCH.label)
        return f"#{rating.link.serial}" if rating.link_id else None


class OpenLectureSerializer(serializers.ModelSerializer):
    booking = serializers.IntegerField(source="booking_id", read_only=True)
    topic = serializers.CharField(source="booking.topic", read_only=True)
    instructor_name = serializers.CharField(source="instructor.name", read_only=True)
    branch_name = serializers.CharField(source="booking.branch.full_name", read_only=True)
    rate_url = serializers.SerializerMethodField()

    class Meta:
        model = RatingWindow
        fields = [
            "booking",
            "topic",
            "instructor",
            "instructor_name",
            "branch_name",
            "lecture_date",
            "closes_at",
            "rate_url",
        ]

    def get_rate_url(self, window: RatingWindow) -> str:
        return reverse("evaluation:rate", args=[window.booking_id])


class RatingLinkSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = RatingLink
        fields = ["id", "serial", "token", "url", "used_at", "created_at"]

    def get_url(self, link: RatingLink) -> str:
        path = reverse("evaluation:link", args=[link.token])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class RatingLinksCreateSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, label=_("number of one-time links"))


class RatingSummarySerializer(serializers.ModelSerializer):
    instructor_code = serializers.CharField(source="instructor.code", read_only=True)
    instructor_name = serializers.CharField(source="instructor.name", read_only=True)
    pool = serializers.IntegerField(source="instructor.pool_id", read_only=True)

    class Meta:
        model = RatingSummary
        fields = ["instructor", "instructor_code", "instructor_name", "pool", "year", "count", "mean", "shrunk_score"]


class EvaluationRunSerializer(serializers.ModelSerializer):
    pool_name = serializers.CharField(source="pool.name", read_only=True)
    status_label = ChoiceLabelField("status")
    roster = serializers.IntegerField(source="roster_id", read_only=True, allow_null=True)

    class Meta:
        model = EvaluationRun
        fields = [
            "id",
            "pool",
            "pool_name",
            "year",
            "status",
            "status_label",
            "progress",
            "progress_note",
            "pool_mean",
            "rated_count",
            "rating_count",
            "thresholds",
            "error",
            "computed_at",
            "confirmed_at",
            "roster",
        ]
        read_only_fields = fields


class RunCountsSerializer(serializers.Serializer):
    proposed = serializers.DictField(child=serializers.IntegerField())
    final = serializers.DictField(child=serializers.IntegerField())
    undecided = serializers.IntegerField()
    overrides = serializers.IntegerField()


class EvaluationRunDetailSerializer(EvaluationRunSerializer):
    counts = serializers.SerializerMethodField()

    class Meta(EvaluationRunSerializer.Meta):
        fields = [*EvaluationRunSerializer.Meta.fields, "counts"]
        read_only_fields = fields

    @extend_schema_field(RunCountsSerializer)
    def get_counts(self, run: EvaluationRun) -> dict:
        from .selectors import proposal_counts

        return proposal_counts(run)


class RunCreateSerializer(serializers.Serializer):
    pool = serializers.IntegerField(label=_("pool"))
    year = serializers.IntegerField(label=_("year"))


class EvaluationProposalSerializer(serializers.ModelSerializer):
    instructor_code = serializers.CharField(source="instructor.code", read_only=True)
    instructor_name = serializers.CharField(source="instructor.name", read_only=True)
    decided_by = serializers.SerializerMethodField()
    # Read-only fields lose ``allow_blank``: said again, the schema lists "" (not decided yet) as a value.
    decision = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "run",
            "instructor",
            "instructor_code",
            "instructor_name",
            "status_at_run",
            "rating_count",
            "mean",
            "shrunk_score",
            "lecture_count",
            "incident_count",
            "rank",
            "proposed",
            "basis",
            "decision",
            "decision_reason",
            "decided_by",
            "decided_at",
            "applied_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decided_by(self, proposal: Proposal) -> str | None:
        return proposal.decided_by.display_name if proposal.decided_by_id else None


class ProposalDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Outcome.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DisciplineIncidentSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SerializerMethodField()
    instructor_name = serializers.CharField(source="instructor.name", read_only=True)

    class Meta:
        model = DisciplineIncident
        fields = [
            "id",
            "instructor",
            "instructor_name",
            "occurred_on",
            "booking",
            "description",
            "handling",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_recorded_by(self, incident: DisciplineIncident) -> str:
        return incident.recorded_by.display_name


class IncidentCreateSerializer(serializers.Serializer):
    instructor = serializers.IntegerField()
    occurred_on = serializers.DateField()
    description = serializers.CharField(max_length=2000)
    handling = serializers.ChoiceField(choices=DisciplineIncident.Handling.choices)
    booking = serializers.IntegerField(required=False, allow_null=True, default=None)
