"""Periodic and background work: the beat entries, the thin tasks, and the yearly run on a live worker."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from evaluation import services, tasks
from evaluation.models import EvaluationRun, RatingWindow
from tests.evaluation.factories import attendee, delivered, lecture_on, rate

pytestmark = pytest.mark.django_db


def test_beat_schedules_the_catch_up_the_nightly_refresh_and_the_resume():
    entries = {k: v["task"] for k, v in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("evaluation-")}

    assert entries == {
        "evaluation-open-missing-windows": "evaluation.tasks.open_missing_rating_windows",
        "evaluation-refresh-summaries": "evaluation.tasks.refresh_rating_summaries",
        "evaluation-resume-runs": "evaluation.tasks.resume_stalled_evaluation_runs",
    }


def test_tasks_call_the_services(world, teacher, secretary, lecture, alice):
    lecture_on(world.branch, teacher, timezone.localdate() - timedelta(days=1), hour=14)
    rate(lecture, alice[0])

    assert tasks.open_missing_rating_windows.delay().get() == 1
    assert tasks.refresh_rating_summaries.delay().get() == (1 if lecture.starts_at.year == timezone.now().year else 0)
    assert tasks.resume_stalled_evaluation_runs.delay().get() == 0


def test_the_signal_opens_the_window_and_a_failure_does_not_break_the_delivery(
    world, teacher, secretary, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(services, "rating_window_open", broken)
    with django_capture_on_commit_callbacks(execute=True):
        booking = lecture_on(world.branch, teacher, timezone.localdate() - timedelta(days=1))

    assert not RatingWindow.objects.filter(booking=booking).exists()
    assert "rating window of booking" in caplog.text
    monkeypatch.undo()
    assert services.rating_windows_catch_up() == 1


@pytest.mark.services
def test_the_yearly_run_is_computed_by_a_live_worker(celery_worker, world, pools, teacher, secretary):
    lecture = delivered(world.branch, teacher)
    for _ in range(3):
        rate(lecture, attendee(world.branch)[0], (4, 5, 4))
    run = services.run_start(pool=pools.province, year=lecture.starts_at.year, actor=None)
    # transactional_db: run_start committed and its on-commit hook queued the task on the broker

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and EvaluationRun.objects.get(pk=run.pk).is_busy:
        time.sleep(0.2)
    run = EvaluationRun.objects.get(pk=run.pk)
    assert (run.status, run.progress, run.rating_count) == ("proposed", 100, 3)
    assert list(run.proposals.values_list("instructor", "proposed")) == [(teacher.pk, "keep")]
