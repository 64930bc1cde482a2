"""The activity API (under /api/v1/): thin views over the selectors and services.

Objects outside the caller's jurisdiction are 404; writes for a branch outside it are 403.
"""

from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from members.selectors import member_for_user, members_attending
from orgs import cache
from orgs.api_base import WHOLE_LIST, is_org_admin, is_staff, require
from orgs.models import Organization

from . import export, permissions, selectors, services, supervision_cache
from . import serializers as s
from .models import Activity, Attachment, DayRule, ExcellentCase, HolidayCalendar, MonthlyReport, Question
from .workdays import Workdays, month_start, rule_date

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _valid(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# Query parameter schemas with the bounds that _int_param and MonthField enforce.
ID = {"type": "integer", "minimum": 1, "maximum": 10**9}
YEAR = {"type": "integer", "minimum": 2000, "maximum": 2100}
MONTH = s.MONTH_SCHEMA


def _int_param(request, name: str, default: int | None = None, *, low: int = 1, high: int = 10**9) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    if not (raw.isascii() and raw.lstrip("-").isdigit()):
        raise ValidationError({name: ["integer"]})
    value = int(raw)
    if not low <= value <= high:
        raise ValidationError({name: [f"{low}–{high}"]})
    return value


def _month_param(request, name: str = "month", *, required: bool = False) -> date | None:
    raw = request.query_params.get(name)
    if not raw:
        if required:
            return month_start(timezone.localdate())
        return None
    return s.MonthField().run_validation(raw) if raw else None


# --- calendar and rules -----------------------------------------------------------------------------


class HolidayCalendarViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Years of holidays and make-up workdays entered by admins (they take precedence over the package)."""

    serializer_class = s.HolidayCalendarSerializer
    queryset = HolidayCalendar.objects.none()
    lookup_field = "year"

    def get_queryset(self):
        return HolidayCalendar.objects.prefetch_related("days").order_by("-year")

    @extend_schema(request=s.HolidayCalendarWriteSerializer, responses={201: s.HolidayCalendarSerializer})
    def create(self, request):
        """Enter or replace one year (superusers and province admins)."""
        require(permissions.can_enter_calendar(request.user))
        data = _valid(s.HolidayCalendarWriteSerializer, request.data)
        calendar = services.calendar_year_save(
            actor=request.user,
            year=data["year"],
            document=data["document"],
            holidays=[(d["date"], d["name"]) for d in data["holidays"]],
            workdays=[(d["date"], d["name"]) for d in data["workdays"]],
        )
        calendar = HolidayCalendar.objects.prefetch_related("days").get(pk=calendar.pk)
        return Response(s.HolidayCalendarSerializer(calendar).data, status=status.HTTP_201_CREATED)


class DayRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Activity day rules of the caller's organizations and of those above its branches."""

    serializer_class = s.DayRuleSerializer
    queryset = DayRule.objects.none()

    def get_queryset(self):
        return selectors.rule_list(actor=self.request.user)

    @extend_schema(request=s.DayRuleWriteSerializer, responses={201: s.DayRuleSerializer})
    def create(self, request):
        """Fix the day for a county's (or unit's) branches from a month on."""
        require(is_org_admin(request.user))
        data = _valid(s.DayRuleWriteSerializer, request.data)
        rule = services.day_rule_set(actor=request.user, **data)
        return Response(s.DayRuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("year", YEAR, description="default: this year")],
        responses={200: s.RuleDatesSerializer},
    )
    @action(detail=True, methods=["get"])
    def dates(self, request, pk=None):
        """The day the rule gives in each month of a year, moved off holidays; a year without a calendar
        says so (``calendar_missing``, and ``date`` null) rather than guessing."""
        rule = self.get_object()
        year = _int_param(request, "year", timezone.localdate().year, low=2000, high=2100)
        workdays = Workdays()
        months = [rule_date(rule, date(year, m, 1), workdays) for m in range(1, 13)]
        return Response(
            s.RuleDatesSerializer(
                {
                    "year": year,
                    "calendar_missing": any(m.missing_year for m in months),
                    "months": [
                        {
                            "month": m.month,
                            "nominal": m.nominal,
                            "date": m.date,
                            "shifted": m.shifted,
                            "holiday": m.holiday,
                            "missing_year": m.missing_year,
                        }
                        for m in months
                    ],
                }
            ).data
        )


class ActivityDayViewSet(viewsets.GenericViewSet):
    """Each branch's activity day of a month: by its rule, or moved by the branch within the month."""

    serializer_class = s.PlannedDaySerializer
    queryset = Organization.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("month", MONTH, description="YYYY-MM; default: this month"),
            OpenApiParameter("branch", ID, description="a branch, or an organization whose branches to list"),
        ],
        responses={200: s.PlannedDaySerializer(many=True)},
    )
    def list(self, request):
        month = _month_param(request, required=True)
        qs = selectors.branches_managed_by(request.user)
        branch_id = _int_param(request, "branch")
        if branch_id is not None:
            org = selectors.org_by_id(branch_id)
            if org is None:
                raise NotFound
            qs = qs.filter(Organization.subtree_q(org.path))
        page = self.paginate_queryset(qs)
        days = selectors.planned_days(page, month)
        return self.get_paginated_response(s.PlannedDaySerializer([days[b.pk] for b in page], many=True).data)

    @extend_schema(request=s.DayMoveSerializer, responses={200: s.PlannedDaySerializer})
    @action(detail=False, methods=["post"])
    def move(self, request):
        """Move the branch's day of a month to another day of the same month, with a reason; a day in
        another month is refused with 400 and the reason."""
        require(is_staff(request.user))
        data = _valid(s.DayMoveSerializer, request.data)
        month = data.get("month") or month_start(data["moved_to"])
        services.day_move(
            actor=request.user, branch=data["branch"], month=month, moved_to=data["moved_to"], reason=data["reason"]
        )
        return Response(s.PlannedDaySerializer(selectors.planned_day(data["branch"], month)).data)


# --- activities -------------------------------------------------------------------------------------


class ActivityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Activity records (记实) of the branches in the caller's jurisdiction."""

    queryset = Activity.objects.none()
    serializer_class = s.ActivitySerializer
    filterset_class = selectors.ActivityFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        qs = selectors.activity_list(actor=self.request.user)
        if self.action == "retrieve":
            qs = qs.prefetch_related("invitees", "attachments", "attendance__member")
        return qs

    def get_serializer_class(self):
        return s.ActivityDetailSerializer if self.action == "retrieve" else s.ActivitySerializer

    def _detail(self, activity: Activity) -> dict:
        activity = (
            self.get_queryset().prefetch_related("invitees", "attachments", "attendance__member").get(pk=activity.pk)
        )
        return s.ActivityDetailSerializer(activity).data

    @extend_schema(request=s.ActivityCreateSerializer, responses={201: s.ActivityDetailSerializer})
    def create(self, request):
        """Plan an activity (the month's activity day unless ``is_activity_day`` is false)."""
        require(is_staff(request.user))
        data = _valid(s.ActivityCreateSerializer, request.data)
        activity = services.activity_plan(actor=request.user, **data)
        return Response(self._detail(activity), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ActivityUpdateSerializer, responses={200: s.ActivityDetailSerializer})
    def partial_update(self, request, pk=None):
        activity = self.get_object()
        require(permissions.can_manage_activities(request.user, activity.branch))
        data = _valid(s.ActivityUpdateSerializer, request.data, partial=True)
        held_on, move_reason = data.pop("held_on", None), data.pop("move_reason", "")
        activity = services.activity_update(
            actor=request.user, activity=activity, changes=data, held_on=held_on, move_reason=move_reason
        )
        return Response(self._detail(activity))

    @extend_schema(responses={200: s.ExpectedMemberSerializer(many=True)})
    @action(detail=True, methods=["get"], **WHOLE_LIST)
    def expected(self, request, pk=None):
        """The members expected at the activity (the branch's own, less those away, plus mobile members
        registered here), with the attendance recorded so far."""
        activity = self.get_object()
        if not permissions.can_manage_activities(request.user, activity.branch):
            raise PermissionDenied
        recorded = {a.member_id: a for a in activity.attendance.all()}
        rows = [
            {
                "id": m.pk,
                "name": m.name,
                "is_mobile_guest": m.is_mobile_guest,
                "status": recorded[m.pk].status if m.pk in recorded else None,
                "reason": recorded[m.pk].reason if m.pk in recorded else "",
            }
            for m in members_attending(activity.branch, on=activity.held_on)
        ]
        return Response(s.ExpectedMemberSerializer(rows, many=True).data)

    @extend_schema(request=s.ActivityRecordSerializer, responses={200: s.ActivityDetailSerializer})
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """Record the attendance of every member expected (and the details); saving again updates it."""
        activity = self.get_object()
        require(permissions.can_manage_activities(request.user, activity.branch))
        data = _valid(s.ActivityRecordSerializer, request.data)
        attendance = data.pop("attendance")
        held_on, move_reason = data.pop("held_on", None), data.pop("move_reason", "")
        activity = services.activity_record(
            actor=request.user,
            activity=activity,
            attendance=attendance,
            held_on=held_on,
            move_reason=move_reason,
            changes=data,
        )
        return Response(self._detail(activity))

    @extend_schema(request=s.ActivityReasonSerializer, responses={200: s.ActivityDetailSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        activity = self.get_object()
        require(permissions.can_manage_activities(request.user, activity.branch))
        data = _valid(s.ActivityReasonSerializer, request.data)
        activity = services.activity_cancel(actor=request.user, activity=activity, reason=data["reason"])
        return Response(self._detail(activity))

    @extend_schema(
        request={"multipart/form-data": s.AttachmentUploadSerializer}, responses={201: s.AttachmentSerializer}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        """Attach an image or a PDF (type checked by content, size limited)."""
        activity = self.get_object()
        require(permissions.can_manage_activities(request.user, activity.branch))
        data = _valid(s.AttachmentUploadSerializer, request.data)
        attachment = services.attachment_add(actor=request.user, activity=activity, upload=data["file"])
        return Response(s.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def remove_attachment(self, request, pk=None, attachment_id=None):
        activity = self.get_object()
        attachment = get_object_or_404(Attachment, pk=attachment_id, activity=activity)
        services.attachment_remove(actor=request.user, attachment=attachment)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyAttendanceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own attendance as a member, newest first (wherever it was taken)."""

    serializer_class = s.MyAttendanceSerializer
    queryset = Activity.objects.none()

    def get_queryset(self):
        member = member_for_user(self.request.user)
        if member is None:
            return Activity.objects.none()
        return selectors.attendance_of_member(member)


# --- questions, reports, cases ------------------------------------------------------------------------


class QuestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """质询: questions of the branches in the caller's jurisdiction and the caller's own; unclosed unless
    ``closed`` or ``status`` says otherwise."""

    serializer_class = s.QuestionSerializer
    queryset = Question.objects.none()
    filterset_class = selectors.QuestionFilter

    def get_queryset(self):
        if self.action == "list":
            return selectors.question_list(actor=self.request.user, filters=self.request.query_params.dict())
        return selectors.question_scope(actor=self.request.user)

    def filter_queryset(self, queryset):
        return queryset if self.action == "list" else super().filter_queryset(queryset)

    @extend_schema(request=s.QuestionAskSerializer, responses={201: s.QuestionSerializer})
    def create(self, request):
        """A member asks (of the branch where they take part); a secretary records a question raised at an
        activity, naming the asker."""
        require(is_staff(request.user) or member_for_user(request.user) is not None)
        data = _valid(s.QuestionAskSerializer, request.data)
        question = services.question_ask(actor=request.user, **{k: v for k, v in data.items() if v is not None})
        return Response(s.QuestionSerializer(question).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.QuestionActSerializer, responses={200: s.QuestionSerializer})
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        question = self.get_object()
        require(permissions.can_answer_question(request.user, question))
        data = _valid(s.QuestionActSerializer, request.data)
        question = services.question_act(actor=request.user, question=question, action=data["action"])
        return Response(s.QuestionSerializer(question).data)

    @extend_schema(request=s.QuestionAnswerSerializer, responses={200: s.QuestionSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        question = self.get_object()
        require(permissions.can_answer_question(request.user, question))
        data = _valid(s.QuestionAnswerSerializer, request.data)
        question = services.question_answer(actor=request.user, question=question, answer=data["answer"])
        return Response(s.QuestionSerializer(question).data)

    @extend_schema(request=None, responses={200: s.QuestionSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        question = services.question_close(actor=request.user, question=self.get_object())
        return Response(s.QuestionSerializer(question).data)

    @extend_schema(request=s.ActivityReasonSerializer, responses={200: s.QuestionSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        question = self.get_object()
        require(permissions.can_close_question(request.user, question))
        data = _valid(s.ActivityReasonSerializer, request.data)
        question = services.question_reopen(actor=request.user, question=question, reason=data["reason"])
        return Response(s.QuestionSerializer(question).data)


class MonthlyReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly reports sent upward by the branches in the caller's jurisdiction."""

    serializer_class = s.MonthlyReportSerializer
    queryset = MonthlyReport.objects.none()

    def get_queryset(self):
        return selectors.report_list(actor=self.request.user, filters=self.request.query_params.dict())

    @extend_schema(
        parameters=[
            OpenApiParameter("branch", ID),
            OpenApiParameter("month", MONTH, description="YYYY-MM"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.MonthlyReportWriteSerializer, responses={201: s.MonthlyReportSerializer})
    def create(self, request):
        """Submit (or amend) a month's report; the first submission after the due day is marked late."""
        require(is_staff(request.user))
        data = _valid(s.MonthlyReportWriteSerializer, request.data)
        report = services.monthly_report_submit(actor=request.user, **data)
        return Response(s.MonthlyReportSerializer(report).data, status=status.HTTP_201_CREATED)


class ExcellentCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """优秀案例: published ones for everyone; marked and withdrawn ones for the admins above the branch."""

    serializer_class = s.ExcellentCaseSerializer
    queryset = ExcellentCase.objects.none()

    def get_queryset(self):
        return selectors.case_list(actor=self.request.user)

    @extend_schema(request=s.ExcellentCaseWriteSerializer, responses={201: s.ExcellentCaseSerializer})
    def create(self, request):
        require(is_org_admin(request.user))
        data = _valid(s.ExcellentCaseWriteSerializer, request.data)
        activity = data.pop("activity")
        if not permissions.can_view_activity(request.user, activity):
            raise NotFound
        case = services.case_mark(actor=request.user, activity=activity, **data)
        return Response(s.ExcellentCaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.ExcellentCaseSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        case = services.case_publish(actor=request.user, case=self.get_object())
        return Response(s.ExcellentCaseSerializer(case).data)

    @extend_schema(request=s.ActivityReasonSerializer, responses={200: s.ExcellentCaseSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        case = self.get_object()
        require(permissions.can_publish_case(request.user, case))
        data = _valid(s.ActivityReasonSerializer, request.data)
        case = services.case_withdraw(actor=request.user, case=case, reason=data["reason"])
        return Response(s.ExcellentCaseSerializer(case).data)


# --- supervision --------------------------------------------------------------------------------------

SUPERVISION_PARAMS = [
    OpenApiParameter("org", ID, description="default: the top organization the caller administers"),
    OpenApiParameter("year", YEAR, description="default: this year"),
    OpenApiParameter("month", MONTH, description="YYYY-MM: one month instead of the whole year"),
]


def _supervised_org(request) -> Organization:
    org_id = _int_param(request, "org")
    if org_id is None:
        org = selectors.supervision_orgs(actor=request.user).first()
        if org is None:
            raise PermissionDenied
    else:
        org = selectors.org_by_id(org_id)
        if org is None or not permissions.can_supervise(request.user, org):
            raise NotFound
    return org


def _period(request) -> dict:
    month = _month_param(request)
    year = month.year if month else _int_param(request, "year", timezone.localdate().year, low=2000, high=2100)
    return {"year": year, "month": month}


def _supervision(request):
    return selectors.supervision_report(org=_supervised_org(request), **_period(request))


class SupervisionView(APIView):
    """Supervision of an organization's branches for a year or a month: who held the day, attendance,
    absences in a row, overdue questions, reports sent upward, excellent cases, leading cadres; split by
    the organizations one level below (follow ``children[].id`` to drill down)."""

    @extend_schema(parameters=SUPERVISION_PARAMS, responses={200: s.SupervisionSerializer})
    def get(self, request):
        # The answer as sent, from the shared cache while nothing under the organization changed. The
        # caller's own top organization is known by its path from their roles: a cached answer needs no
        # query for it.
        period = {**_period(request), "today": timezone.localdate()}
        path = selectors.supervision_top_path(actor=request.user) if "org" not in request.query_params else None
        org = None if path else _supervised_org(request)
        path = path or org.path

        def compute():
            target = org or Organization.objects.get(path=path)
            return s.SupervisionSerializer(selectors.supervision_report(org=target, **period)).data

        data = cache.cached(
            [supervision_cache.namespace(path)],
            ("supervision-api", path, period["year"], period["month"], period["today"], get_language()),
            compute,
        )
        return Response(data)


class SupervisionExportView(APIView):
    """The same supervision as an .xlsx workbook."""

    @extend_schema(parameters=SUPERVISION_PARAMS, responses={(200, XLSX): OpenApiTypes.BINARY})
    def get(self, request):
        report = _supervision(request)
        response = HttpResponse(export.supervision_workbook(report), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{export.filename(report)}"'
        return response
