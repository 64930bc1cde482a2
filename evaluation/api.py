"""The evaluation API under /api/v1/. Views validate input and call one service or selector.

``POST bookings/{id}/ratings/`` (SPEC section 9) rates a delivered lecture: a member who attended (token
or session), the branch (``as_branch``), or anyone with a one-time link (``token``, no log-in needed).
Refusals: 401 without credentials or link, 403 for who may not rate (not attended, outside the branch,
the instructor), 409 for the lecture's state (not delivered, closed, already rated, link used).
"""

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.generics import GenericAPIView, ListAPIView, get_object_or_404
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from booking.models import Booking
from orgs.api_base import is_org_admin, require
from orgs.selectors import MAX_ID, jurisdiction_of
from pool.models import Instructor, Pool, RatingSummary

from . import services
from .models import DisciplineIncident, EvaluationRun, Proposal, Rating, RatingLink, RatingWindow
from .permissions import can_manage_links, can_run_evaluation, can_see_raters, can_view_lecture_ratings, can_view_run
from .selectors import incident_list, lecture_ratings, links_of, member_for_user, open_windows_for_member, run_list
from .serializers import (
    DisciplineIncidentSerializer,
    EvaluationProposalSerializer,
    EvaluationRunDetailSerializer,
    EvaluationRunSerializer,
    IncidentCreateSerializer,
    LectureRatingCreateSerializer,
    LectureRatingSerializer,
    OpenLectureSerializer,
    ProposalDecisionSerializer,
    RatingLinksCreateSerializer,
    RatingLinkSerializer,
    RatingSummarySerializer,
    RunCreateSerializer,
)

REFUSED = OpenApiResponse(description="Not someone who may rate this lecture (``detail`` says why).")
CONFLICT = OpenApiResponse(description="Not delivered, rating closed, already rated, or the link was used.")


def _window_or_404(booking_id: int) -> RatingWindow:
    if not 1 <= booking_id <= MAX_ID:  # the URL takes any digits; the database only ids it can hold
        raise NotFound(_("No ratings for this lecture."))
    window = (
        RatingWindow.objects.select_related("booking", "booking__branch", "instructor", "instructor__pool")
        .filter(booking_id=booking_id)
        .first()
    )
    if window is None:
        raise NotFound(_("No ratings for this lecture."))
    return window


class LectureRatingsView(GenericAPIView):
    """The ratings of one delivered lecture (``GET``) and a new rating (``POST``)."""

    serializer_class = LectureRatingSerializer
    queryset = Rating.objects.none()  # for the schema; requests use the lecture's window

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        responses={
            200: LectureRatingSerializer(many=True),
            404: OpenApiResponse(description="Not a lecture you may see."),
        }
    )
    def get(self, request, booking_id: int):
        """Ratings of the lecture: for its branch side, the instructor (without raters), the pool's admins."""
        window = _window_or_404(booking_id)
        if not can_view_lecture_ratings(request.user, window.booking):
            raise NotFound(_("No ratings for this lecture."))
        page = self.paginate_queryset(lecture_ratings(window))
        context = {**self.get_serializer_context(), "show_raters": can_see_raters(request.user, window.instructor)}
        return self.get_paginated_response(LectureRatingSerializer(page, many=True, context=context).data)

    @extend_schema(
        request=LectureRatingCreateSerializer,
        responses={
            201: LectureRatingSerializer,
            401: OpenApiResponse(description="Log in or give a link's token."),
            403: REFUSED,
            404: OpenApiResponse(description="No such lecture."),
            409: CONFLICT,
        },
    )
    def post(self, request, booking_id: int):
        """Rate the lecture once: 1–5 on content, delivery and practical value, with an optional comment."""
        serializer = LectureRatingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not request.user.is_authenticated and not data["token"]:
            raise NotAuthenticated(_("Log in to rate, or use a one-time link from your branch."))
        booking = get_object_or_404(Booking, pk=booking_id)
        rating = services.rating_submit(booking=booking, actor=request.user, **data)
        return Response(
            LectureRatingSerializer(rating, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )


class OpenRatingsView(ListAPIView):
    """Delivered lectures the calling member attended whose rating is open and not given yet."""

    serializer_class = OpenLectureSerializer
    queryset = RatingWindow.objects.none()  # for the schema

    def list(self, request, *args, **kwargs):
        windows = open_windows_for_member(member_for_user(request.user))
        page = self.paginate_queryset(windows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class RatingLinksView(GenericAPIView):
    """One-time links of a lecture (the branch side): list them, or generate ``count`` more."""

    serializer_class = RatingLinkSerializer
    queryset = RatingLink.objects.none()  # for the schema

    def _window(self, booking_id: int) -> RatingWindow:
        window = _window_or_404(booking_id)
        if not can_manage_links(self.request.user, window.booking):
            raise NotFound(_("No ratings for this lecture."))
        return window

    @extend_schema(responses={200: RatingLinkSerializer(many=True)})
    def get(self, request, booking_id: int):
        page = self.paginate_queryset(links_of(self._window(booking_id)))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=RatingLinksCreateSerializer, responses={201: RatingLinkSerializer(many=True), 409: CONFLICT})
    def post(self, request, booking_id: int):
        window = self._window(booking_id)
        serializer = RatingLinksCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        links = services.rating_links_create(booking=window.booking, actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(links, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema(
    parameters=[
        OpenApiParameter("year", {"type": "integer", "minimum": 0, "maximum": 9999}, description="Only this year."),
        OpenApiParameter(
            "pool", {"type": "integer", "minimum": 0, "maximum": MAX_ID}, description="Only this pool's instructors."
        ),
        OpenApiParameter(
            "instructor", {"type": "integer", "minimum": 0, "maximum": MAX_ID}, description="Only this instructor."
        ),
    ]
)
class RatingSummaryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Instructors' rating summaries per year (count, mean, shrunk score): an instructor its own, an admin
    those of the pools it manages or supervises."""

    serializer_class = RatingSummarySerializer
    queryset = RatingSummary.objects.none()  # for the schema; requests use get_queryset
    filter_backends: list = []

    def get_queryset(self):
        user = self.request.user
        j = jurisdiction_of(user)
        qs = RatingSummary.objects.all()
        if not j.is_superuser:
            visible = Q(instructor__user=user)
            if j.admin_paths:
                visible |= j.admin_q("instructor__pool__organization")
            qs = qs.filter(visible)
        for param, field in (("year", "year"), ("pool", "instructor__pool_id"), ("instructor", "instructor_id")):
            value = self.request.query_params.get(param)
            if value is not None:
                if not value.isdigit():
                    raise serializers.ValidationError({param: [_("Give a number.")]})
                qs = qs.filter(**{field: int(value)})
        return qs.select_related("instructor").order_by("-year", "-shrunk_score", "instructor__code")


class EvaluationRunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Yearly evaluations of the pools the caller manages or supervises. ``POST`` starts one (202: it is
    computed by a task; poll ``GET`` for ``progress``); actions decide and confirm it."""

    serializer_class = EvaluationRunSerializer
    queryset = EvaluationRun.objects.none()  # for the schema; requests use get_queryset
    filter_backends: list = []

    def get_queryset(self):
        return run_list(actor=self.request.user)

    def get_serializer_class(self):
        return EvaluationRunDetailSerializer if self.action != "list" else EvaluationRunSerializer

    def _detail(self, run: EvaluationRun, code=status.HTTP_200_OK) -> Response:
        run = run_list(actor=self.request.user).get(pk=run.pk)
        return Response(EvaluationRunDetailSerializer(run).data, status=code)

    @extend_schema(
        request=RunCreateSerializer,
        responses={
            202: EvaluationRunDetailSerializer,
            403: OpenApiResponse(description="Not your pool."),
            409: CONFLICT,
        },
    )
    def create(self, request):
        """Start (or re-compute) the yearly evaluation of a pool for a year."""
        require(is_org_admin(request.user))
        serializer = RunCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pool = Pool.objects.filter(pk=serializer.validated_data["pool"]).first()
        if pool is None:
            raise serializers.ValidationError({"pool": [_("No such pool.")]}, code="does_not_exist")
        run = services.run_start(pool=pool, year=serializer.validated_data["year"], actor=request.user)
        return self._detail(run, status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: EvaluationRunDetailSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def recompute(self, request, pk=None):
        run = self.get_object()
        run = services.run_start(pool=run.pool, year=run.year, actor=request.user)
        return self._detail(run, status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: EvaluationRunDetailSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="accept-all")
    def accept_all(self, request, pk=None):
        """Confirm every undecided proposal as proposed."""
        run = self.get_object()
        services.proposals_accept_all(run=run, actor=request.user)
        return self._detail(run)

    @extend_schema(request=None, responses={200: EvaluationRunDetailSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Apply every decision: removals, cancellations, promotions, notices and a new roster version."""
        run = services.run_confirm(run=self.get_object(), actor=request.user)
        return self._detail(run)

    @extend_schema(
        responses={200: EvaluationProposalSerializer(many=True)},
        parameters=[OpenApiParameter("outcome", str, description="Only proposals with this final outcome.")],
    )
    @action(detail=True, methods=["get"])
    def proposals(self, request, pk=None):
        run = self.get_object()
        qs = run.proposals.select_related("instructor", "decided_by").order_by("rank", "instructor__code")
        outcome = request.query_params.get("outcome")
        if outcome:
            qs = qs.filter(Q(decision=outcome) | Q(decision="", proposed=outcome))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(EvaluationProposalSerializer(page, many=True).data)


class ProposalViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One proposal of a yearly evaluation; ``decide`` confirms it or overrides it with a reason."""

    serializer_class = EvaluationProposalSerializer
    queryset = Proposal.objects.none()  # for the schema; requests use get_queryset
    filter_backends: list = []

    def get_queryset(self):
        return Proposal.objects.filter(run__in=run_list(actor=self.request.user)).select_related(
            "instructor", "decided_by", "run", "run__pool"
        )

    @extend_schema(request=ProposalDecisionSerializer, responses={200: EvaluationProposalSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        proposal = self.get_object()
        if not can_view_run(request.user, proposal.run):
            raise NotFound
        require(can_run_evaluation(request.user, proposal.run.pool))
        serializer = ProposalDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal = services.proposal_decide(proposal=proposal, actor=request.user, **serializer.validated_data)
        return Response(EvaluationProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data)


class DisciplineIncidentViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """严重违反教学纪律: incidents of the instructors of the pools the caller manages or supervises."""

    serializer_class = DisciplineIncidentSerializer
    queryset = DisciplineIncident.objects.none()  # for the schema; requests use get_queryset
    filter_backends: list = []

    def get_queryset(self):
        return incident_list(actor=self.request.user)

    @extend_schema(request=IncidentCreateSerializer, responses={201: DisciplineIncidentSerializer})
    def create(self, request):
        require(is_org_admin(request.user))
        serializer = IncidentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        instructor = Instructor.objects.select_related("pool").filter(pk=data.pop("instructor")).first()
        if instructor is None:
            raise serializers.ValidationError({"instructor": [_("No such instructor.")]}, code="does_not_exist")
        booking_id = data.pop("booking")
        booking = None
        if booking_id is not None:
            booking = Booking.objects.filter(pk=booking_id).first()
            if booking is None:
                raise serializers.ValidationError({"booking": [_("No such lecture.")]}, code="does_not_exist")
        incident = services.incident_record(instructor=instructor, actor=request.user, booking=booking, **data)
        return Response(DisciplineIncidentSerializer(incident).data, status=status.HTTP_201_CREATED)
