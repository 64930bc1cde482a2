"""Pages for secretaries (both sides of a mobile member), members (own data) and admins (census,
overdue lists, approvals). Thin: forms check input, services do the work."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.errors import DomainError
from orgs.models import Role
from orgs.selectors import jurisdiction_of

from . import forms, permissions, roster, selectors, services
from .models import Activist, Member, MobileMembership, Probation, ProbationDecision, RecordExemption

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _manager_required(request) -> None:
    j = jurisdiction_of(request.user)
    if not (j.has_role(Role.SECRETARY) or j.has_role(Role.ORG_ADMIN)):
        raise PermissionDenied


def _admin_required(request) -> None:
    if not jurisdiction_of(request.user).has_role(Role.ORG_ADMIN):
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


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _visible_member(request, pk: int) -> Member:
    member = get_object_or_404(Member.objects.select_related("branch", "group", "user"), pk=pk)
    if not permissions.can_view_member(request.user, member):
        raise PermissionDenied
    return member


def _visible_mobile(request, pk: int) -> MobileMembership:
    membership = get_object_or_404(
        MobileMembership.objects.select_related("member", "outflow_branch", "inflow_branch", "inflow_group"), pk=pk
    )
    if not permissions.can_view_mobile(request.user, membership):
        raise PermissionDenied
    return membership


# --- members ----------------------------------------------------------------------------------------


@login_required
def member_list(request):
    j = jurisdiction_of(request.user)
    if not (j.has_role(Role.SECRETARY) or j.has_role(Role.ORG_ADMIN)):
        return redirect("members:me")
    filters = {k: v for k, v in request.GET.items() if k in selectors.MemberFilter.base_filters and v}
    qs = selectors.member_list(actor=request.user, filters=filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    branches = list(selectors.branches_for(actor=request.user)[:2])
    counts = selectors.branch_member_counts(branches[0]) if len(branches) == 1 else None
    return render(
        request,
        "members/member_list.html",
        {
            "page": page,
            "filters": filters,
            "status_choices": Member.Status.choices,
            "counts": counts,
            "branch": branches[0] if len(branches) == 1 else None,
            "querystring": "&".join(f"{k}={v}" for k, v in filters.items()),
        },
    )


@login_required
def member_me(request):
    member = selectors.member_for_user(request.user)
    context = {"member": member}
    if member is not None:
        context.update(
            mobile=selectors.mobile_for_member(member),
            probation=Probation.objects.filter(member=member).first(),
        )
    return render(request, "members/me.html", context)


@login_required
def member_create(request):
    _manager_required(request)
    form = forms.MemberForm(request.POST or None, actor=request.user)

    def save(data):
        member = services.member_create(actor=request.user, **data)
        return reverse("members:detail", args=[member.pk])

    return _form_page(request, form, title=_("Register a member"), on_valid=save, back=reverse("members:list"))


@login_required
def member_detail(request, pk: int, revealed: dict | None = None, reveal_form=None):
    member = _visible_member(request, pk)
    can_manage = permissions.can_manage_member(request.user, member)
    context = {
        "member": member,
        "can_manage": can_manage,
        "can_reveal_id": permissions.can_reveal_personal_data(request.user, member, "id_number"),
        "can_reveal_phone": permissions.can_reveal_personal_data(request.user, member, "phone"),
        "reveal_form": reveal_form or forms.RevealForm(),
        "revealed": revealed,
        "probation": Probation.objects.filter(member=member).prefetch_related("decisions").first(),
        "exemptions": member.exemptions.select_related("decided_by").all(),
        "mobile": selectors.mobile_for_member(member) if can_manage else [],
        "open_mobile": selectors.mobile_open_for(member),
        "history": selectors.member_history(member) if can_manage else [],
    }
    return render(request, "members/member_detail.html", context)


@login_required
@require_POST
def member_reveal(request, pk: int):
    """Show one full value in the page (never in a URL); the service writes the audit row."""
    member = _visible_member(request, pk)
    form = forms.RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            value = services.personal_data_reveal(
                actor=request.user, subject=member, field=form.cleaned_data["field"], reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            revealed = {"field": form.cleaned_data["field"], "value": value}
            form = forms.RevealForm()
    response = member_detail(request, pk, revealed=revealed, reveal_form=form)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def member_edit(request, pk: int):
    member = _visible_member(request, pk)
    if not permissions.can_manage_member(request.user, member):
        raise PermissionDenied
    initial = {
        "name": member.name,
        "is_leading_cadre": member.is_leading_cadre,
        "dues_category": member.dues_category,
        "monthly_income": member.monthly_income,
    }
    form = forms.MemberEditForm(request.POST or None, initial=initial)

    def save(data):
        changes = {k: v for k, v in data.items() if k != "phone" or v}
        services.member_update(actor=request.user, member=member, changes=changes)
        return reverse("members:detail", args=[member.pk])

    return _form_page(
        request, form, title=_("Edit %(name)s") % {"name": member.name}, on_valid=save, back=member_url(member)
    )


def member_url(member: Member) -> str:
    return reverse("members:detail", args=[member.pk])


@login_required
def member_leave(request, pk: int):
    member = _visible_member(request, pk)
    if not permissions.can_manage_member(request.user, member):
        raise PermissionDenied
    form = forms.LeaveForm(request.POST or None)

    def save(data):
        services.member_leave(actor=request.user, member=member, **data)
        return reverse("members:list")

    return _form_page(
        request,
        form,
        title=_("%(name)s leaves the branch") % {"name": member.name},
        on_valid=save,
        back=member_url(member),
    )


@login_required
def member_import(request):
    _manager_required(request)
    form = forms.ImportForm(request.POST or None, request.FILES or None, actor=request.user)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.member_import(
                actor=request.user, data=form.cleaned_data["file"].read(), default_branch=form.cleaned_data["branch"]
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            if outcome.ok:
                messages.success(
                    request,
                    _("Imported: %(created)s new, %(updated)s updated.")
                    % {"created": outcome.created, "updated": outcome.updated},
                )
                return redirect("members:list")
    return render(request, "members/import.html", {"form": form, "outcome": outcome, "columns": roster.ROSTER_COLUMNS})


@login_required
def member_export(request):
    """GET: the roster with masked values. POST with a reason: full values, audited."""
    _manager_required(request)
    filters = {k: v for k, v in request.GET.items() if k in selectors.MemberFilter.base_filters and v}
    qs = selectors.member_list(actor=request.user, filters=filters)
    if request.method == "POST":
        form = forms.FullExportForm(request.POST)
        branches = list(selectors.branches_for(actor=request.user)[:2])
        if form.is_valid() and len(branches) == 1:
            rows = list(qs)
            try:
                services.personal_data_export_logged(
                    actor=request.user,
                    organization=branches[0],
                    row_count=len(rows),
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("members:list")
            return _xlsx(roster.workbook_bytes(rows, full=True), "members-full.xlsx")
        messages.error(request, _("A full export needs a reason and is made for one branch."))
        return redirect("members:list")
    return _xlsx(roster.workbook_bytes(qs.iterator(chunk_size=2000), full=False), "members.xlsx")


@login_required
def roster_template(request):
    return _xlsx(roster.template_bytes(), "members-template.xlsx")


# --- probation and exemptions -------------------------------------------------------------------------


@login_required
def probation_list(request):
    _manager_required(request)
    today = timezone.localdate()
    return render(
        request,
        "members/probations.html",
        {
            "ending": selectors.probation_list(actor=request.user, ending_within=30, on=today),
            "probations": selectors.probation_list(actor=request.user),
            "to_approve": selectors.probation_decisions_to_approve(actor=request.user),
            "today": today,
        },
    )


@login_required
def probation_decide(request, pk: int):
    probation = get_object_or_404(Probation.objects.select_related("member__branch"), pk=pk)
    if not permissions.can_manage_member(request.user, probation.member):
        raise PermissionDenied
    form = forms.DecisionForm(request.POST or None, initial={"meeting_on": timezone.localdate()})

    def save(data):
        services.probation_decision_propose(actor=request.user, probation=probation, **data)
        return reverse("members:probations")

    return _form_page(
        request,
        form,
        title=_("Branch meeting decision on %(name)s") % {"name": probation.member.name},
        intro=_("Probation %(start)s – %(end)s. The decision takes effect once the committee above approves it.")
        % {"start": probation.starts_on, "end": probation.ends_on},
        on_valid=save,
        back=reverse("members:probations"),
    )


@login_required
def decision_answer(request, pk: int):
    decision = get_object_or_404(
        ProbationDecision.objects.select_related("probation__member__branch"), pk=pk, state="proposed"
    )
    if not permissions.can_approve_for_branch(request.user, decision.probation.member.branch):
        raise PermissionDenied
    form = forms.ApproveForm(request.POST or None, initial={"approved_on": timezone.localdate()})

    def save(data):
        if data["approve"]:
            if not data["approved_on"]:
                raise DomainError(_("Enter the approval date."), field="approved_on")
            services.probation_decision_approve(
                actor=request.user,
                decision=decision,
                approved_on=data["approved_on"],
                approval_ref=data["approval_ref"],
                notes=data["notes"],
            )
        else:
            services.probation_decision_reject(actor=request.user, decision=decision, notes=data["notes"])
        return reverse("members:probations")

    m = decision.probation.member
    return _form_page(
        request,
        form,
        title=_("Approve: %(outcome)s for %(name)s") % {"outcome": decision.get_outcome_display(), "name": m.name},
        intro=_("%(branch)s, branch meeting on %(date)s: %(for)s for, %(against)s against, %(abst)s abstaining.")
        % {
            "branch": m.branch,
            "date": decision.meeting_on,
            "for": decision.votes_for,
            "against": decision.votes_against,
            "abst": decision.abstentions,
        },
        on_valid=save,
        back=reverse("members:probations"),
    )


@login_required
def exemption_list(request):
    _manager_required(request)
    return render(
        request,
        "members/exemptions.html",
        {
            "exemptions": selectors.exemption_list(actor=request.user),
            "to_approve": selectors.exemptions_to_approve(actor=request.user),
        },
    )


@login_required
def exemption_request(request, pk: int):
    member = _visible_member(request, pk)
    if not permissions.can_manage_member(request.user, member):
        raise PermissionDenied
    form = forms.ExemptionForm(request.POST or None)

    def save(data):
        services.exemption_request(actor=request.user, member=member, **data)
        return member_url(member)

    return _form_page(
        request,
        form,
        title=_("Exempt %(name)s from record keeping") % {"name": member.name},
        intro=_(
            "For members who cannot take part in organizational life for old age, illness or disability; "
            "the committee above approves."
        ),
        on_valid=save,
        back=member_url(member),
    )


@login_required
def exemption_answer(request, pk: int):
    exemption = get_object_or_404(RecordExemption.objects.select_related("member__branch"), pk=pk)
    # The reason (age, illness, disability) is personal: only the committee that approves sees it here.
    if not permissions.can_approve_for_branch(request.user, exemption.member.branch):
        raise PermissionDenied
    form = forms.ExemptionAnswerForm(request.POST or None)

    def save(data):
        if data["approve"]:
            services.exemption_approve(actor=request.user, exemption=exemption, notes=data["notes"])
        else:
            services.exemption_reject(actor=request.user, exemption=exemption, notes=data["notes"])
        return reverse("members:exemptions")

    return _form_page(
        request,
        form,
        title=_("Exemption of %(name)s: %(reason)s")
        % {"name": exemption.member.name, "reason": exemption.get_reason_display()},
        intro=exemption.details,
        on_valid=save,
        back=reverse("members:exemptions"),
    )


# --- activists --------------------------------------------------------------------------------------


@login_required
def activist_list(request):
    _manager_required(request)
    stage = request.GET.get("stage") if request.GET.get("stage") in Activist.Stage.values else None
    return render(
        request,
        "members/activists.html",
        {
            "activists": selectors.activist_list(actor=request.user, stage=stage),
            "stage": stage,
            "stages": Activist.Stage.choices,
        },
    )


@login_required
def activist_create(request):
    _manager_required(request)
    form = forms.ActivistForm(request.POST or None, actor=request.user)

    def save(data):
        services.activist_create(actor=request.user, **data)
        return reverse("members:activists")

    return _form_page(request, form, title=_("Add an activist"), on_valid=save, back=reverse("members:activists"))


@login_required
def activist_detail(request, pk: int):
    activist = get_object_or_404(selectors.activist_list(actor=request.user, include_closed=True), pk=pk)
    form = forms.ActivistStepForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["step"] in ("promote", "admit") and not data["on"]:
                raise DomainError(_("Enter the date."), field="on")
            if data["step"] == "promote":
                services.activist_promote(
                    actor=request.user, activist=activist, candidate_since=data["on"], reason=data["reason"]
                )
            elif data["step"] == "admit":
                member = services.activist_admit(
                    actor=request.user, activist=activist, joined_on=data["on"], reason=data["reason"]
                )
                messages.success(request, _("Admitted as probationary member."))
                return redirect("members:detail", member.pk)
            else:
                services.activist_drop(actor=request.user, activist=activist, reason=data["reason"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("members:activist-detail", activist.pk)
    return render(
        request,
        "members/activist_detail.html",
        {"activist": activist, "form": form, "history": activist.history.select_related("actor")},
    )


# --- mobile members ---------------------------------------------------------------------------------


@login_required
def mobile_list(request):
    _manager_required(request)
    today = timezone.localdate()
    base = selectors.mobile_list(actor=request.user)
    j = jurisdiction_of(request.user)
    return render(
        request,
        "members/mobile_list.html",
        {
            "outgoing": base.filter(j.q("outflow_branch"), status__in=MobileMembership.OPEN),
            "incoming": base.filter(j.q("inflow_branch"), status=MobileMembership.Status.REGISTERED),
            "pending": selectors.mobile_pending_registration(actor=request.user),
            "feedback_due": selectors.probation_feedback_due(actor=request.user, on=today),
            "due_count": selectors.contacts_due(actor=request.user, on=today).count(),
            "overdue_count": selectors.contacts_overdue(actor=request.user, on=today).count(),
            "returned": base.filter(j.q("outflow_branch"), status=MobileMembership.Status.RETURNED)[:20],
            "notices": selectors.unread_notices(actor=request.user)[:20],
            "summary": selectors.mobile_summary(actor=request.user),
        },
    )


@login_required
def mobile_outflow(request, member_pk: int):
    member = _visible_member(request, member_pk)
    if not permissions.can_manage_member(request.user, member):
        raise PermissionDenied
    today = timezone.localdate()
    form = forms.OutflowForm(
        request.POST or None,
        initial={
            "left_on": today,
            "certificate_issued_on": today,
            "certificate_valid_until": date(today.year + 1, 12, 31),
        },
    )

    def save(data):
        membership = services.mobile_outflow_register(actor=request.user, member=member, **data)
        return reverse("members:mobile-detail", args=[membership.pk])

    return _form_page(
        request,
        form,
        title=_("%(name)s goes out as a mobile member") % {"name": member.name},
        intro=_(
            "Give the pre-departure education, issue the mobile member certificate, and ask the member to "
            "report to the party organization where they go."
        ),
        on_valid=save,
        back=member_url(member),
    )


@login_required
def mobile_register(request):
    """The inflow branch registers a member from the certificate number (and the name on it)."""
    _manager_required(request)
    today = timezone.localdate()
    stage = request.POST.get("stage", "lookup")
    lookup_form = forms.LookupForm(request.POST if stage == "lookup" else None)
    register_form = None
    found = None
    if request.method == "POST":
        form = lookup_form if stage == "lookup" else forms.RegisterForm(request.POST, actor=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                found = services.mobile_lookup(
                    actor=request.user, certificate_number=data["certificate_number"], name=data["name"]
                )
                if stage == "register":
                    membership = services.mobile_inflow_register(
                        actor=request.user,
                        membership=found,
                        branch=data["branch"],
                        group=data.get("group"),
                        registered_on=data["registered_on"],
                        certificate_verified=data["certificate_verified"],
                        note=data["note"],
                    )
                    messages.success(request, _("%(name)s is registered at your branch.") % {"name": found.member.name})
                    return redirect("members:mobile-detail", membership.pk)
            except DomainError as exc:
                _form_error(form, exc)
                if stage == "lookup":
                    found = None
        if stage == "register":
            register_form = form
            lookup_form = forms.LookupForm(initial={k: request.POST.get(k) for k in ("certificate_number", "name")})
    if found is not None and register_form is None:
        register_form = forms.RegisterForm(
            actor=request.user,
            initial={
                "certificate_number": found.certificate_number,
                "name": found.member.name,
                "registered_on": today,
                "branch": found.inflow_branch_id,
            },
        )
    return render(
        request,
        "members/mobile_register.html",
        {
            "lookup_form": lookup_form,
            "register_form": register_form,
            "found": found,
            "pending": selectors.mobile_pending_registration(actor=request.user),
        },
    )


@login_required
def mobile_detail(request, pk: int):
    membership = _visible_mobile(request, pk)
    outflow = permissions.can_manage_outflow(request.user, membership)
    inflow = permissions.can_manage_inflow(request.user, membership)
    probation = Probation.objects.filter(member=membership.member, status__in=Probation.OPEN).first()
    return render(
        request,
        "members/mobile_detail.html",
        {
            "m": membership,
            "outflow": outflow,
            "inflow": inflow,
            "contacts": membership.contacts.select_related("recorded_by"),
            "notices": selectors.notices_for(membership),
            "participations": membership.participations.all(),
            "feedback": membership.feedback.select_related("written_by"),
            "history": membership.history.select_related("actor", "inflow_branch"),
            "probation": probation,
        },
    )


def _mobile_action(request, pk, *, form_class, allowed, title, call, intro="", initial=None):
    membership = _visible_mobile(request, pk)
    if not allowed(request.user, membership):
        raise PermissionDenied
    form = form_class(request.POST or None, initial=initial or {})

    def save(data):
        call(membership, data)
        return reverse("members:mobile-detail", args=[membership.pk])

    return _form_page(
        request,
        form,
        title=title % {"name": membership.member.name},
        intro=intro,
        on_valid=save,
        back=reverse("members:mobile-detail", args=[membership.pk]),
    )


def _either_side(user, membership):
    return permissions.can_manage_outflow(user, membership) or permissions.can_manage_inflow(user, membership)


@login_required
def mobile_contact(request, pk: int):
    return _mobile_action(
        request,
        pk,
        form_class=forms.ContactForm,
        allowed=permissions.can_manage_outflow,
        title=_("Contact with %(name)s"),
        intro=_("At least once a quarter: the member's thinking, work and life; notify important party matters."),
        initial={"contacted_on": timezone.localdate(), "reached": True},
        call=lambda m, d: services.mobile_contact_record(actor=request.user, membership=m, **d),
    )


@login_required
def mobile_notice(request, pk: int):
    return _mobile_action(
        request,
        pk,
        form_class=forms.NoticeForm,
        allowed=_either_side,
        title=_("Notice about %(name)s to the other branch"),
        call=lambda m, d: services.mobile_notice_send(
            actor=request.user,
            membership=m,
            from_side=request.GET.get("side") or None,
            **d,
        ),
    )


@login_required
def mobile_participation(request, pk: int):
    return _mobile_action(
        request,
        pk,
        form_class=forms.ParticipationForm,
        allowed=permissions.can_manage_inflow,
        title=_("Record participation of %(name)s"),
        initial={"occurred_on": timezone.localdate()},
        call=lambda m, d: services.mobile_participation_record(actor=request.user, membership=m, **d),
    )


@login_required
def mobile_feedback(request, pk: int):
    return _mobile_action(
        request,
        pk,
        form_class=forms.FeedbackForm,
        allowed=permissions.can_manage_inflow,
        title=_("Written feedback on probationary member %(name)s"),
        initial={"written_on": timezone.localdate()},
        call=lambda m, d: services.probation_feedback_submit(actor=request.user, membership=m, **d),
    )


@login_required
def mobile_return(request, pk: int):
    return _mobile_action(
        request,
        pk,
        form_class=forms.ReturnForm,
        allowed=permissions.can_manage_outflow,
        title=_("%(name)s returns"),
        intro=_(
            "Check the certificate, and learn from the member and the inflow branch how the member did and "
            "took part in organizational life while away."
        ),
        initial={"returned_on": timezone.localdate()},
        call=lambda m, d: services.mobile_return(actor=request.user, membership=m, **d),
    )


@login_required
def mobile_relocate(request, pk: int):
    return _mobile_action(
        request,
        pk,
        form_class=forms.RelocateForm,
        allowed=_either_side,
        title=_("%(name)s moves on"),
        call=lambda m, d: services.mobile_relocate(actor=request.user, membership=m, **d),
    )


@login_required
@require_POST
def notice_read(request, pk: int):
    notice = get_object_or_404(selectors.unread_notices(actor=request.user), pk=pk)
    services.mobile_notice_mark_read(actor=request.user, notice=notice)
    return redirect(request.POST.get("next") or reverse("members:mobile"))


@login_required
def contacts_overdue(request):
    _manager_required(request)
    try:
        on = date.fromisoformat(request.GET.get("on", "")) if request.GET.get("on") else timezone.localdate()
    except ValueError:
        on = timezone.localdate()
    overdue = selectors.contacts_overdue(actor=request.user, on=on)
    due = selectors.contacts_due(actor=request.user, on=on).exclude(pk__in=overdue.values("pk"))
    return render(
        request,
        "members/contacts_overdue.html",
        {
            "overdue": overdue,
            "due": due,
            "on": on,
            "quarter": selectors.quarter_label(on),
            "previous_quarter_start": selectors.previous_quarter_start(on),
            "quarter_start": selectors.quarter_start(on),
        },
    )


# --- census and partnerships ------------------------------------------------------------------------


@login_required
def census_list(request):
    _admin_required(request)
    organizations = selectors.census_organizations(actor=request.user)
    form = forms.CensusForm(
        request.POST or None, organizations=organizations, initial={"year": timezone.localdate().year}
    )

    if request.method == "POST" and form.is_valid():
        try:
            census = services.census_take(
                organization=form.cleaned_data["organization"], year=form.cleaned_data["year"], actor=request.user
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Census taken."))
            return redirect("members:census-detail", census.pk)
    return render(
        request,
        "members/census_list.html",
        {"censuses": selectors.census_list(actor=request.user), "form": form},
    )


@login_required
def census_detail(request, pk: int):
    census = get_object_or_404(selectors.census_list(actor=request.user), pk=pk)
    flagged = request.GET.get("flagged") == "1"
    return render(
        request,
        "members/census_detail.html",
        {"census": census, "entries": selectors.census_entries(census, flagged_only=flagged), "flagged": flagged},
    )


@login_required
def census_export(request, pk: int):
    census = get_object_or_404(selectors.census_list(actor=request.user), pk=pk)
    return _xlsx(roster.census_workbook_bytes(census, selectors.census_entries(census)), f"census-{census.year}.xlsx")


@login_required
def partnership_list(request):
    _manager_required(request)
    return render(
        request,
        "members/partnerships.html",
        {"partnerships": selectors.partnership_list(actor=request.user), "today": timezone.localdate()},
    )


@login_required
def partnership_create(request):
    _manager_required(request)
    form = forms.PartnershipForm(request.POST or None, initial={"signed_on": timezone.localdate()})

    def save(data):
        p = services.partnership_create(actor=request.user, **data)
        return reverse("members:partnership-detail", args=[p.pk])

    return _form_page(
        request, form, title=_("Record an agreement or pairing"), on_valid=save, back=reverse("members:partnerships")
    )


@login_required
def partnership_detail(request, pk: int):
    partnership = get_object_or_404(selectors.partnership_list(actor=request.user, include_ended=True), pk=pk)
    can_manage = permissions.can_manage_partnership(request.user, partnership)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = forms.ReviewForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and can_manage and form.is_valid():
        try:
            services.partnership_review_record(actor=request.user, partnership=partnership, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Review recorded."))
            return redirect("members:partnership-detail", partnership.pk)
    return render(
        request,
        "members/partnership_detail.html",
        {
            "p": partnership,
            "reviews": partnership.reviews.select_related("recorded_by"),
            "form": form,
            "can_manage": can_manage,
        },
    )
