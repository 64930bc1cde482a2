"""The members API (under /api/v1/): thin views over the selectors and services.

Lists and details show ID numbers and phones masked; ``POST …/reveal/`` returns one full value and
writes an audit row. Objects outside the caller's jurisdiction are 404.
"""

from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from orgs.api_base import WHOLE_LIST, is_org_admin, is_staff, require

from . import permissions as perm
from . import roster, selectors, services
from . import serializers as s
from .models import (
    Activist,
    Member,
    MobileCensus,
    MobileMembership,
    MobileNotice,
    Partnership,
    Probation,
    ProbationDecision,
    RecordExemption,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _valid(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _on_param(request) -> date:
    raw = request.query_params.get("on")
    if not raw:
        return timezone.localdate()
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({"on": ["YYYY-MM-DD"]}) from exc


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Members in the caller's jurisdiction: admins their subtree, secretaries their branch (and the mobile
    members registered with them), a member only itself."""

    queryset = Member.objects.none()
    serializer_class = s.MemberSerializer
    filterset_class = selectors.MemberFilter

    def get_queryset(self):
        return selectors.member_list(
            actor=self.request.user, filters={"include_left": self.request.query_params.get("include_left", "")}
        )

    def get_serializer_class(self):
        return s.MemberDetailSerializer if self.action == "retrieve" else s.MemberSerializer

    @extend_schema(request=s.MemberWriteSerializer, responses={201: s.MemberDetailSerializer})
    def create(self, request):
        require(is_staff(request.user))
        data = dict(_valid(s.MemberWriteSerializer, request.data))
        member = services.member_create(actor=request.user, **data)
        return Response(s.MemberDetailSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MemberUpdateSerializer, responses={200: s.MemberDetailSerializer})
    def partial_update(self, request, pk=None):
        member = self.get_object()
        changes = dict(_valid(s.MemberUpdateSerializer, request.data))
        member = services.member_update(actor=request.user, member=member, changes=changes)
        return Response(s.MemberDetailSerializer(member).data)

    @extend_schema(request=s.RevealRequestSerializer, responses={200: s.RevealResponseSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The full ID number or phone, with a reason; each call writes one audit row."""
        member = self.get_object()
        data = _valid(s.RevealRequestSerializer, request.data)
        value = services.personal_data_reveal(
            actor=request.user, subject=member, field=data["field"], reason=data["reason"]
        )
        return Response({"field": data["field"], "value": value})

    @extend_schema(request=s.LeaveSerializer, responses={200: s.MemberDetailSerializer})
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        member = self.get_object()
        require(perm.can_manage_member(request.user, member))
        data = _valid(s.LeaveSerializer, request.data)
        member = services.member_leave(actor=request.user, member=member, **data)
        return Response(s.MemberDetailSerializer(member).data)

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def export(self, request):
        """The roster as .xlsx with masked ID numbers and phones (the filters of the list apply)."""
        qs = self.filter_queryset(self.get_queryset())
        return _xlsx(roster.workbook_bytes(qs.iterator(chunk_size=2000), full=False), "members.xlsx")

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def template(self, request):
        """An empty roster with the header row, to fill in and import."""
        return _xlsx(roster.template_bytes(), "members-template.xlsx")

    @extend_schema(
        request={"multipart/form-data": s.ImportRequestSerializer},
        responses={200: s.ImportResultSerializer, 400: s.ImportRejectedSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_roster(self, request):
        """Import a roster (.xlsx). Any bad row: 400 with every error by row and column, nothing imported."""
        require(is_staff(request.user))
        data = _valid(s.ImportRequestSerializer, request.data)
        outcome = services.member_import(
            actor=request.user, data=data["file"].read(), default_branch=data.get("branch")
        )
        body = {
            "created": outcome.created,
            "updated": outcome.updated,
            "error_count": outcome.error_count,
            "errors": [e.as_dict() for e in outcome.errors],
        }
        return Response(body, status=status.HTTP_200_OK if outcome.ok else status.HTTP_400_BAD_REQUEST)


MAX_DAYS_AHEAD = 36500  # a hundred years: further than any probation can end


class ProbationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Open probations; ``?ending_within=30`` lists those ending within 30 days (or overdue)."""

    queryset = Probation.objects.none()
    serializer_class = s.ProbationSerializer

    def get_queryset(self):
        raw = self.request.query_params.get("ending_within")
        if raw not in (None, "") and not (raw.isascii() and raw.isdigit() and int(raw) <= MAX_DAYS_AHEAD):
            raise ValidationError({"ending_within": [f"0–{MAX_DAYS_AHEAD}"]})
        return selectors.probation_list(actor=self.request.user, ending_within=int(raw) if raw else None)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "ending_within", {"type": "integer", "minimum": 0, "maximum": MAX_DAYS_AHEAD}, description="days"
            )
        ],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.ProposeDecisionSerializer, responses={201: s.ProbationDecisionSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Record the branch meeting's decision (convert, extend, cancel); it waits for the committee above."""
        probation = self.get_object()
        require(perm.can_manage_member(request.user, probation.member))
        data = _valid(s.ProposeDecisionSerializer, request.data)
        decision = services.probation_decision_propose(actor=request.user, probation=probation, **data)
        return Response(s.ProbationDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class ProbationDecisionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Decisions awaiting the caller's approval (an org admin above the branch)."""

    queryset = ProbationDecision.objects.none()
    serializer_class = s.ProbationDecisionSerializer

    def get_queryset(self):
        return selectors.probation_decisions_to_approve(actor=self.request.user)

    @extend_schema(request=s.ApproveDecisionSerializer, responses={200: s.ProbationDecisionSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        decision = self.get_object()
        require(perm.can_approve_for_branch(request.user, decision.probation.member.branch))
        data = _valid(s.ApproveDecisionSerializer, request.data)
        decision = services.probation_decision_approve(actor=request.user, decision=decision, **data)
        return Response(s.ProbationDecisionSerializer(decision).data)

    @extend_schema(request=s.NotesSerializer, responses={200: s.ProbationDecisionSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        decision = self.get_object()
        require(perm.can_approve_for_branch(request.user, decision.probation.member.branch))
        data = _valid(s.NotesSerializer, request.data)
        decision = services.probation_decision_reject(actor=request.user, decision=decision, **data)
        return Response(s.ProbationDecisionSerializer(decision).data)


class ExemptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Exemptions from record keeping (年老多病、身体残疾): requested by the branch, approved above."""

    queryset = RecordExemption.objects.none()
    serializer_class = s.ExemptionSerializer

    def get_queryset(self):
        return selectors.exemption_list(actor=self.request.user, state=self.request.query_params.get("state"))

    @extend_schema(request=s.ExemptionSerializer, responses={201: s.ExemptionSerializer})
    def create(self, request):
        require(is_staff(request.user))
        serializer = s.ExemptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = get_object_or_404(selectors.member_list(actor=request.user), pk=serializer.validated_data["member"].pk)
        exemption = services.exemption_request(
            actor=request.user,
            member=member,
            reason=serializer.validated_data["reason"],
            details=serializer.validated_data.get("details", ""),
        )
        return Response(s.ExemptionSerializer(exemption).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.NotesSerializer, responses={200: s.ExemptionSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        exemption = self.get_object()
        require(perm.can_approve_for_branch(request.user, exemption.member.branch))
        data = _valid(s.NotesSerializer, request.data)
        exemption = services.exemption_approve(actor=request.user, exemption=exemption, **data)
        return Response(s.ExemptionSerializer(exemption).data)

    @extend_schema(request=s.NotesSerializer, responses={200: s.ExemptionSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        exemption = self.get_object()
        require(perm.can_approve_for_branch(request.user, exemption.member.branch))
        data = _valid(s.NotesSerializer, request.data)
        exemption = services.exemption_reject(actor=request.user, exemption=exemption, **data)
        return Response(s.ExemptionSerializer(exemption).data)

    @extend_schema(request=s.NotesSerializer, responses={200: s.ExemptionSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        exemption = self.get_object()
        require(perm.can_manage_member(request.user, exemption.member))
        data = _valid(s.NotesSerializer, request.data)
        exemption = services.exemption_revoke(actor=request.user, exemption=exemption, **data)
        return Response(s.ExemptionSerializer(exemption).data)


class ActivistViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """入党积极分子 and 发展对象 (``?stage=activist|candidate``; closed ones with ``?stage=admitted|dropped``)."""

    queryset = Activist.objects.none()
    serializer_class = s.ActivistSerializer

    def get_queryset(self):
        stage = self.request.query_params.get("stage") or None
        if stage and stage not in Activist.Stage.values:
            raise ValidationError({"stage": [f"one of {', '.join(Activist.Stage.values)}"]})
        return selectors.activist_list(actor=self.request.user, stage=stage, include_closed=self.action != "list")

    @extend_schema(request=s.ActivistWriteSerializer, responses={201: s.ActivistSerializer})
    def create(self, request):
        require(is_staff(request.user))
        data = _valid(s.ActivistWriteSerializer, request.data)
        activist = services.activist_create(actor=request.user, **data)
        return Response(s.ActivistSerializer(activist).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PromoteSerializer, responses={200: s.ActivistSerializer})
    @action(detail=True, methods=["post"])
    def promote(self, request, pk=None):
        activist = self.get_object()
        require(perm.can_manage_branch_members(request.user, activist.branch))
        data = _valid(s.PromoteSerializer, request.data)
        activist = services.activist_promote(actor=request.user, activist=activist, **data)
        return Response(s.ActivistSerializer(activist).data)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.ActivistSerializer})
    @action(detail=True, methods=["post"])
    def drop(self, request, pk=None):
        activist = self.get_object()
        require(perm.can_manage_branch_members(request.user, activist.branch))
        data = _valid(s.ReasonSerializer, request.data)
        activist = services.activist_drop(actor=request.user, activist=activist, **data)
        return Response(s.ActivistSerializer(activist).data)

    @extend_schema(request=s.AdmitSerializer, responses={201: s.MemberDetailSerializer})
    @action(detail=True, methods=["post"])
    def admit(self, request, pk=None):
        activist = self.get_object()
        require(perm.can_manage_branch_members(request.user, activist.branch))
        data = _valid(s.AdmitSerializer, request.data)
        member = services.activist_admit(actor=request.user, activist=activist, **data)
        return Response(s.MemberDetailSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RevealRequestSerializer, responses={200: s.RevealResponseSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        activist = self.get_object()
        data = _valid(s.RevealRequestSerializer, request.data)
        value = services.personal_data_reveal(
            actor=request.user, subject=activist, field=data["field"], reason=data["reason"]
        )
        return Response({"field": data["field"], "value": value})


_CARD = inline_serializer(
    "MobileCertificateCard",
    {
        "certificate_number": serializers.CharField(),
        "member_name": serializers.CharField(),
        "outflow_branch": serializers.CharField(),
        "destination": serializers.CharField(),
        "left_on": serializers.DateField(),
        "certificate_valid_until": serializers.DateField(),
        "status": serializers.CharField(),
    },
)


def _card(m: MobileMembership) -> dict:
    return {
        "certificate_number": m.certificate_number,
        "member_name": m.member.name,
        "outflow_branch": m.outflow_branch.full_name,
        "destination": m.destination,
        "left_on": m.left_on,
        "certificate_valid_until": m.certificate_valid_until,
        "status": m.status,
    }


class MobileViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Mobile members (流动党员), seen by the outflow and the inflow branch and the supervisors of either."""

    queryset = MobileMembership.objects.none()
    serializer_class = s.MobileSerializer
    filterset_class = selectors.MobileFilter

    def get_queryset(self):
        return selectors.mobile_list(actor=self.request.user)

    def filter_queryset(self, queryset):
        # the "side" filter needs the caller's jurisdiction
        if self.action == "list":
            fs = selectors.MobileFilter(self.request.query_params, queryset=queryset)
            fs.request_user = self.request.user
            if not fs.is_valid():
                raise translate_validation(fs.errors)  # a DRF error that keeps each error's code
            return fs.qs
        return queryset

    def get_serializer_class(self):
        return s.MobileDetailSerializer if self.action == "retrieve" else s.MobileSerializer

    @extend_schema(request=s.OutflowSerializer, responses={201: s.MobileDetailSerializer})
    def create(self, request):
        """The outflow branch registers a member going out and issues the certificate."""
        require(is_staff(request.user))
        data = dict(_valid(s.OutflowSerializer, request.data))
        data["member"] = get_object_or_404(selectors.member_list(actor=request.user), pk=data["member"].pk)
        membership = services.mobile_outflow_register(actor=request.user, **data)
        return Response(s.MobileDetailSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.LookupSerializer, responses={200: _CARD})
    @action(detail=False, methods=["post"])
    def lookup(self, request):
        """Find the certificate a member presents (number and name, both printed on it)."""
        require(is_staff(request.user))
        data = _valid(s.LookupSerializer, request.data)
        return Response(_card(services.mobile_lookup(actor=request.user, **data)))

    @extend_schema(
        request=inline_serializer(
            "MobileRegisterRequest",
            {**s.LookupSerializer().fields, **s.RegisterSerializer().fields},
        ),
        responses={200: s.MobileDetailSerializer},
    )
    @action(detail=False, methods=["post"])
    def register(self, request):
        """The inflow branch registers the member from the certificate and places them in a branch or group."""
        require(is_staff(request.user))
        found = _valid(s.LookupSerializer, request.data)
        data = _valid(s.RegisterSerializer, request.data)
        membership = services.mobile_lookup(actor=request.user, **found)
        membership = services.mobile_inflow_register(actor=request.user, membership=membership, **data)
        return Response(s.MobileDetailSerializer(membership).data)

    @extend_schema(
        parameters=[OpenApiParameter("on", OpenApiTypes.DATE, description="the day to judge (default today)")],
        responses={200: s.MobileSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def overdue(self, request):
        """Mobile members not reached in the whole previous quarter nor since (the outflow side's duty)."""
        qs = selectors.contacts_overdue(actor=request.user, on=_on_param(request))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.MobileSerializer(page, many=True).data)

    def _sub(self, request, *, reader, writer, may_write, serializer_class, **writer_kwargs):
        membership = self.get_object()
        if request.method == "GET":
            return Response(serializer_class(reader(membership), many=True).data)
        require(may_write(request.user, membership))
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = writer(actor=request.user, membership=membership, **serializer.validated_data, **writer_kwargs)
        return Response(serializer_class(obj).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: s.ContactSerializer(many=True)})
    @extend_schema(methods=["POST"], request=s.ContactSerializer, responses={201: s.ContactSerializer})
    @action(detail=True, methods=["get", "post"], **WHOLE_LIST)
    def contacts(self, request, pk=None):
        """The outflow branch's contact log (at least once a quarter)."""
        return self._sub(
            request,
            reader=lambda m: m.contacts.all(),
            writer=services.mobile_contact_record,
            may_write=perm.can_manage_outflow,
            serializer_class=s.ContactSerializer,
        )

    @extend_schema(methods=["GET"], responses={200: s.NoticeSerializer(many=True)})
    @extend_schema(methods=["POST"], request=s.NoticeSerializer, responses={201: s.NoticeSerializer})
    @action(detail=True, methods=["get", "post"], **WHOLE_LIST)
    def notices(self, request, pk=None):
        """Notices exchanged between the outflow and the inflow branch."""
        return self._sub(
            request,
            reader=selectors.notices_for,
            writer=services.mobile_notice_send,
            may_write=lambda user, m: perm.can_manage_outflow(user, m) or perm.can_manage_inflow(user, m),
            serializer_class=s.NoticeSerializer,
        )

    @extend_schema(methods=["GET"], responses={200: s.ParticipationSerializer(many=True)})
    @extend_schema(methods=["POST"], request=s.ParticipationSerializer, responses={201: s.ParticipationSerializer})
    @action(detail=True, methods=["get", "post"], **WHOLE_LIST)
    def participations(self, request, pk=None):
        """Organizational life, dues and activities recorded by the inflow branch."""
        return self._sub(
            request,
            reader=lambda m: m.participations.all(),
            writer=services.mobile_participation_record,
            may_write=perm.can_manage_inflow,
            serializer_class=s.ParticipationSerializer,
        )

    @extend_schema(methods=["GET"], responses={200: s.FeedbackSerializer(many=True)})
    @extend_schema(methods=["POST"], request=s.FeedbackSerializer, responses={201: s.FeedbackSerializer})
    @action(detail=True, methods=["get", "post"], **WHOLE_LIST)
    def feedback(self, request, pk=None):
        """The inflow branch's written feedback when a probationary mobile member's year ends."""
        return self._sub(
            request,
            reader=lambda m: m.feedback.all(),
            writer=services.probation_feedback_submit,
            may_write=perm.can_manage_inflow,
            serializer_class=s.FeedbackSerializer,
        )

    @extend_schema(request=s.RelocateSerializer, responses={200: s.MobileDetailSerializer})
    @action(detail=True, methods=["post"])
    def relocate(self, request, pk=None):
        membership = self.get_object()
        require(perm.can_manage_outflow(request.user, membership) or perm.can_manage_inflow(request.user, membership))
        data = _valid(s.RelocateSerializer, request.data)
        membership = services.mobile_relocate(actor=request.user, membership=membership, **data)
        return Response(s.MobileDetailSerializer(membership).data)

    @extend_schema(request=s.ReturnSerializer, responses={200: s.MobileDetailSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """The outflow branch verifies the certificate and the conduct while away on the member's return."""
        membership = self.get_object()
        require(perm.can_manage_outflow(request.user, membership))
        data = _valid(s.ReturnSerializer, request.data)
        membership = services.mobile_return(actor=request.user, membership=membership, **data)
        return Response(s.MobileDetailSerializer(membership).data)


class NoticeViewSet(viewsets.GenericViewSet):
    queryset = MobileNotice.objects.none()
    serializer_class = s.NoticeSerializer

    def get_queryset(self):
        return MobileNotice.objects.filter(membership__in=selectors.mobile_list(actor=self.request.user))

    @extend_schema(request=None, responses={200: s.NoticeSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notice = services.mobile_notice_mark_read(actor=request.user, notice=self.get_object())
        return Response(s.NoticeSerializer(notice).data)


class CensusViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Yearly censuses (排查) of the committees and departments the caller administers."""

    queryset = MobileCensus.objects.none()
    serializer_class = s.CensusSerializer

    def get_queryset(self):
        return selectors.census_list(actor=self.request.user)

    @extend_schema(request=s.CensusRunSerializer, responses={201: s.CensusSerializer})
    def create(self, request):
        """Take (or retake) the census of an organization for a year."""
        require(is_org_admin(request.user))
        data = _valid(s.CensusRunSerializer, request.data)
        census = services.census_take(organization=data["organization"], year=data.get("year"), actor=request.user)
        return Response(s.CensusSerializer(census).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("flagged", bool)], responses={200: s.CensusEntrySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def entries(self, request, pk=None):
        flagged = request.query_params.get("flagged") in ("1", "true", "True")
        qs = selectors.census_entries(self.get_object(), flagged_only=flagged)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.CensusEntrySerializer(page, many=True).data)


class PartnershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Co-management agreements (共管协议) and pairings (结对共建) with their terms and review dates."""

    queryset = Partnership.objects.none()
    serializer_class = s.PartnershipSerializer

    def get_queryset(self):
        return selectors.partnership_list(
            actor=self.request.user, include_ended=self.request.query_params.get("include_ended") == "true"
        )

    @extend_schema(request=s.PartnershipSerializer, responses={201: s.PartnershipSerializer})
    def create(self, request):
        require(is_staff(request.user))
        data = _valid(s.PartnershipSerializer, request.data)
        partnership = services.partnership_create(actor=request.user, **data)
        return Response(s.PartnershipSerializer(partnership).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: s.PartnershipReviewSerializer(many=True)})
    @extend_schema(
        methods=["POST"], request=s.PartnershipReviewSerializer, responses={201: s.PartnershipReviewSerializer}
    )
    @action(detail=True, methods=["get", "post"], **WHOLE_LIST)
    def reviews(self, request, pk=None):
        partnership = self.get_object()
        if request.method == "GET":
            return Response(s.PartnershipReviewSerializer(partnership.reviews.all(), many=True).data)
        require(perm.can_manage_partnership(request.user, partnership))
        data = _valid(s.PartnershipReviewSerializer, request.data)
        review = services.partnership_review_record(actor=request.user, partnership=partnership, **data)
        return Response(s.PartnershipReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PartnershipEndSerializer, responses={200: s.PartnershipSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        partnership = self.get_object()
        require(perm.can_manage_partnership(request.user, partnership))
        data = _valid(s.PartnershipEndSerializer, request.data)
        partnership = services.partnership_end(actor=request.user, partnership=partnership, **data)
        return Response(s.PartnershipSerializer(partnership).data)
