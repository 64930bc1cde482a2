from django.contrib import admin
from django.db import models

from .models import Delivery, Notification, WebhookEndpoint


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ["channel", "recipient", "endpoint", "status", "attempts", "sent_at", "read_at", "last_error"]
    readonly_fields = fields
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title", "body"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["notification", "channel", "recipient", "endpoint", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel"]
    raw_id_fields = ["notification", "recipient", "endpoint"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    # An address typed without a scheme is a robot's HTTPS address (the chat services take no other).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "style", "url", "is_active"]
    list_filter = ["style", "is_active"]
