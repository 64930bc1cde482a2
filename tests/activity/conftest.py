from importlib import import_module

import pytest


@pytest.fixture(scope="package", autouse=True)
def _seeded_rows_back(django_db_blocker):
    """Put back the rows that migrations seed once this package's tests are done.

    pytest-django runs transactional tests (browser, live worker) after all others, these first of them, and
    each ends with a flush of every table: without this, booking's fee standards and pool's sub-areas would be
    gone for the transactional tests of the apps that come after. The seeding functions are idempotent.
    """
    yield
    from django.apps import apps

    with django_db_blocker.unblock():
        for app, function in (("booking", "seed_fee_standards"), ("pool", "seed_sub_areas")):
            getattr(import_module(f"{app}.migrations.0001_initial"), function)(apps, None)
