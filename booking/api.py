"""The booking API under /api/v1/. Views validate input and call one service or selector.

``bookings/``: a secretary sees its branch's requests, an instructor its own, an admin its subtree's.
Actions answer 409 for a state or schedule conflict (with the reason), 400 for bad input, 403/404
outside one's jurisdiction.
"""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from orgs.api_base import WHOLE_LIST, is_secretary, require
from orgs.models import Organization
from pool.models import Instructor
from pool.selectors import instructor_for_user
from pool.services import instructor_update

from . import services
from .models import BlockedPeriod, Booking, FeeStandard, OpenAnswer
from .permissions import can_act_for_branch, can_answer_booking
from .selectors import (
    BookingFilter,
    answers_for,
    booking_history,
    booking_list,
    branches_for,
    open_requests_for,
    schedule_instructors,
    schedule_of,
    with_related,
)
from .serializers import (
    AnswerWriteSerializer,
    BlockedPeriodSerializer,
    BookingCreateSerializer,
    BookingReasonSerializer,
    BookingSerializer,
    BookingStatusChangeSerializer,
    FeedSerializer,
    FeeStandardSerializer,
    NoteSerializer,
    OpenAnswerSerializer,
    PickSerializer,
    ProposalSerializer,
    ProposeSerializer,
    ScheduleSerializer,
    ScheduleUpdateSerializer,
)

CONFLICT = OpenApiResponse(description="A state or schedule conflict; ``detail`` says why.")


def _branch_for(user, branch_id: int | None) -> Organization:
    """The branch a secretary books for: the one given, or its only branch."""
    branches = branches_for(user)
    if branch_id is not None:
        branch = Organization.objects.filter(pk=branch_id).first()
        if branch is None:
            raise serializers.ValidationError({"branch": [_("No such branch.")]}, code="does_not_exist")
        return branch
    choices = list(branches[:2])
    if len(choices) == 1:
        return choices[0]
    if not choices:
        raise PermissionDenied(_("Only a branch secretary requests lectures."))
    raise serializers.ValidationError(
        {"branch": [_("You lead several branches: say which one asks.")]}, code="branch_needed"
    )


class BookingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Lecture requests and lectures (网上预约, 双向选择).

    Filters: ``status`` (repeatable), ``kind`` (``direct`` or ``open``), ``branch``, ``instructor``,
    ``date_from``/``date_to`` (YYYY-MM-DD, the lecture's date), ``q`` (topic, instructor, branch).
    """

    serializer_class = BookingSerializer
    queryset = Booking.objects.none()  # for the schema; requests use get_queryset
    filterset_class = BookingFilter

    def get_queryset(self):
        # accept re-reads the booking under lock: looking it up only needs to say whether the caller sees it
        return booking_list(actor=self.request.user, related=self.action != "accept")

    def _detail(self, booking, code=status.HTTP_200_OK):
        # The caller has just acted on the booking, so it is shown whether or not it is still in the
        # caller's list (a pool admin may answer for an instructor who has a log-in since): read by id,
        # without the visibility filter's joins.
        fresh = with_related(Booking.objects.filter(pk=booking.pk)).get()
        return Response(BookingSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        request=BookingCreateSerializer,
        responses={201: BookingSerializer, 403: OpenApiResponse(description="Not your branch or pool."), 409: CONFLICT},
    )
    def create(self, request):
        """Request a lecture: with ``instructor`` addressed to one instructor, without it an open request."""
        require(is_secretary(request.user))
        serializer = BookingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        branch = _branch_for(request.user, data.pop("branch", None))
        instructor_id = data.pop("instructor", None)
        instructor = None
        if instructor_id is not None:
            instructor = Instructor.objects.filter(pk=instructor_id).first()
            if instructor is None:
                raise serializers.ValidationError({"instructor": [_("No such instructor.")]}, code="does_not_exist")
        booking = services.booking_create(actor=request.user, branch=branch, instructor=instructor, **data)
        return self._detail(booking, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: BookingSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The instructor accepts the request at the requested time."""
        booking = services.booking_accept(booking=self.get_object(), actor=request.user)
        return self._detail(booking)

    @extend_schema(request=BookingReasonSerializer, responses={200: BookingSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The instructor declines, with a reason."""
        booking = self.get_object()
        require(can_answer_booking(request.user, booking))
        serializer = BookingReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = services.booking_decline(
            booking=booking, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self._detail(booking)

    @extend_schema(request=BookingReasonSerializer, responses={200: BookingSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Either side cancels, with a reason."""
        booking = self.get_object()
        require(can_act_for_branch(request.user, booking) or can_answer_booking(request.user, booking))
        serializer = BookingReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = services.booking_cancel(
            booking=booking, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self._detail(booking)

    @extend_schema(request=None, responses={200: BookingSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        """Confirm that the lecture took place (after it ended); the branch is invited to rate it."""
        booking = services.booking_deliver(booking=self.get_object(), actor=request.user)
        return self._detail(booking)

    @extend_schema(request=ProposeSerializer, responses={201: ProposalSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        """The instructor proposes another time; the branch accepts or refuses it."""
        booking = self.get_object()
        require(can_answer_booking(request.user, booking))
        serializer = ProposeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal = services.booking_propose(booking=booking, actor=request.user, **serializer.validated_data)
        return Response(ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: BookingSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="accept-proposal")
    def accept_proposal(self, request, pk=None):
        """The branch accepts the proposed time: the lecture is confirmed then."""
        booking = services.booking_proposal_accept(booking=self.get_object(), actor=request.user)
        return self._detail(booking)

    @extend_schema(request=NoteSerializer, responses={200: BookingSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="refuse-proposal")
    def refuse_proposal(self, request, pk=None):
        """The branch keeps its time: the request waits for the instructor again."""
        booking = self.get_object()
        require(can_act_for_branch(request.user, booking))
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = services.booking_proposal_refuse(
            booking=booking, actor=request.user, note=serializer.validated_data["note"]
        )
        return self._detail(booking)

    @extend_schema(methods=["get"], responses={200: OpenAnswerSerializer(many=True)})
    @extend_schema(
        methods=["post"],
        request=AnswerWriteSerializer,
        responses={201: OpenAnswerSerializer, 403: OpenApiResponse(description="Not for your pool."), 409: CONFLICT},
    )
    @action(detail=True, methods=["get", "post"], **WHOLE_LIST)
    def answers(self, request, pk=None):
        """``GET``: the answers to an open request (the branch side). ``POST``: an instructor answers it."""
        if request.method == "GET":
            booking = self.get_object()
            if not can_act_for_branch(request.user, booking) and not request.user.is_superuser:
                raise NotFound
            return Response(OpenAnswerSerializer(answers_for(booking), many=True).data)
        serializer = AnswerWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = get_object_or_404(Booking.objects.filter(kind=Booking.Kind.OPEN), pk=pk)
        instructor_id = serializer.validated_data.get("instructor")
        if instructor_id is not None:
            instructor = get_object_or_404(schedule_instructors(request.user), pk=instructor_id)
        else:
            instructor = instructor_for_user(request.user)
            if instructor is None:
                raise PermissionDenied(_("Only instructors answer open requests."))
        answer = services.open_answer_submit(
            booking=booking, actor=request.user, instructor=instructor, note=serializer.validated_data["note"]
        )
        return Response(OpenAnswerSerializer(answer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PickSerializer, responses={200: BookingSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def pick(self, request, pk=None):
        """双向选择: the branch picks one answer; the lecture is confirmed with that instructor."""
        booking = self.get_object()
        require(can_act_for_branch(request.user, booking))
        serializer = PickSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answer = OpenAnswer.objects.filter(pk=serializer.validated_data["answer"], booking=booking).first()
        if answer is None:
            raise serializers.ValidationError({"answer": [_("No such answer to this request.")]}, code="does_not_exist")
        booking = services.booking_pick(booking=booking, answer=answer, actor=request.user)
        return self._detail(booking)

    @extend_schema(responses={200: BookingStatusChangeSerializer(many=True)})
    @action(detail=True, methods=["get"], **WHOLE_LIST)
    def history(self, request, pk=None):
        """Every status change: who, when, why."""
        return Response(BookingStatusChangeSerializer(booking_history(self.get_object()), many=True).data)

    @extend_schema(responses={200: BookingSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def open(self, request):
        """Open requests the calling instructor may answer (its pool's area, its category)."""
        instructor = instructor_for_user(request.user)
        qs = (
            with_related(open_requests_for(instructor).order_by("starts_at", "id"))
            if instructor is not None
            else Booking.objects.none()
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(
            BookingSerializer(page, many=True, context=self.get_serializer_context()).data
        )


class OpenAnswerViewSet(viewsets.GenericViewSet):
    serializer_class = OpenAnswerSerializer
    queryset = OpenAnswer.objects.none()

    def get_queryset(self):
        mine = schedule_instructors(self.request.user)
        return OpenAnswer.objects.filter(instructor__in=mine).select_related("instructor", "instructor__pool")

    @extend_schema(request=None, responses={200: OpenAnswerSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The instructor takes back its answer before the branch picks."""
        answer = services.open_answer_withdraw(answer=self.get_object(), actor=request.user)
        return Response(OpenAnswerSerializer(answer).data)


class ScheduleViewSet(viewsets.GenericViewSet):
    """An instructor's schedule: weekly availability, blocked dates, monthly limit, calendar feed.

    ``schedules/me/`` is the caller's own; pool admins keep the schedules of their pool's instructors.
    """

    serializer_class = ScheduleSerializer
    queryset = Instructor.objects.none()
    lookup_value_regex = r"me|[0-9]+"

    def get_queryset(self):
        return schedule_instructors(self.request.user).select_related("pool", "pool__organization")

    def get_object(self):
        pk = self.kwargs["pk"]
        if pk == "me":
            instructor = instructor_for_user(self.request.user)
            if instructor is None:
                raise NotFound(_("You are not an instructor."))
            return instructor
        return get_object_or_404(self.get_queryset(), pk=pk)

    def _schedule(self, instructor):
        instructor.refresh_from_db(fields=["monthly_limit"])
        return Response(ScheduleSerializer(schedule_of(instructor), context=self.get_serializer_context()).data)

    @extend_schema(
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="An instructor id or me.")]
    )
    def retrieve(self, request, pk=None):
        return self._schedule(self.get_object())

    @extend_schema(
        request=ScheduleUpdateSerializer,
        responses={200: ScheduleSerializer},
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="An instructor id or me.")],
    )
    def partial_update(self, request, pk=None):
        """Change the monthly limit and/or replace the weekly availability (an empty list: any time)."""
        instructor = self.get_object()
        serializer = ScheduleUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "weekly" in data:
            services.weekly_availability_set(
                instructor=instructor,
                actor=request.user,
                windows=[(w["weekday"], w["starts"], w["ends"]) for w in data["weekly"]],
            )
        if "monthly_limit" in data:
            instructor_update(instructor=instructor, actor=request.user, monthly_limit=data["monthly_limit"])
        return self._schedule(instructor)

    @extend_schema(
        request=BlockedPeriodSerializer,
        responses={201: BlockedPeriodSerializer, 409: CONFLICT},
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="An instructor id or me.")],
    )
    @action(detail=True, methods=["post"])
    def blocked(self, request, pk=None):
        """Block days (``first_day``, optional ``last_day`` and ``reason``)."""
        instructor = self.get_object()
        serializer = BlockedPeriodSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = services.blocked_period_add(instructor=instructor, actor=request.user, **serializer.validated_data)
        return Response(BlockedPeriodSerializer(period).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={204: None},
        parameters=[
            OpenApiParameter("id", str, OpenApiParameter.PATH, description="An instructor id or me."),
            OpenApiParameter("blocked_id", int, OpenApiParameter.PATH),
        ],
    )
    @action(detail=True, methods=["delete"], url_path=r"blocked/(?P<blocked_id>[0-9]+)")
    def unblock(self, request, pk=None, blocked_id=None):
        """Free blocked days again."""
        instructor = self.get_object()
        period = get_object_or_404(BlockedPeriod, pk=blocked_id, instructor=instructor)
        services.blocked_period_remove(period=period, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["post"],
        request=None,
        responses={200: FeedSerializer},
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="An instructor id or me.")],
    )
    @extend_schema(
        methods=["delete"],
        request=None,
        responses={204: None},
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="An instructor id or me.")],
    )
    @action(detail=True, methods=["post", "delete"])
    def feed(self, request, pk=None):
        """``POST``: a new secret address for the private calendar feed (the old one stops working);
        ``DELETE``: revoke it. Only the instructor."""
        instructor = self.get_object()
        if instructor.user_id != request.user.pk:
            raise PermissionDenied(_("Only the instructor keeps its private calendar feed."))
        if request.method == "DELETE":
            services.calendar_feed_revoke(instructor=instructor, actor=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        feed = services.calendar_feed_rotate(instructor=instructor, actor=request.user)
        return Response({"feed_url": request.build_absolute_uri(reverse("booking:feed", args=[feed.token]))})


class FeeStandardViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The lecture fee standards with their rates per fee grade (元, after tax), newest first."""

    serializer_class = FeeStandardSerializer
    queryset = FeeStandard.objects.prefetch_related("rates").order_by("-effective_from")
    pagination_class = None
