import logging
import os
import re
import shutil

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import build_world

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--lang=zh-CN",
]


# --- no personal data in logs ------------------------------------------------------------------

PERSONAL_DATA = re.compile(r"(?<![\dA-Za-z])(\d{17}[\dXx]|1[3-9]\d{9})(?![\dA-Za-z])")


class _LogScanner(logging.Handler):
    """Keeps every log line of the run that carries an ID number or a mobile phone number."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record):
        try:
            text = record.getMessage()
        except Exception:
            text = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {record.exc_info[1]}"
        if PERSONAL_DATA.search(text):
            self.leaks.append(f"{record.name}: {text[:300]}")


_log_scanner = _LogScanner()


def pytest_configure(config):
    logging.getLogger().addHandler(_log_scanner)


def pytest_sessionfinish(session, exitstatus):
    """Fail the run when any log line of the whole suite carried personal data."""
    logging.getLogger().removeHandler(_log_scanner)
    if _log_scanner.leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line("Personal data found in logs:", red=True)
            for line in _log_scanner.leaks[:20]:
                reporter.write_line(f"  {line}", red=True)
        session.exitstatus = 1


def _services_available() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres") and bool(os.environ.get("CELERY_BROKER_URL"))


def pytest_collection_modifyitems(config, items):
    """Tests marked ``services`` need PostgreSQL and Redis; without them they are skipped, unless
    REQUIRE_SERVICES is set (CI), where a missing service is a failure rather than a skip."""
    if _services_available() or os.environ.get("REQUIRE_SERVICES"):
        return
    skip = pytest.mark.skip(reason="needs DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://…")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


# Rows that data migrations write. A transactional test (browser, live worker) ends by flushing every
# table; pytest-django runs those tests after all the others, so each puts the rows back before it
# starts. The seeding functions are idempotent.
MIGRATION_SEEDS = [
    ("booking.migrations.0001_initial", "seed_fee_standards"),
    ("pool.migrations.0001_initial", "seed_sub_areas"),
]


@pytest.fixture(autouse=True)
def _migration_rows_back(request):
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    from importlib import import_module

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    for module, function in MIGRATION_SEEDS:
        getattr(import_module(module), function)(apps, None)


@pytest.fixture
def response_cache(settings):
    """The shared response cache on (orgs/cache.py), empty before and after the test."""
    from django.core.cache import cache

    settings.RESPONSE_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def api():
    return APIClient()


def client_for(user) -> APIClient:
    """An API client that authenticates with the user's token, as an external caller would."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def as_user():
    return client_for


# --- real Chromium ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _chromium():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"Chromium or chromedriver missing ({CHROMIUM}, {CHROMEDRIVER})")
        pytest.skip("Chromium is not installed: apt-get install -y chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture
def browser(_chromium, live_server):
    """A desktop-sized headless Chromium pointed at the live test server (``browser.url(path)``)."""
    _chromium.delete_all_cookies()
    _chromium.set_window_size(1280, 900)
    _chromium.live_server_url = live_server.url
    yield _chromium
    _chromium.delete_all_cookies()


@pytest.fixture
def phone(browser):
    """The same browser in a phone-sized window (390 × 844)."""
    browser.set_window_size(390, 844)
    return browser


def wait_for(driver, css: str, timeout: float = 10):
    """The first element matching ``css`` once it is present (pages load after a click)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def browser_login(driver, username: str, password: str = "pass12345") -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{driver.live_server_url}/login/")
    driver.find_element(By.ID, "id_username").send_keys(username)
    driver.find_element(By.ID, "id_password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()
    WebDriverWait(driver, 10).until(ec.presence_of_element_located((By.ID, "nav-user")))


# --- a real Celery worker (services) ----------------------------------------------------------


@pytest.fixture
def celery_worker(transactional_db):
    """A Celery worker thread consuming from the real broker; tasks stop running eagerly."""
    if not _services_available():
        pytest.fail("the services tests need DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://…")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
            yield app
    finally:
        app.conf.task_always_eager = True
        connection.close()
