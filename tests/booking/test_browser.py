"""Booking in a real Chromium: a secretary requests, the instructor accepts, both see it in their
calendars; the calendar and the schedule on a phone."""

from datetime import time

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from booking import services
from booking.models import Booking
from tests.booking.factories import lecturer, request_lecture, weekday_after
from tests.conftest import browser_login, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _set(driver, element_id: str, value: str) -> None:
    """Set an input's value directly (date and time inputs ignore typed text in some locales)."""
    driver.execute_script("arguments[0].value = arguments[1];", driver.find_element(By.ID, element_id), value)


def _type(driver, element_id: str, value: str) -> None:
    field = driver.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(value)


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

    WebDriverWait(driver, 10).until(left_the_page)
    return wait_for(driver, wait_css)


def _switch_user(driver, username: str) -> None:
    driver.delete_all_cookies()
    browser_login(driver, username)


def test_secretary_requests_instructor_accepts_both_see_it_in_their_calendars(browser, world, pools):
    teacher = lecturer(pools.province, username="teacher", name="周立新", title="教授")
    world.secretary(world.branch, username="sec", full_name="王书记")
    url = browser.live_server_url
    day = weekday_after(9)

    # the secretary finds the instructor and asks for a lecture
    browser_login(browser, "sec")
    browser.get(f"{url}/booking/find/?q=周立新")
    _submit(browser, f".find-item[data-instructor='{teacher.pk}'] .request-instructor", "#request-form")
    _type(browser, "id_topic", "学习贯彻党的二十大精神")
    _set(browser, "id_day", day.isoformat())
    _set(browser, "id_starts", "09:00")
    _set(browser, "id_ends", "11:30")
    _type(browser, "id_class_hours", "3")
    _type(browser, "id_place", "佳湖社区党群服务中心")
    _type(browser, "id_audience_size", "45")
    _submit(browser, "#request-submit", "#booking-status")
    assert browser.find_element(By.ID, "booking-status").text == "待讲师答复"
    assert browser.find_element(By.ID, "booking-fee").text.startswith("3,000.00 元")
    booking = Booking.objects.get()

    # the instructor finds it in the inbox and accepts
    _switch_user(browser, "teacher")
    browser.get(f"{url}/booking/inbox/")
    _submit(browser, f"#to-answer .booking-item[data-booking='{booking.pk}']", "#booking-accept")
    _submit(browser, "#booking-accept", "#booking-status")
    assert browser.find_element(By.ID, "booking-status").text == "已确认"
    assert browser.find_element(By.ID, "booking-ics").is_displayed()

    # both see it in their calendars
    month = day.strftime("%Y-%m")
    browser.get(f"{url}/booking/calendar/?month={month}")
    entry = wait_for(browser, f"#calendar-grid .calendar-entry[data-booking='{booking.pk}']")
    assert "学习贯彻党的二十大精神" in entry.get_attribute("title")

    _switch_user(browser, "sec")
    browser.get(f"{url}/booking/requests/")
    _submit(browser, "#calendar-link", "#calendar-grid")
    browser.get(f"{url}/booking/calendar/?month={month}&as=branch")
    entry = wait_for(browser, f"#calendar-grid .calendar-entry[data-booking='{booking.pk}']")
    assert entry.text.startswith("09:00")
    assert Booking.objects.get().status == Booking.Status.ACCEPTED


def test_the_calendar_and_the_schedule_on_a_phone(phone, world, pools):
    teacher = lecturer(pools.province, username="teacher")
    secretary = world.secretary(world.branch, username="sec")
    booking = services.booking_accept(booking=request_lecture(secretary, world.branch, teacher), actor=teacher.user)
    url = phone.live_server_url

    browser_login(phone, "teacher")
    phone.get(f"{url}/booking/calendar/?month={booking.local_date:%Y-%m}")
    entry = wait_for(phone, f"#calendar-list .calendar-entry-phone[data-booking='{booking.pk}']")
    assert "已确认" in entry.text
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 390

    phone.get(f"{url}/booking/schedule/")
    wait_for(phone, "#windows-form")
    Select(phone.find_element(By.ID, "id_w-0-weekday")).select_by_visible_text("星期二")
    _set(phone, "id_w-0-starts", "14:00")
    _set(phone, "id_w-0-ends", "17:30")
    _submit(phone, "#windows-save", "#current-windows")
    assert "星期二 14:00–17:30" in phone.find_element(By.ID, "current-windows").text
    assert list(teacher.weekly_availability.values_list("weekday", "starts", "ends")) == [(1, time(14), time(17, 30))]
    _submit(phone, "#feed-create", "#feed-url")
    assert "/booking/feed/" in phone.find_element(By.ID, "feed-url").get_attribute("value")
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 390
