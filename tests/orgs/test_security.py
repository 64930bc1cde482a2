import pytest
from django.test import Client

from tests.conftest import wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def _login(client, password, ip="10.0.0.1"):
    return client.post("/login/", {"username": "county_admin", "password": password}, REMOTE_ADDR=ip)


def test_repeated_failures_lock_the_user_name_on_that_address(world, lockout):
    world.admin(world.county, username="county_admin")
    client = Client()

    for _ in range(3):
        _login(client, "wrong")
    locked = _login(client, "pass12345")
    other_address = _login(Client(), "pass12345", ip="10.0.0.2")

    assert locked.status_code == 429
    assert "登录已锁定" in locked.content.decode()
    assert other_address.status_code == 302


def test_token_endpoint_counts_towards_the_lockout(world, lockout, api):
    world.admin(world.county, username="county_admin")

    for _ in range(3):
        api.post("/api/v1/auth/token/", {"username": "county_admin", "password": "x"}, format="json")
    response = api.post("/api/v1/auth/token/", {"username": "county_admin", "password": "pass12345"}, format="json")

    assert response.status_code == 429


def test_html_pages_carry_a_content_security_policy(client):
    response = client.get("/login/")

    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "<script>" not in response.content.decode()


@pytest.mark.browser
def test_api_docs_render_under_the_policy(browser):
    browser.get(f"{browser.live_server_url}/api/docs/")

    # Swagger UI renders long lists virtually (only what is near the window), so look at the first operation.
    operation = wait_for(browser, ".opblock", timeout=20)
    assert "/api/v1/" in operation.text
