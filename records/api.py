"""The records API (under /api/v1/records/): thin views over the selectors and services.

Objects outside the caller's jurisdiction are 404; a confirmed entry answers 409 to any change and no
entry is deleted (405): a confirmed one is corrected, an unconfirmed one withdrawn.
"""

from datetime import date

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from orgs.api_base import is_org_admin, is_staff, require
from orgs.models import Organization
from orgs.selectors import jurisdiction_of

from . import export, selectors, services
from . import permissions as perm
from . import serializers as s
from .models import ActivityCard, DuesPayment, PointRule, PointTable, RecordEntry

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _valid(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _on_param(request) -> date:
    if "on" not in request.query_params:
        return timezone.localdate()
    raw = request.query_params["on"]
    try:
        on = date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({"on": [_("Give a date as YYYY-MM-DD.")]}) from exc
    if not 1990 <= on.year <= 2100:
        # A well-formed date the records do not reach: a rule about the data, not the request's shape.
        raise ValidationError({"on": [_("Choose a date between 1990 and 2100.")]}, code="out_of_range")
    return on


def _branch_param(request, *, required: bool = False) -> Organization | None:
    raw = request.query_params.get("branch")
    if raw is None:
        if required:
            raise ValidationError({"branch": [_("This field is required.")]}, code="required")
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        raise ValidationError({"branch": [_("Give a whole number.")]})
    return get_object_or_404(selectors.branches_for(actor=request.user), pk=int(raw))


def _visible_member(request, member):
    if not perm.can_view_member_records(request.user, member):
        raise ValidationError({"member": [_("No such party member.")]}, code="does_not_exist")
    return member


class EntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Record entries: a member's own, a secretary's branch, an admin's subtree."""

    queryset = RecordEntry.objects.none()
    serializer_class = s.EntrySerializer
    filterset_class = selectors.EntryFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = selectors.entry_list(actor=self.request.user)
        if self.action == "retrieve":
            qs = selectors.entries_with_history(qs)
        return qs

    def get_serializer_class(self):
        return s.EntryDetailSerializer if self.action == "retrieve" else s.EntrySerializer

    def _detail(self, entry, code=status.HTTP_200_OK):
        entry = selectors.entries_with_history(selectors.entry_list(actor=self.request.user)).get(pk=entry.pk)
        return Response(s.EntryDetailSerializer(entry).data, status=code)

    @extend_schema(request=s.EntryCreateSerializer, responses={201: s.EntryDetailSerializer})
    def create(self, request):
        """Record a reward or punishment, or the role played in a year with its democratic appraisal.

        Someone who keeps no branch's records is refused (403) before the body is read; a keeper naming a
        member outside their jurisdiction hears that there is no such member (400 on ``member``)."""
        require(is_staff(request.user))
        data = dict(_valid(s.EntryCreateSerializer, request.data))
        member = _visible_member(request, data["member"])
        if data["kind"] == RecordEntry.Kind.MERIT:
            entry = services.merit_entry_create(
                actor=request.user,
                member=member,
                merit=data["merit"],
                occurred_on=data["occurred_on"],
                title=data["title"],
                details=data.get("details", ""),
            )
        else:
            entry = services.role_entry_create(
                actor=request.user,
                member=member,
                year=data["year"],
                grade=data["grade"],
                appraised_on=data["appraised_on"],
                details=data["details"],
                title=data.get("title", ""),
            )
        return self._detail(entry, status.HTTP_201_CREATED)

    @extend_schema(request=s.EntryAmendSerializer, responses={200: s.EntryDetailSerializer})
    def partial_update(self, request, pk=None):
        """Change an unconfirmed entry (409 once confirmed: record a correction instead)."""
        entry = self.get_object()
        data = dict(_valid(s.EntryAmendSerializer, request.data))
        reason = data.pop("reason", "")
        entry = services.entry_amend(actor=request.user, entry=entry, changes=data, reason=reason)
        return self._detail(entry)

    @extend_schema(exclude=True)
    def update(self, request, pk=None):
        return self.http_method_not_allowed(request)

    @extend_schema(request=None, responses={200: s.EntryDetailSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The member confirms the entry; it never changes afterwards."""
        entry = services.entry_confirm(actor=request.user, entry=self.get_object())
        return self._detail(entry)

    @extend_schema(request=s.DisputeSerializer, responses={200: s.EntryDetailSerializer})
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        entry = self.get_object()
        require(perm.can_answer_entry(request.user, entry))
        data = _valid(s.DisputeSerializer, request.data)
        entry = services.entry_dispute(actor=request.user, entry=entry, reason=data["reason"])
        return self._detail(entry)

    @extend_schema(request=s.ResolveSerializer, responses={200: s.EntryDetailSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        entry = self.get_object()
        data = _valid(s.ResolveSerializer, request.data)
        entry = services.entry_resolve(
            actor=request.user, entry=entry, reply=data["reply"], changes=dict(data.get("changes") or {})
        )
        return self._detail(entry)

    @extend_schema(request=s.WithdrawSerializer, responses={200: s.EntryDetailSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        entry = self.get_object()
        data = _valid(s.WithdrawSerializer, request.data)
        entry = services.entry_withdraw(actor=request.user, entry=entry, reason=data["reason"])
        return self._detail(entry)

    @extend_schema(request=s.CorrectSerializer, responses={201: s.EntryDetailSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Correct a confirmed entry: a new entry referencing it, for the member to confirm."""
        entry = self.get_object()
        data = _valid(s.CorrectSerializer, request.data)
        correction = services.entry_correct(
            actor=request.user,
            entry=entry,
            reason=data["reason"],
            changes=dict(data.get("changes") or {}),
            voids=data.get("voids", False),
        )
        return self._detail(correction, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("branch", {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}, required=True)
        ],
        responses={(200, XLSX): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        """The record archive of a branch as .xlsx (cards, entries, history, dues, appraisals)."""
        branch = _branch_param(request, required=True)  # 404 outside the caller's jurisdiction
        response = HttpResponse(export.archive_bytes(branch), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="records-{branch.pk}.xlsx"'
        return response


class CardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """党员活动证 of the members the caller may see."""

    queryset = ActivityCard.objects.none()
    serializer_class = s.CardSerializer

    def get_queryset(self):
        members = selectors.member_records(actor=self.request.user)
        return (
            ActivityCard.objects.filter(member__in=members.values("pk"))
            .select_related("member", "numbered_by", "stamped_by", "issued_by", "registered_by")
            .order_by("number")
        )

    @extend_schema(request=s.CardCreateSerializer, responses={201: s.CardSerializer})
    def create(self, request):
        require(is_staff(request.user))
        data = dict(_valid(s.CardCreateSerializer, request.data))
        data["member"] = _visible_member(request, data["member"])
        card = services.card_issue(actor=request.user, **data)
        return Response(s.CardSerializer(card).data, status=status.HTTP_201_CREATED)


class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Dues payments; ``POST`` records one (the amount is computed from the 2008 rules)."""

    queryset = DuesPayment.objects.none()
    serializer_class = s.PaymentSerializer

    def get_queryset(self):
        return selectors.payment_list(actor=self.request.user).prefetch_related("month_rows")

    @extend_schema(request=s.PaymentCreateSerializer, responses={201: s.PaymentSerializer})
    def create(self, request):
        require(is_staff(request.user))
        data = dict(_valid(s.PaymentCreateSerializer, request.data))
        data["member"] = _visible_member(request, data["member"])
        payment = services.dues_pay(actor=request.user, **data)
        return Response(s.PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.QuarterlyApprovalSerializer, responses={204: None})
    @action(detail=False, methods=["post"])
    def quarterly(self, request):
        """Approve that a member pays by the quarter."""
        require(is_staff(request.user))
        data = dict(_valid(s.QuarterlyApprovalSerializer, request.data))
        data["member"] = _visible_member(request, data["member"])
        services.quarterly_dues_approve(actor=request.user, **data)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.ArrearsReasonCreateSerializer, responses={204: None})
    @action(detail=False, methods=["post"], url_path="arrears-reasons")
    def arrears_reason(self, request):
        """Note why a member has not paid: the months up to ``until_month`` raise no flag."""
        require(is_staff(request.user))
        data = dict(_valid(s.ArrearsReasonCreateSerializer, request.data))
        data["member"] = _visible_member(request, data["member"])
        services.arrears_reason_record(actor=request.user, **data)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[
            OpenApiParameter("branch", {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}),
            OpenApiParameter("on", OpenApiTypes.DATE),
        ],
        responses={200: s.StandingSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def arrears(self, request):
        """Members with unpaid months up to last month, the longest run first; ``flagged``: six months or
        more in a row without a reason noted (for the branch to act on; nothing happens automatically)."""
        standings = selectors.arrears(actor=request.user, branch=_branch_param(request), on=_on_param(request))
        return Response(s.StandingSerializer(standings, many=True).data)


class PointRuleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Points rules of the organizations in the caller's jurisdiction (``?organization=``)."""

    queryset = PointRule.objects.none()
    serializer_class = s.PointRuleSerializer

    def get_queryset(self):
        j = jurisdiction_of(self.request.user)
        qs = PointRule.objects.select_related("organization").order_by("organization__path", "item")
        if not j.is_superuser:
            qs = qs.filter(j.q("organization"))
        raw = self.request.query_params.get("organization")
        if raw is not None:
            if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
                raise ValidationError({"organization": [_("Give a whole number.")]})
            qs = qs.filter(organization_id=int(raw))
        return qs

    @extend_schema(
        parameters=[OpenApiParameter("organization", {"type": "integer", "minimum": 1, "maximum": 10**18 - 1})],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.PointRulesSetSerializer, responses={200: s.PointRuleSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="set", pagination_class=None, filter_backends=[])
    def set_rules(self, request):
        """Set an organization's rules (``points`` null removes an item); every points table of the
        branches below is recomputed."""
        require(is_org_admin(request.user))
        data = _valid(s.PointRulesSetSerializer, request.data)
        rules = services.point_rules_set(
            actor=request.user, organization=data["organization"], rules=[dict(r) for r in data["rules"]]
        )
        return Response(s.PointRuleSerializer(rules, many=True).data)


class PointTableViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Yearly points tables: secretaries and admins see those of their branches, a member the published
    table of their branch."""

    queryset = PointTable.objects.none()
    serializer_class = s.PointTableSerializer

    def get_queryset(self):
        return selectors.point_table_list(actor=self.request.user)

    def get_serializer_class(self):
        return s.PointTableDetailSerializer if self.action != "list" else s.PointTableSerializer

    @extend_schema(request=s.PointTableComputeSerializer, responses={200: s.PointTableDetailSerializer})
    def create(self, request):
        """Compute (or recompute) a branch's table of a year."""
        require(is_staff(request.user))
        data = _valid(s.PointTableComputeSerializer, request.data)
        table = services.point_table_compute(actor=request.user, branch=data["branch"], year=data["year"])
        return Response(s.PointTableDetailSerializer(table).data)

    @extend_schema(request=None, responses={200: s.PointTableDetailSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        table = services.point_table_publish(actor=request.user, table=self.get_object())
        return Response(s.PointTableDetailSerializer(table).data)
