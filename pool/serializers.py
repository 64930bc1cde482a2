from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orgs.serializer_fields import ChoiceLabelField

from .models import (
    Call,
    Category,
    FeeGrade,
    Gender,
    Instructor,
    InstructorStatusChange,
    Level,
    Pool,
    Recommendation,
    Review,
    RosterEntry,
    RosterVersion,
    SubArea,
    Suggestion,
    Topic,
)
from .permissions import ContactPolicy
from .selectors import combined_score

LEVEL_LABELS = dict(Level.choices)


class SubAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubArea
        fields = ["id", "category", "name"]


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "title", "abstract"]


class TopicWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    abstract = serializers.CharField(required=False, allow_blank=True, default="")


class InstructorSerializer(serializers.ModelSerializer):
    """An instructor as the caller may see it: ``phone`` and ``email`` are full for the owning pool's
    admins and the instructor, masked for other users, and null for anonymous callers."""

    category_name = ChoiceLabelField("category")
    level = serializers.ChoiceField(source="pool.level", choices=Level.choices, read_only=True)
    level_name = serializers.SerializerMethodField()
    pool_name = serializers.CharField(source="pool.name", read_only=True)
    status_name = ChoiceLabelField("status")
    gender_name = ChoiceLabelField("gender")
    fee_grade_name = ChoiceLabelField("fee_grade")
    topics = TopicSerializer(many=True, read_only=True)
    sub_areas = SubAreaSerializer(many=True, read_only=True)
    phone = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    contact_visible = serializers.SerializerMethodField()

    class Meta:
        model = Instructor
        fields = [
            "id",
            "code",
            "name",
            "gender",
            "gender_name",
            "category",
            "category_name",
            "sub_areas",
            "level",
            "level_name",
            "pool",
            "pool_name",
            "employer",
            "title",
            "fee_grade",
            "fee_grade_name",
            "is_party_member",
            "bio",
            "topics",
            "service_area",
            "monthly_limit",
            "term_start",
            "term_end",
            "letter_number",
            "status",
            "status_name",
            "lecture_count",
            "phone",
            "email",
            "contact_visible",
        ]

    def _policy(self) -> ContactPolicy:
        policy = self.context.get("contact_policy")
        if policy is None:
            request = self.context.get("request")
            policy = ContactPolicy.for_user(getattr(request, "user", None))
            self.context["contact_policy"] = policy
        return policy

    def get_level_name(self, obj) -> str:
        return str(LEVEL_LABELS[obj.pool.level])

    @extend_schema_field(serializers.CharField(allow_null=True))  # null when the caller may not see it
    def get_phone(self, obj) -> str | None:
        return self._policy().phone(obj)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_email(self, obj) -> str | None:
        return self._policy().email(obj)

    def get_contact_visible(self, obj) -> bool:
        return self._policy().allows(obj)


class InstructorBriefSerializer(serializers.ModelSerializer):
    category_name = ChoiceLabelField("category")
    status_name = ChoiceLabelField("status")

    class Meta:
        model = Instructor
        fields = ["id", "code", "name", "category", "category_name", "employer", "title", "status", "status_name"]


class InstructorUpdateSerializer(serializers.Serializer):
    """Profile fields; the instructor may change the first group, the pool's admins all."""

    employer = serializers.CharField(required=False, allow_blank=True, max_length=200)
    title = serializers.CharField(required=False, allow_blank=True, max_length=50)
    bio = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    email = serializers.CharField(required=False, allow_blank=True, max_length=200)
    service_area = serializers.CharField(required=False, allow_blank=True, max_length=200)
    monthly_limit = serializers.IntegerField(required=False, min_value=1, max_value=31)
    sub_areas = serializers.ListField(child=serializers.IntegerField(), required=False)
    name = serializers.CharField(required=False, max_length=50)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    fee_grade = serializers.ChoiceField(choices=FeeGrade.choices, required=False)
    is_party_member = serializers.BooleanField(required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    term_start = serializers.DateField(required=False, allow_null=True)
    term_end = serializers.DateField(required=False, allow_null=True)


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Instructor.Status.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class AppointSerializer(serializers.Serializer):
    agreement_date = serializers.DateField()
    term_start = serializers.DateField()
    term_end = serializers.DateField()
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class LinkUserSerializer(serializers.Serializer):
    username = serializers.CharField()


class StatusChangeSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = InstructorStatusChange
        fields = ["id", "from_status", "to_status", "actor", "actor_name", "reason", "override_reason", "created_at"]

    def get_actor_name(self, obj) -> str:
        return obj.actor.display_name if obj.actor else ""


class PoolSerializer(serializers.ModelSerializer):
    level_name = ChoiceLabelField("level")
    organization_name = serializers.CharField(source="organization.full_name", read_only=True)
    seats = serializers.IntegerField(read_only=True, help_text="Appointed and suspended instructors.")
    active = serializers.IntegerField(read_only=True)
    reserves = serializers.IntegerField(read_only=True)

    class Meta:
        model = Pool
        fields = [
            "id",
            "name",
            "level",
            "level_name",
            "organization",
            "organization_name",
            "quota_min",
            "quota_max",
            "seats",
            "active",
            "reserves",
            "doc_prefix",
            "is_active",
        ]


class PoolCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    name = serializers.CharField(required=False, allow_blank=True, default="")
    quota_min = serializers.IntegerField(required=False, min_value=0)
    quota_max = serializers.IntegerField(required=False, min_value=0)


class PoolUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    quota_min = serializers.IntegerField(min_value=0)
    quota_max = serializers.IntegerField(min_value=0)
    doc_prefix = serializers.CharField(max_length=40)
    is_active = serializers.BooleanField(default=True)


class RosterVersionSerializer(serializers.ModelSerializer):
    pool_name = serializers.CharField(source="pool.name", read_only=True)

    class Meta:
        model = RosterVersion
        fields = [
            "id",
            "pool",
            "pool_name",
            "version",
            "number",
            "title",
            "note",
            "published_at",
            "size",
            "added_count",
            "removed_count",
        ]


class RosterEntrySerializer(serializers.ModelSerializer):
    category_name = ChoiceLabelField("category")

    class Meta:
        model = RosterEntry
        fields = ["instructor", "code", "name", "category", "category_name", "employer", "title", "topics", "change"]


class RosterDetailSerializer(RosterVersionSerializer):
    entries = RosterEntrySerializer(many=True, read_only=True)

    class Meta(RosterVersionSerializer.Meta):
        fields = [*RosterVersionSerializer.Meta.fields, "entries"]


class RosterPublishSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CallSerializer(serializers.ModelSerializer):
    pool_name = serializers.CharField(source="pool.name", read_only=True)
    status_name = ChoiceLabelField("status")
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "pool",
            "pool_name",
            "title",
            "requirements",
            "category_counts",
            "deadline",
            "weight_basic",
            "weight_teaching",
            "weight_research",
            "status",
            "status_name",
            "is_open",
            "created_at",
        ]


class CallCreateSerializer(serializers.Serializer):
    pool = serializers.IntegerField()
    title = serializers.CharField(max_length=120)
    requirements = serializers.CharField(required=False, allow_blank=True, default="")
    category_counts = serializers.DictField(child=serializers.IntegerField(min_value=0))
    deadline = serializers.DateField()
    weight_basic = serializers.IntegerField(required=False, min_value=0, max_value=100, default=30)
    weight_teaching = serializers.IntegerField(required=False, min_value=0, max_value=100, default=40)
    weight_research = serializers.IntegerField(required=False, min_value=0, max_value=100, default=30)
    reviewers = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class ReviewersSerializer(serializers.Serializer):
    reviewers = serializers.ListField(child=serializers.CharField(), help_text="User names.")


class ReviewSerializer(serializers.ModelSerializer):
    reviewer_name = serializers.CharField(source="reviewer.display_name", read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "reviewer",
            "reviewer_name",
            "score_basic",
            "score_teaching",
            "score_research",
            "comment",
            "created_at",
        ]


class ReviewWriteSerializer(serializers.Serializer):
    score_basic = serializers.IntegerField(min_value=0, max_value=100)
    score_teaching = serializers.IntegerField(min_value=0, max_value=100)
    score_research = serializers.IntegerField(min_value=0, max_value=100)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RecommendationSerializer(serializers.ModelSerializer):
    candidate = InstructorBriefSerializer(source="instructor", read_only=True)
    recommending_org_name = serializers.CharField(source="recommending_org.full_name", read_only=True)
    recommended_by_name = serializers.CharField(source="recommended_by.display_name", read_only=True)
    review_count = serializers.IntegerField(read_only=True)
    mean_basic = serializers.FloatField(read_only=True, allow_null=True)
    mean_teaching = serializers.FloatField(read_only=True, allow_null=True)
    mean_research = serializers.FloatField(read_only=True, allow_null=True)
    combined_score = serializers.SerializerMethodField()

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "call",
            "candidate",
            "recommending_org",
            "recommending_org_name",
            "recommended_by",
            "recommended_by_name",
            "reason",
            "consent_method",
            "consent_date",
            "review_count",
            "mean_basic",
            "mean_teaching",
            "mean_research",
            "combined_score",
            "decision_score",
            "created_at",
        ]

    # A decimal written as a string, as DRF writes DecimalFields; null before any rating.
    @extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "nullable": True})
    def get_combined_score(self, obj) -> str | None:
        score = combined_score(obj)
        return None if score is None else str(score)


class CandidateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(choices=Gender.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    employer = serializers.CharField(required=False, allow_blank=True, max_length=200)
    title = serializers.CharField(required=False, allow_blank=True, max_length=50)
    bio = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    email = serializers.CharField(required=False, allow_blank=True, max_length=200)
    is_party_member = serializers.BooleanField(required=False, default=True)
    service_area = serializers.CharField(required=False, allow_blank=True, max_length=200)
    sub_areas = serializers.ListField(child=serializers.IntegerField(), required=False)


class RecommendationCreateSerializer(serializers.Serializer):
    call = serializers.IntegerField()
    recommending_org = serializers.IntegerField()
    candidate = CandidateSerializer()
    topics = TopicWriteSerializer(many=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    consent_given = serializers.BooleanField()
    consent_method = serializers.ChoiceField(choices=Recommendation.ConsentMethod.choices)
    consent_date = serializers.DateField()


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "reserve", "reject"])
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SuggestionSerializer(serializers.ModelSerializer):
    instructor_name = serializers.CharField(source="instructor.name", read_only=True)
    answered_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "instructor",
            "instructor_name",
            "pool",
            "about",
            "subject",
            "body",
            "status",
            "answer",
            "answered_by_name",
            "answered_at",
            "created_at",
        ]

    def get_answered_by_name(self, obj) -> str:
        return obj.answered_by.display_name if obj.answered_by else ""


class SuggestionWriteSerializer(serializers.Serializer):
    about = serializers.ChoiceField(choices=Suggestion.About.choices)
    subject = serializers.CharField(max_length=120)
    body = serializers.CharField()


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()
