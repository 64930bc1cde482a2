from django.http import Http404


def home(request, pk=None):
    raise Http404


def me(request, pk=None):
    raise Http404


def member_record(request, pk=None):
    raise Http404


def member_print(request, pk=None):
    raise Http404


def card_issue(request, pk=None):
    raise Http404


def merit_create(request, pk=None):
    raise Http404


def role_create(request, pk=None):
    raise Http404


def dues_pay(request, pk=None):
    raise Http404


def entry_detail(request, pk=None):
    raise Http404


def entry_confirm(request, pk=None):
    raise Http404


def entry_dispute(request, pk=None):
    raise Http404


def entry_resolve(request, pk=None):
    raise Http404


def entry_withdraw(request, pk=None):
    raise Http404


def entry_correct(request, pk=None):
    raise Http404


def disputes(request, pk=None):
    raise Http404


def arrears(request, pk=None):
    raise Http404


def branch_export(request, pk=None):
    raise Http404


def points(request, pk=None):
    raise Http404


def point_rules(request, pk=None):
    raise Http404


def points_table(request, pk=None):
    raise Http404
