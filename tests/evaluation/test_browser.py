"""Evaluation in a real Chromium: a member rates a lecture on a phone; the secretary prints QR codes and an
attendee rates with one; the admin watches a yearly run compute and confirms it."""

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from booking.models import Booking
from evaluation import services
from evaluation.models import EvaluationRun, Rating
from pool.models import Instructor
from tests.booking.factories import at, lecturer, weekday_after
from tests.conftest import browser_login, wait_for
from tests.evaluation.factories import attendee, delivered, rate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _click(driver, css: str):
    element = wait_for(driver, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
    element.click()
    return element


def _submit(driver, css: str, wait_css: str):
    """Click a submit button and wait for the next page (the old button goes stale) to show ``wait_css``."""
    button = _click(driver, css)

    def left_the_page(_driver) -> bool:
        try:
            button.is_enabled()
        except WebDriverException:
            return True
        return False

    WebDriverWait(driver, 15).until(left_the_page)
    return wait_for(driver, wait_css)


def _fits(driver, width: int) -> bool:
    return driver.execute_script("return document.documentElement.scrollWidth") <= width


def test_a_member_rates_a_lecture_on_a_phone(phone, world, pools):
    teacher = lecturer(pools.province, username="teacher", name="周立新")
    world.secretary(world.branch, username="sec")
    lecture = delivered(world.branch, teacher, topic="基层党组织建设实务")
    _user, member = attendee(world.branch, username="alice")
    url = phone.live_server_url

    browser_login(phone, "alice")
    phone.get(f"{url}/")
    _submit(phone, "a.todo-item[href='/evaluation/']", "#open-lectures")  # the home page's to-do item
    _submit(phone, f".open-lecture[data-booking='{lecture.pk}']", "#rating-form")
    assert phone.find_element(By.ID, "lecture-topic").text == "基层党组织建设实务"
    assert phone.find_element(By.ID, "eligibility-rule").text
    assert _fits(phone, 390)
    for field, score in (("content", 5), ("delivery", 4), ("practical", 5)):
        label = _click(phone, f"label[for='id_{field}_{score - 1}']")
        assert label.size["height"] >= 44  # a thumb hits it
    phone.find_element(By.ID, "id_comment").send_keys("结合社区实际，很实用")
    _submit(phone, "#rating-submit", "#open-lectures")

    assert phone.find_elements(By.CSS_SELECTOR, ".open-lecture") == []
    assert list(Rating.objects.values_list("member", "content", "delivery", "practical", "comment")) == [
        (member.pk, 5, 4, 5, "结合社区实际，很实用")
    ]
    phone.get(f"{url}/evaluation/rate/{lecture.pk}/")
    assert wait_for(phone, "#rating-refused").text
    assert _fits(phone, 390)


def test_the_secretary_prints_qr_codes_and_an_attendee_rates_with_one(browser, world, pools):
    teacher = lecturer(pools.province, username="teacher")
    world.secretary(world.branch, username="sec", full_name="王书记")
    lecture = delivered(world.branch, teacher)
    url = browser.live_server_url

    browser_login(browser, "sec")
    browser.get(f"{url}/evaluation/lectures/{lecture.pk}/links/")
    count = wait_for(browser, "#id_count")
    count.clear()
    count.send_keys("4")
    _submit(browser, "#links-generate", "#qr-cards")
    cards = browser.find_elements(By.CSS_SELECTOR, ".qr-card svg")
    assert len(cards) == 4
    link_url = browser.find_elements(By.CSS_SELECTOR, ".qr-card .qr-url")[0].text

    browser.delete_all_cookies()
    browser.get(link_url)
    for field in ("content", "delivery", "practical"):
        _click(browser, f"label[for='id_{field}_3']")
    _submit(browser, "#rating-submit", "#rating-thanks")
    assert Rating.objects.get().source == "link"


def test_the_admin_watches_a_run_compute_and_confirms_it(browser, world, pools):
    teacher = lecturer(pools.province, username="teacher", name="甲讲师")
    weak = lecturer(pools.province, username="weak", name="乙讲师")
    world.secretary(world.branch, username="sec")
    admin = world.admin(world.province, username="prov_admin")
    crowd = [attendee(world.branch)[0] for _ in range(10)]
    good = delivered(world.branch, teacher, days_ago=2, hour=8)
    poor = delivered(world.branch, weak, days_ago=3, hour=14)
    for user in crowd:
        rate(good, user, (5, 5, 4))
        rate(poor, user, (2, 1, 2))
    day = weekday_after(15)
    upcoming = Booking.objects.create(
        branch=world.branch,
        instructor=weak,
        topic="下月的党课",
        starts_at=at(day, 9),
        ends_at=at(day, 11),
        class_hours=2,
        audience_size=20,
        status=Booking.Status.ACCEPTED,
    )
    reserve = services_reserve(pools.province)
    # a run queued while the broker was down: the page shows its progress until a worker computes it
    run = EvaluationRun.objects.create(pool=pools.province, year=good.starts_at.year, started_by=admin)
    url = browser.live_server_url

    browser_login(browser, "prov_admin")
    browser.get(f"{url}/evaluation/runs/{run.pk}/")
    wait_for(browser, "#run-progress")
    services.run_compute(run_id=run.pk)
    wait_for(browser, "#proposal-table", timeout=15)  # the page polled the progress and reloaded
    assert browser.find_element(By.ID, "run-status").text == "待确认"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#score-chart rect.bar")) == 16
    proposed = {
        row.get_attribute("data-instructor"): row.get_attribute("data-proposed")
        for row in browser.find_elements(By.CSS_SELECTOR, ".proposal-row")
    }
    assert proposed == {str(teacher.pk): "keep", str(weak.pk): "remove", str(reserve.pk): "promote"}

    _submit(browser, "#run-accept-all", "#run-confirm")
    _submit(browser, "#run-confirm", "#run-roster")
    assert browser.find_element(By.ID, "run-status").text == "已确认"
    assert Instructor.objects.get(pk=weak.pk).status == Instructor.Status.REMOVED
    assert Instructor.objects.get(pk=reserve.pk).status == Instructor.Status.APPOINTED
    assert Booking.objects.get(pk=upcoming.pk).status == Booking.Status.CANCELLED


def services_reserve(pool):
    from pool.services import instructor_create, instructor_transition

    reserve = instructor_create(pool=pool, actor=None, name="后备甲", gender="male", category="theory")
    for step in (Instructor.Status.UNDER_REVIEW, Instructor.Status.RESERVE):
        instructor_transition(instructor=reserve, actor=None, to_status=step, reason="后备")
    return reserve
