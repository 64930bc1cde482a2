from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .errors import DomainError
from .models import Organization, OrganizationWebhook, RoleAssignment, User


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["parent", "name", "full_name", "kind", "code", "is_active"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            try:
                services._check_child_kind(data.get("parent"), data.get("kind"))
            except DomainError as exc:
                raise ValidationError({exc.field or "kind": exc.message}) from exc
        return data


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Nodes are added through the service (it computes the path); they are never moved here."""

    form = OrganizationForm
    list_display = ["full_name", "kind", "code", "depth", "numchild", "is_active"]
    list_filter = ["kind", "depth", "is_active"]
    search_fields = ["name", "full_name", "code"]
    raw_id_fields = ["parent"]
    ordering = ["path"]

    def get_readonly_fields(self, request, obj=None):
        return ["parent", "kind"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        created = services.org_create(
            parent=form.cleaned_data.get("parent"),
            name=obj.name,
            kind=obj.kind,
            code=obj.code,
            full_name=obj.full_name,
        )
        obj.pk = created.pk
        obj.path, obj.depth = created.path, created.depth


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    raw_id_fields = ["organization", "granted_by"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Real name"), {"fields": ("full_name",)}),
    )
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    inlines = [RoleInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organization", "is_active", "created_at"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__full_name", "organization__full_name"]
    raw_id_fields = ["user", "organization", "granted_by"]


@admin.register(OrganizationWebhook)
class OrganizationWebhookAdmin(admin.ModelAdmin):
    list_display = ["organization", "endpoint"]
    raw_id_fields = ["organization"]
