"""The pool's API under /api/v1/. Views validate input and call one service or selector.

The instructor list, instructor details, pools and published rosters are public: anonymous callers get
the public fields of active instructors (no contact data at all), as on the public roster page. Every
other endpoint needs credentials (401 without).
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from orgs import cache
from orgs.api_base import is_org_admin, is_staff, require
from orgs.models import Organization, User
from orgs.selectors import IdFilter, jurisdiction_of

from . import roster_cache, services
from .imports import ImportRejected
from .models import Call, Instructor, Pool, Recommendation, RosterVersion, Suggestion, Topic
from .permissions import (
    ContactPolicy,
    can_answer_suggestion,
    can_edit_instructor,
    can_manage_pool,
    can_review_recommendation,
    can_view_pool,
)
from .recommender.api import RECOMMEND_SCHEMA, recommend_response
from .selectors import (
    InstructorFilter,
    call_list,
    instructor_history,
    instructor_list,
    recommendation_list,
    roster_list,
    suggestion_list,
    with_seat_use,
)
from .serializers import (
    AnswerSerializer,
    AppointSerializer,
    CallCreateSerializer,
    CallSerializer,
    DecisionSerializer,
    InstructorSerializer,
    InstructorUpdateSerializer,
    LinkUserSerializer,
    PoolCreateSerializer,
    PoolSerializer,
    PoolUpdateSerializer,
    RecommendationCreateSerializer,
    RecommendationSerializer,
    ReviewersSerializer,
    ReviewSerializer,
    ReviewWriteSerializer,
    RosterDetailSerializer,
    RosterPublishSerializer,
    RosterVersionSerializer,
    StatusChangeSerializer,
    SuggestionSerializer,
    SuggestionWriteSerializer,
    TopicSerializer,
    TopicWriteSerializer,
    TransitionSerializer,
)


def _users_named(usernames) -> list[User]:
    users = list(User.objects.filter(username__in=usernames, is_active=True))
    missing = sorted(set(usernames) - {u.username for u in users})
    if missing:
        raise serializers.ValidationError(
            {"reviewers": [_("Unknown user names: %(names)s") % {"names": ", ".join(missing)}]}, code="does_not_exist"
        )
    return users


ImportResultSerializer = inline_serializer(
    "InstructorImportResult",
    {
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "by_pool": serializers.DictField(child=serializers.IntegerField()),
    },
)
ImportErrorSerializer = inline_serializer(
    "InstructorImportErrors",
    {
        # Either the upload itself is wrong (`file`) or rows are (`errors`).
        "file": serializers.ListField(child=serializers.CharField(), required=False),
        "errors": inline_serializer(
            "InstructorImportRowError",
            {"row": serializers.IntegerField(), "column": serializers.CharField(), "message": serializers.CharField()},
            many=True,
            required=False,
        ),
    },
)


class RosterFilter(django_filters.FilterSet):
    # An id that matches nothing is an empty list, as for any other filter value, not a 400.
    pool = IdFilter(field_name="pool_id")

    class Meta:
        model = RosterVersion
        fields = ["pool"]


class RecommendationFilter(django_filters.FilterSet):
    call = IdFilter(field_name="call_id")

    class Meta:
        model = Recommendation
        fields = ["call"]


class InstructorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Instructors. ``GET`` is public for active instructors (no contact data); admins see every status
    in their pools; phones are full only for the owning pool's admins and the instructor themself.

    Filters: ``q`` (text in name, code, employer, title, bio and topics), ``level`` and ``category``
    (code or Chinese name: ``county`` or 县级, ``theory`` or 理论政策), ``sub_area`` (id or name),
    ``pool`` (id), ``status`` (repeatable), ``code``.
    """

    serializer_class = InstructorSerializer
    queryset = Instructor.objects.none()  # for the schema; requests use get_queryset
    filterset_class = InstructorFilter
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]  # reads are public
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return instructor_list(actor=self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["contact_policy"] = ContactPolicy.for_user(self.request.user)
        return context

    def list(self, request, *args, **kwargs):
        # Searches of visitors and users without rows of their own come from the shared cache, made
        # stale by every write to the pool (pool/roster_cache.py).
        slot, data = roster_cache.fetch(request)
        if data is cache.MISSING:
            data = super().list(request, *args, **kwargs).data
            cache.put(slot, data)
        return Response(data)

    def _detail(self, instructor):
        fresh = instructor_list(actor=self.request.user).get(pk=instructor.pk)
        return Response(InstructorSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(**RECOMMEND_SCHEMA)
    @action(
        detail=False,
        methods=["get"],
        permission_classes=[permissions.IsAuthenticated],
        filter_backends=[],
        pagination_class=None,
    )
    def recommend(self, request):
        """为我推荐: the instructors who fit a need (``q``, in the members' own words) best, best first.

        ``k`` results (1–50, default 10). With ``branch`` only instructors of the pools that organization
        may book from; without it every active instructor. With ``date`` instructors who cannot lecture
        that day rank lower. Each result explains itself: matched terms, the inferred category and the
        parts of the score (topic, category, availability, rating, load).
        """
        return recommend_response(request)

    @extend_schema(request=InstructorUpdateSerializer, responses={200: InstructorSerializer})
    def partial_update(self, request, pk=None):
        """Change profile fields (the instructor: contact, employer, title, bio, service area, limit, sub-areas)."""
        instructor = self.get_object()
        require(can_edit_instructor(request.user, instructor))
        serializer = InstructorUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.instructor_update(instructor=instructor, actor=request.user, **serializer.validated_data)
        return self._detail(instructor)

    @extend_schema(
        request=TransitionSerializer,
        responses={200: InstructorSerializer, 409: OpenApiResponse(description="Impossible move or quota full.")},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the instructor through the state machine (suspend, remove, restore, promote a reserve)."""
        instructor = self.get_object()
        require(can_manage_pool(request.user, instructor.pool))
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.instructor_transition(
            instructor=instructor,
            actor=request.user,
            to_status=data["status"],
            reason=data["reason"],
            override_reason=data["override_reason"],
        )
        return self._detail(instructor)

    @extend_schema(
        request=AppointSerializer,
        responses={200: InstructorSerializer, 409: OpenApiResponse(description="Impossible move or quota full.")},
    )
    @action(detail=True, methods=["post"])
    def appoint(self, request, pk=None):
        """组织聘任: record the agreement and the term; the numbered letter is issued."""
        instructor = self.get_object()
        require(can_manage_pool(request.user, instructor.pool))
        serializer = AppointSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.instructor_appoint(instructor=instructor, actor=request.user, **serializer.validated_data)
        return self._detail(instructor)

    @extend_schema(request=LinkUserSerializer, responses={200: InstructorSerializer})
    @action(detail=True, methods=["post"], url_path="link-user")
    def link_user(self, request, pk=None):
        """Make a log-in the instructor's own account (it gets the instructor role)."""
        instructor = self.get_object()
        require(can_manage_pool(request.user, instructor.pool))
        serializer = LinkUserSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = User.objects.filter(username=serializer.validated_data["username"], is_active=True).first()
        if user is None:
            raise serializers.ValidationError({"username": [_("No such user.")]}, code="does_not_exist")
        services.instructor_link_user(instructor=instructor, actor=request.user, user=user)
        return self._detail(instructor)

    @extend_schema(responses={200: StatusChangeSerializer(many=True)})
    @action(detail=True, methods=["get"], permission_classes=[permissions.IsAuthenticated], pagination_class=None)
    def history(self, request, pk=None):
        """Every status change: who, when, why. For the pool's admins, supervisors and the instructor."""
        instructor = self.get_object()
        is_self = instructor.user_id is not None and instructor.user_id == request.user.pk
        if not (is_self or can_view_pool(request.user, instructor.pool)):
            raise NotFound
        return Response(StatusChangeSerializer(instructor_history(instructor), many=True).data)

    @extend_schema(methods=["get"], responses={200: TopicSerializer(many=True)})
    @extend_schema(methods=["post"], request=TopicWriteSerializer, responses={201: TopicSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def topics(self, request, pk=None):
        """The instructor's lecture topics; the instructor and the pool's admins add more."""
        instructor = self.get_object()
        if request.method == "GET":
            return Response(TopicSerializer(instructor.topics.all(), many=True).data)
        require(can_edit_instructor(request.user, instructor))
        serializer = TopicWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        topic = services.topic_create(instructor=instructor, actor=request.user, **serializer.validated_data)
        return Response(TopicSerializer(topic).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": inline_serializer("InstructorImportFile", {"file": serializers.FileField()})},
        responses={200: ImportResultSerializer, 400: ImportErrorSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        """Import an .xlsx or .csv file (SPEC section 3 header). Any bad row: 400 with every problem by
        row and column, and nothing imported. A known 编号 is updated."""
        require(is_org_admin(request.user))
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": [_("Upload an .xlsx or .csv file.")]})
        try:
            result = services.instructors_import(
                data=upload.read(),
                filename=upload.name,
                actor=request.user,
                quota_override_reason=request.data.get("override_reason", ""),
            )
        except ImportRejected as exc:
            return Response(
                {
                    "file": [str(exc.message)],
                    "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in exc.errors],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"created": result.created, "updated": result.updated, "by_pool": result.by_pool})


class TopicViewSet(mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Change or delete one lecture topic (the instructor or the pool's admins)."""

    serializer_class = TopicSerializer
    queryset = Topic.objects.none()
    http_method_names = ["patch", "delete", "options"]

    def get_queryset(self):
        return Topic.objects.filter(
            instructor__in=instructor_list(actor=self.request.user, related=False)
        ).select_related("instructor", "instructor__pool")

    @extend_schema(request=TopicWriteSerializer, responses={200: TopicSerializer})
    def partial_update(self, request, pk=None):
        topic = self.get_object()
        serializer = TopicWriteSerializer(data=request.data, partial=True)  # a body that is not an object: 400
        serializer.is_valid(raise_exception=True)
        changes = {"title": topic.title, "abstract": topic.abstract, **serializer.validated_data}
        services.topic_update(topic=topic, actor=request.user, **changes)
        return Response(TopicSerializer(topic).data)

    def destroy(self, request, pk=None):
        services.topic_delete(topic=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PoolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Pools with their quota and use. Public for active pools; admins also see inactive ones they supervise."""

    serializer_class = PoolSerializer
    queryset = Pool.objects.none()
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]  # reads are public
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        visible = Q(is_active=True)
        user = self.request.user
        if user.is_authenticated:
            j = jurisdiction_of(user)
            visible |= Q() if j.is_superuser else j.admin_q("organization")
        return with_seat_use(Pool.objects.filter(visible)).select_related("organization").order_by("organization__path")

    def _detail(self, pool):
        return Response(PoolSerializer(self.get_queryset().get(pk=pool.pk)).data)

    @extend_schema(request=PoolCreateSerializer, responses={201: PoolSerializer})
    def create(self, request):
        """Open the pool of an organization the caller administers."""
        require(is_org_admin(request.user))
        serializer = PoolCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organization = Organization.objects.filter(pk=data.pop("organization")).first()
        if organization is None:
            raise serializers.ValidationError({"organization": [_("No such organization.")]}, code="does_not_exist")
        pool = services.pool_create(organization=organization, actor=request.user, **data)
        return Response(PoolSerializer(self.get_queryset().get(pk=pool.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PoolUpdateSerializer, responses={200: PoolSerializer})
    def partial_update(self, request, pk=None):
        """Change name, quota (target and hard maximum) and the document prefix."""
        pool = self.get_object()
        current = {
            "name": pool.name,
            "quota_min": pool.quota_min,
            "quota_max": pool.quota_max,
            "doc_prefix": pool.doc_prefix,
            "is_active": pool.is_active,
        }
        serializer = PoolUpdateSerializer(data={k: request.data.get(k, v) for k, v in current.items()})
        serializer.is_valid(raise_exception=True)
        services.pool_update(pool=pool, actor=request.user, **serializer.validated_data)
        return self._detail(pool)

    @extend_schema(request=RosterPublishSerializer, responses={201: RosterDetailSerializer})
    @action(detail=True, methods=["post"], url_path="publish-roster")
    def publish_roster(self, request, pk=None):
        """以文件形式公布: publish the active instructors as the next numbered roster version."""
        pool = self.get_object()
        serializer = RosterPublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        roster = services.roster_publish(pool=pool, actor=request.user, **serializer.validated_data)
        return Response(RosterDetailSerializer(roster).data, status=status.HTTP_201_CREATED)


class RosterViewSet(viewsets.ReadOnlyModelViewSet):
    """Published roster documents (public), newest first; ``?pool=<id>`` for one pool's versions."""

    queryset = RosterVersion.objects.none()
    permission_classes = [permissions.AllowAny]
    filterset_class = RosterFilter

    def get_queryset(self):
        qs = roster_list()
        if self.action == "retrieve":
            qs = qs.prefetch_related("entries")
        return qs

    def get_serializer_class(self):
        return RosterDetailSerializer if self.action == "retrieve" else RosterVersionSerializer


class CallViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """师资征集: calls of the caller's pools, calls it reviews, and open calls it may recommend to."""

    serializer_class = CallSerializer
    queryset = Call.objects.none()

    def get_queryset(self):
        return call_list(actor=self.request.user)

    @extend_schema(request=CallCreateSerializer, responses={201: CallSerializer})
    def create(self, request):
        require(is_org_admin(request.user))
        serializer = CallCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        pool = Pool.objects.filter(pk=data.pop("pool")).select_related("organization").first()
        if pool is None:
            raise serializers.ValidationError({"pool": [_("No such pool.")]}, code="does_not_exist")
        reviewers = _users_named(data.pop("reviewers"))
        call = services.call_create(pool=pool, actor=request.user, reviewers=reviewers, **data)
        return Response(CallSerializer(call).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: CallSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        call = services.call_close(call=self.get_object(), actor=request.user)
        return Response(CallSerializer(call).data)

    @extend_schema(request=ReviewersSerializer, responses={200: ReviewersSerializer})
    @action(detail=True, methods=["put"])
    def reviewers(self, request, pk=None):
        """Name the reviewers (user names) who score the call's candidates."""
        call = self.get_object()
        require(can_manage_pool(request.user, call.pool))
        serializer = ReviewersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.call_reviewers_set(
            call=call, actor=request.user, reviewers=_users_named(serializer.validated_data["reviewers"])
        )
        return Response({"reviewers": sorted(call.reviewers.values_list("username", flat=True))})

    @extend_schema(
        request=None, responses={200: inline_serializer("ReviewStarted", {"moved": serializers.IntegerField()})}
    )
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, pk=None):
        """Send every recommended candidate of the call into review."""
        moved = services.call_review_start(call=self.get_object(), actor=request.user)
        return Response({"moved": moved})


class RecommendationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """推荐报名 and 审核评定: recommendations with their reviewers' combined score; ``?call=<id>``."""

    serializer_class = RecommendationSerializer
    queryset = Recommendation.objects.none()
    filterset_class = RecommendationFilter

    def get_queryset(self):
        return recommendation_list(actor=self.request.user)

    @extend_schema(request=RecommendationCreateSerializer, responses={201: RecommendationSerializer})
    def create(self, request):
        """Recommend a candidate against an open call; ``consent_given`` must be true (经本人同意)."""
        require(is_staff(request.user))
        serializer = RecommendationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        call = call_list(actor=request.user).filter(pk=data.pop("call")).first()
        if call is None:
            raise serializers.ValidationError(
                {"call": [_("No such call, or it is not open to you.")]}, code="does_not_exist"
            )
        org = Organization.objects.filter(pk=data.pop("recommending_org")).first()
        if org is None:
            raise serializers.ValidationError({"recommending_org": [_("No such organization.")]}, code="does_not_exist")
        recommendation = services.recommendation_create(call=call, actor=request.user, recommending_org=org, **data)
        fresh = self.get_queryset().get(pk=recommendation.pk)
        return Response(RecommendationSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], responses={200: ReviewSerializer(many=True)})
    @extend_schema(methods=["post"], request=ReviewWriteSerializer, responses={201: ReviewSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def reviews(self, request, pk=None):
        """The reviewers' scores (for the pool's admins and the reviewers); reviewers post theirs."""
        recommendation = self.get_object()
        if request.method == "GET":
            if not (
                can_view_pool(request.user, recommendation.call.pool)
                or recommendation.call.reviewers.filter(pk=request.user.pk).exists()
            ):
                raise NotFound
            return Response(ReviewSerializer(recommendation.reviews.select_related("reviewer"), many=True).data)
        require(can_review_recommendation(request.user, recommendation))
        serializer = ReviewWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.review_submit(
            recommendation=recommendation, reviewer=request.user, **serializer.validated_data
        )
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer, responses={200: RecommendationSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The admin's decision: approve, reserve or reject (with a reason)."""
        recommendation = self.get_object()
        require(can_manage_pool(request.user, recommendation.call.pool))
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.recommendation_decide(recommendation=recommendation, actor=request.user, **serializer.validated_data)
        return Response(RecommendationSerializer(self.get_queryset().get(pk=recommendation.pk)).data)


class SuggestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """An instructor's suggestions to the pool's admins, and their answers."""

    serializer_class = SuggestionSerializer
    queryset = Suggestion.objects.none()
    filterset_fields = ["status"]

    def get_queryset(self):
        return suggestion_list(actor=self.request.user)

    @extend_schema(request=SuggestionWriteSerializer, responses={201: SuggestionSerializer})
    def create(self, request):
        """Send a suggestion as the instructor the caller is."""
        instructor = Instructor.objects.filter(user=request.user).select_related("pool").first()
        if instructor is None:
            raise PermissionDenied(_("Only instructors send suggestions."))
        serializer = SuggestionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        suggestion = services.suggestion_send(instructor=instructor, actor=request.user, **serializer.validated_data)
        return Response(SuggestionSerializer(suggestion).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswerSerializer, responses={200: SuggestionSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        suggestion = self.get_object()
        require(can_answer_suggestion(request.user, suggestion))
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        suggestion = services.suggestion_answer(suggestion=suggestion, actor=request.user, **serializer.validated_data)
        return Response(SuggestionSerializer(suggestion).data)
