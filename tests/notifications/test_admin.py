"""The Django admin's webhook form."""

import pytest
from django.urls import reverse

from notifications.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.mark.filterwarnings("error::django.utils.deprecation.RemovedInDjango60Warning")
def test_a_robot_address_typed_without_a_scheme_is_saved_as_https(admin_client):
    response = admin_client.post(
        reverse("admin:notifications_webhookendpoint_add"),
        {
            "name": "党建工作群机器人",
            "url": "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=demo",
            "style": "wecom",
            "kinds": "[]",
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert WebhookEndpoint.objects.get().url == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=demo"
