from datetime import date

import pytest
from django.conf import settings

from records.tasks import flag_dues_arrears
from tests.records import factories as f

pytestmark = pytest.mark.django_db


def test_beat_schedules_the_daily_arrears_flags():
    entry = settings.CELERY_BEAT_SCHEDULE["records-dues-arrears-flags"]
    assert entry["task"] == "records.tasks.flag_dues_arrears"


def test_flag_task_runs_the_service(world):
    from records import services

    secretary = world.secretary(world.branch)
    m = f.member(world.branch)
    services.card_issue(
        actor=secretary,
        member=m,
        number="T-1",
        numbered_by=world.county,
        stamped_by=world.committee,
        stamped_on=date(2025, 1, 2),
        issued_on=date(2025, 1, 5),
    )
    assert flag_dues_arrears.delay().get() == 1
