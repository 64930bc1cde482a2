"""Pages of the records app: a member's own record (confirm or dispute), the secretary's branch records,
disputes, dues arrears, points, the branch archive (.xlsx) and a printable record. Thin: forms check the
input, services do the work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.models import Member
from orgs.errors import DomainError
from orgs.models import Organization, Role
from orgs.selectors import jurisdiction_of

from . import export, forms, selectors, services
from . import permissions as perm
from .dues import monthly_dues
from .models import PointRule, PointTable, RecordEntry

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _manager_required(request) -> None:
    j = jurisdiction_of(request.user)
    if not (j.has_role(Role.SECRETARY) or j.has_role(Role.ORG_ADMIN)):
        raise PermissionDenied


def _form_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def _form_page(request, form, *, title, on_valid, back, submit=None, intro="", done=None):
    """GET shows ``form``; a valid POST calls ``on_valid(cleaned_data)`` (a service) and redirects to the
    URL it returns; a DomainError goes back onto the form."""
    if request.method == "POST" and form.is_valid():
        try:
            url = on_valid(form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, done or _("Saved."))
            return redirect(url)
    return render(
        request,
        "members/form.html",
        {"form": form, "title": title, "back": back, "submit": submit or _("Save"), "intro": intro},
    )


def _member(request, pk: int) -> Member:
    member = get_object_or_404(Member.objects.select_related("branch", "user"), pk=pk)
    if not perm.can_view_member_records(request.user, member):
        raise PermissionDenied
    return member


def _kept_member(request, pk: int) -> Member:
    member = _member(request, pk)
    if not perm.can_keep_records(request.user, member.branch):
        raise PermissionDenied
    return member


def _entry(request, pk: int) -> RecordEntry:
    entry = get_object_or_404(
        RecordEntry.objects.select_related(
            "member", "member__user", "member__branch", "branch", "corrects", "activity"
        ),
        pk=pk,
    )
    if not perm.can_view_entry(request.user, entry):
        raise PermissionDenied
    return entry


def _monthly(member: Member):
    try:
        return monthly_dues(member.dues_category, member.monthly_income)
    except DomainError:
        return None


def _record_context(member: Member) -> dict:
    entries = list(
        selectors.entries_with_history(
            RecordEntry.objects.filter(member=member).select_related("created_by", "corrects", "activity")
        ).order_by("-occurred_on", "-id")
    )
    superseded = {e.corrects_id for e in entries if e.corrects_id and e.status == RecordEntry.Status.CONFIRMED}
    for e in entries:
        e.superseded = e.pk in superseded
    return {
        "member": member,
        "card": selectors.card_for(member),
        "entries": entries,
        "pending": [e for e in entries if e.status == RecordEntry.Status.PENDING],
        "disputed": [e for e in entries if e.status == RecordEntry.Status.DISPUTED],
        "appraisals": selectors.appraisals_of(member),
        "payments": selectors.payments_of(member).prefetch_related("month_rows")[:24],
        "standing": selectors.dues_standings([member])[0],
        "monthly": _monthly(member),
        "scores": selectors.published_scores_of(member),
        "today": timezone.localdate(),
    }


# --- the member ----------------------------------------------------------------------------------------


@login_required
def me(request):
    member = selectors.member_for_user(request.user)
    context = _record_context(member) if member else {"member": None}
    context["dispute_form"] = forms.DisputeForm()
    return render(request, "records/me.html", context)


@login_required
@require_POST
def entry_confirm(request, pk):
    entry = _entry(request, pk)
    try:
        services.entry_confirm(actor=request.user, entry=entry)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Entry confirmed."))
    return redirect(request.POST.get("next") or reverse("records:me"))


@login_required
def entry_dispute(request, pk):
    entry = _entry(request, pk)
    if not perm.can_answer_entry(request.user, entry):
        raise PermissionDenied
    form = forms.DisputeForm(request.POST or None)
    return _form_page(
        request,
        form,
        title=_("Dispute: %(t)s") % {"t": entry.title},
        intro=_("Say what is wrong; the branch secretary will answer and you confirm again."),
        back=reverse("records:me"),
        submit=_("Send the dispute"),
        done=_("Your dispute was sent to the branch secretary."),
        on_valid=lambda d: (
            services.entry_dispute(actor=request.user, entry=entry, reason=d["reason"]) and reverse("records:me")
        ),
    )


# --- secretaries and admins ----------------------------------------------------------------------------


@login_required
def home(request):
    _manager_required(request)
    branches = selectors.branches_for(actor=request.user)
    branch = None
    raw = request.GET.get("branch")
    if raw and raw.isascii() and raw.isdigit() and len(raw) <= 18:
        branch = get_object_or_404(branches, pk=int(raw))
    elif branches.count() == 1:
        branch = branches.first()
    members, counts = [], {}
    if branch is not None:
        members = list(
            Member.objects.filter(Organization.subtree_q(branch.path, "branch"), left_on__isnull=True)
            .select_related("activity_card")
            .order_by("name", "id")
        )
        for status, member_id in RecordEntry.objects.filter(member__in=members).values_list("status", "member_id"):
            counts.setdefault(member_id, {}).setdefault(status, 0)
            counts[member_id][status] += 1
        role_year = timezone.localdate().year - 1
        with_role = selectors.members_with_role_entry(members, year=role_year)
        for m in members:
            m.counts = counts.get(m.pk, {})
            m.card = getattr(m, "activity_card", None)
            m.role_recorded = m.pk in with_role
    return render(
        request,
        "records/home.html",
        {
            "branches": branches[:300],
            "branch": branch,
            "members": members,
            "role_year": timezone.localdate().year - 1,
            "disputes": selectors.disputes_to_resolve(actor=request.user).count(),
        },
    )


@login_required
def member_record(request, pk):
    member = _member(request, pk)
    context = _record_context(member)
    context["can_keep"] = perm.can_keep_records(request.user, member.branch)
    context["is_own"] = perm.is_own(request.user, member)
    context["dispute_form"] = forms.DisputeForm()
    return render(request, "records/member.html", context)


@login_required
def member_print(request, pk):
    member = _member(request, pk)
    return render(request, "records/print.html", _record_context(member))


@login_required
def card_issue(request, pk):
    member = _kept_member(request, pk)
    form = forms.CardForm(request.POST or None, branch=member.branch)
    back = reverse("records:member", args=[member.pk])
    return _form_page(
        request,
        form,
        title=_("Register the activity card of %(name)s") % {"name": member.name},
        back=back,
        on_valid=lambda d: services.card_issue(actor=request.user, member=member, **d) and back,
    )


@login_required
def merit_create(request, pk):
    member = _kept_member(request, pk)
    form = forms.MeritForm(request.POST or None)
    back = reverse("records:member", args=[member.pk])
    return _form_page(
        request,
        form,
        title=_("Record a reward or punishment of %(name)s") % {"name": member.name},
        back=back,
        on_valid=lambda d: services.merit_entry_create(actor=request.user, member=member, **d) and back,
    )


@login_required
def role_create(request, pk):
    member = _kept_member(request, pk)
    form = forms.RoleForm(request.POST or None, initial={"year": timezone.localdate().year - 1})
    back = reverse("records:member", args=[member.pk])
    return _form_page(
        request,
        form,
        title=_("Record the role played by %(name)s") % {"name": member.name},
        intro=_("At least once a year, with the grade of the democratic appraisal."),
        back=back,
        on_valid=lambda d: services.role_entry_create(actor=request.user, member=member, **d) and back,
    )


@login_required
def dues_pay(request, pk):
    member = _kept_member(request, pk)
    back = reverse("records:member", args=[member.pk])
    monthly = _monthly(member)
    if request.GET.get("form") == "quarterly":
        form = forms.QuarterlyForm(request.POST or None)
        return _form_page(
            request,
            form,
            title=_("Approve quarterly dues for %(name)s") % {"name": member.name},
            back=back,
            on_valid=lambda d: services.quarterly_dues_approve(actor=request.user, member=member, **d) and back,
        )
    if request.GET.get("form") == "reason":
        form = forms.ArrearsReasonForm(request.POST or None)
        return _form_page(
            request,
            form,
            title=_("Note why %(name)s has not paid") % {"name": member.name},
            back=reverse("records:arrears"),
            on_valid=lambda d: (
                services.arrears_reason_record(actor=request.user, member=member, **d) and reverse("records:arrears")
            ),
        )
    form = forms.DuesForm(request.POST or None, initial={"first_month": timezone.localdate().replace(day=1)})
    intro = (
        _("%(cat)s: %(m)s yuan a month by the 2008 rules.") % {"cat": member.get_dues_category_display(), "m": monthly}
        if monthly is not None
        else _("Enter the member's monthly income on the member page first.")
    )

    def save(d):
        services.dues_pay(actor=request.user, member=member, **d)
        return back

    return _form_page(
        request,
        form,
        title=_("Record dues paid by %(name)s") % {"name": member.name},
        back=back,
        intro=intro,
        on_valid=save,
    )


@login_required
def entry_detail(request, pk):
    entry = _entry(request, pk)
    entry = selectors.entries_with_history(RecordEntry.objects.filter(pk=entry.pk)).select_related(
        "member", "member__user", "branch", "corrects", "activity", "created_by"
    )[0]
    can_keep = perm.can_keep_records(request.user, entry.branch)
    return render(
        request,
        "records/entry.html",
        {
            "entry": entry,
            "can_keep": can_keep,
            "can_answer": perm.can_answer_entry(request.user, entry),
            "latest": services.latest_version(entry),
        },
    )


def _entry_form_page(request, pk, form_class, *, title, submit, call):
    entry = _entry(request, pk)
    if not perm.can_keep_records(request.user, entry.branch):
        raise PermissionDenied
    form = form_class(request.POST or None, entry=entry)
    back = reverse("records:entry", args=[entry.pk])

    def on_valid(d):
        result = call(entry, form, d)
        return reverse("records:entry", args=[result.pk])

    return _form_page(request, form, title=title % {"t": entry.title}, back=back, submit=submit, on_valid=on_valid)


@login_required
def entry_resolve(request, pk):
    return _entry_form_page(
        request,
        pk,
        forms.ResolveForm,
        title=_("Resolve the dispute: %(t)s"),
        submit=_("Answer and ask to confirm again"),
        call=lambda e, form, d: services.entry_resolve(
            actor=request.user, entry=e, reply=d["reply"], changes=form.changes()
        ),
    )


@login_required
def entry_correct(request, pk):
    return _entry_form_page(
        request,
        pk,
        forms.CorrectForm,
        title=_("Correct the entry: %(t)s"),
        submit=_("Record the correction"),
        call=lambda e, form, d: services.entry_correct(
            actor=request.user, entry=e, reason=d["reason"], changes=form.changes(), voids=d["voids"]
        ),
    )


@login_required
def entry_withdraw(request, pk):
    entry = _entry(request, pk)
    if not perm.can_keep_records(request.user, entry.branch):
        raise PermissionDenied
    form = forms.ReasonForm(request.POST or None)
    back = reverse("records:entry", args=[entry.pk])
    return _form_page(
        request,
        form,
        title=_("Withdraw the entry: %(t)s") % {"t": entry.title},
        intro=_("Only an entry not yet confirmed is withdrawn; it stays in the history."),
        back=back,
        submit=_("Withdraw"),
        on_valid=lambda d: services.entry_withdraw(actor=request.user, entry=entry, reason=d["reason"]) and back,
    )


@login_required
def disputes(request):
    _manager_required(request)
    return render(
        request, "records/disputes.html", {"entries": selectors.disputes_to_resolve(actor=request.user)[:200]}
    )


@login_required
def arrears(request):
    _manager_required(request)
    branches = selectors.branches_for(actor=request.user)
    branch = None
    raw = request.GET.get("branch")
    if raw and raw.isascii() and raw.isdigit() and len(raw) <= 18:
        branch = get_object_or_404(branches, pk=int(raw))
    elif branches.count() == 1:
        branch = branches.first()
    standings = selectors.arrears(actor=request.user, branch=branch) if branch else []
    return render(
        request,
        "records/arrears.html",
        {"branches": branches[:300], "branch": branch, "standings": standings},
    )


@login_required
def branch_export(request, pk):
    _manager_required(request)
    branch = get_object_or_404(selectors.branches_for(actor=request.user), pk=pk)
    response = HttpResponse(export.archive_bytes(branch), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="records-{branch.pk}.xlsx"'
    return response


# --- points --------------------------------------------------------------------------------------------


@login_required
def points(request):
    j = jurisdiction_of(request.user)
    branches = selectors.branches_for(actor=request.user)
    if request.method == "POST" and not (j.has_role(Role.SECRETARY) or j.has_role(Role.ORG_ADMIN)):
        raise PermissionDenied  # computing a table is the branch's: a member only reads them
    form = None
    if j.has_role(Role.SECRETARY) or j.has_role(Role.ORG_ADMIN):
        form = forms.PointTableForm(request.POST or None, branches=branches)
        if request.method == "POST" and form.is_valid():
            try:
                table = services.point_table_compute(
                    actor=request.user, branch=form.cleaned_data["branch"], year=form.cleaned_data["year"]
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Points computed."))
                return redirect("records:points-table", table.pk)
    return render(
        request,
        "records/points.html",
        {
            "tables": selectors.point_table_list(actor=request.user)[:200],
            "form": form,
            "rule_orgs": selectors.rule_organizations(actor=request.user)[:100] if j.has_role(Role.ORG_ADMIN) else [],
        },
    )


@login_required
def point_rules(request, pk):
    organization = get_object_or_404(Organization, pk=pk)
    if not perm.can_set_point_rules(request.user, organization):
        raise PermissionDenied
    rules = {r.item: r for r in PointRule.objects.filter(organization=organization)}
    form = forms.PointRulesForm(request.POST or None, rules=rules)
    if request.method == "POST" and form.is_valid():
        try:
            services.point_rules_set(actor=request.user, organization=organization, rules=form.rules())
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Rules saved; the points tables below were recomputed."))
            return redirect("records:point-rules", organization.pk)
    return render(request, "records/point_rules.html", {"organization": organization, "form": form})


@login_required
def points_table(request, pk):
    table = get_object_or_404(PointTable.objects.select_related("branch", "rules_from", "published_by"), pk=pk)
    if not perm.can_view_point_table(request.user, table):
        raise PermissionDenied
    can_keep = perm.can_keep_records(request.user, table.branch)
    if request.method == "POST":
        if not can_keep:
            raise PermissionDenied  # the branch's members read the published table; only the branch publishes
        services.point_table_publish(actor=request.user, table=table)
        messages.success(request, _("Published within the branch."))
        return redirect("records:points-table", table.pk)
    rules = selectors.point_rules_of(table.rules_from) if table.rules_from_id else []
    return render(
        request,
        "records/points_table.html",
        {"table": table, "scores": selectors.point_scores(table), "can_keep": can_keep, "rules": rules},
    )
