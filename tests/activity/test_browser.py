"""Real Chromium against the live server: a secretary records an activity with attendance on a phone, and
the county admin finds it in supervision."""

from datetime import date

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from activity.models import Activity, Attendance
from tests.activity import factories as af
from tests.conftest import browser_login, wait_for
from tests.members import factories as mf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _click(driver, element) -> None:
    """Scroll the element to the middle of the window (a phone's footer may cover it) and click it."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


def _set(driver, field_id: str, value: str) -> None:
    driver.execute_script("document.getElementById(arguments[0]).value = arguments[1]", field_id, value)


def test_secretary_records_on_a_phone_and_the_county_admin_sees_it_in_supervision(phone, world):
    af.rule(world.county, day=1, effective_from=date(2026, 1, 1))
    world.secretary(world.branch, username="branch_sec", full_name="王建华")
    world.admin(world.county, username="county_admin")
    members = [mf.member(world.branch, name=n) for n in ("李秀英", "张志强", "赵丽娟")]
    today = timezone.localdate()

    browser_login(phone, "branch_sec")
    phone.get(f"{phone.live_server_url}/activity/")
    _click(phone, wait_for(phone, "#plan-activity"))
    wait_for(phone, "#activity-form")
    phone.find_element(By.ID, "id_theme").send_keys("重温入党誓词，坚定理想信念")
    _set(phone, "id_held_on", today.isoformat())
    phone.find_element(By.ID, "id_move_reason").send_keys("书记参加集中学习，改期开展")
    _click(phone, phone.find_element(By.ID, "form-submit"))

    wait_for(phone, "#attendance-list")
    assert phone.find_element(By.ID, "attendance-count").text == "共 3 名党员"
    excused = members[1]
    _click(phone, phone.find_element(By.CSS_SELECTOR, f"label[for='s-{excused.pk}-excused']"))
    reason = phone.find_element(By.ID, f"r-{excused.pk}")
    assert reason.is_displayed()
    reason.send_keys("住院治疗")
    _click(phone, phone.find_element(By.ID, "attendance-submit"))

    figures = wait_for(phone, "#attendance-figures")
    assert figures.text.startswith("应到 3 人，出席 2 人，请假 1 人，无故缺席 0 人")
    assert phone.find_element(By.ID, "activity-status").text == "已记实"
    activity = Activity.objects.get()
    assert (activity.status, activity.held_on, activity.is_activity_day) == ("recorded", today, True)
    assert sorted(Attendance.objects.values_list("member__name", "status", "reason")) == [
        ("张志强", "excused", "住院治疗"),
        ("李秀英", "present", ""),
        ("赵丽娟", "present", ""),
    ]

    phone.delete_all_cookies()
    phone.set_window_size(1280, 900)
    browser_login(phone, "county_admin")
    phone.get(f"{phone.live_server_url}/activity/supervision/?month={today:%Y-%m}")
    assert wait_for(phone, "#total-held").text == "1 / 2"
    assert wait_for(phone, "#total-attendance").text == "66.7%"
    _click(phone, phone.find_element(By.LINK_TEXT, "东山街道党工委"))
    wait_for(phone, "#children-table")
    assert "上坊村党支部" in phone.find_element(By.ID, "not-held").text
    _click(phone, phone.find_element(By.LINK_TEXT, "佳湖社区党支部"))
    activities = wait_for(phone, "#branch-activities")
    assert "重温入党誓词，坚定理想信念" in activities.text
    assert "2/3" in activities.text


def test_supervision_chart_is_drawn_for_a_year(browser, world):
    af.rule(world.county, day=1, effective_from=date(2026, 1, 1))
    world.admin(world.county, username="county_admin")
    members = [mf.member(world.branch, name="李秀英")]
    af.record(af.plan(world.branch, date(2026, 10, 8), is_activity_day=True), members)

    browser_login(browser, "county_admin")
    browser.get(f"{browser.live_server_url}/activity/supervision/?year=2026")

    # The script sets the mark once Chart.js drew: both scripts came from /static/ under the CSP.
    drawn = wait_for(browser, "#supervision-chart[data-rendered='1']")
    assert drawn.size["height"] > 50
