"""Real Chromium against the live server: the screens secretaries and admins use."""

from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from members import roster
from members.models import Member, MobileMembership, PersonalDataAccess
from tests.conftest import browser_login, wait_for
from tests.members import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill(driver, field_id: str, value: str) -> None:
    element = driver.find_element(By.ID, field_id)
    element.clear()
    element.send_keys(value)


def _set_date(driver, field_id: str, value: date) -> None:
    driver.execute_script("document.getElementById(arguments[0]).value = arguments[1]", field_id, value.isoformat())


def _submit(driver, button_id: str) -> None:
    """Scroll the element to the middle of the window (a phone's footer may cover it) and click it."""
    button = driver.find_element(By.ID, button_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", button)
    button.click()


def test_inflow_secretary_registers_a_mobile_member_from_the_certificate_number(phone, world):
    secretary = world.secretary(world.other_city_branch, username="xuzhou_sec", full_name="张志强")
    member = f.member(world.branch, name="周海燕")
    f.mobile(member, certificate_number="320115-2026-00042", inflow_branch=world.other_city_branch)
    browser_login(phone, "xuzhou_sec")

    phone.get(f"{phone.live_server_url}/members/mobile/register/")
    _fill(phone, "id_certificate_number", "320115-2026-00042")
    _fill(phone, "id_name", "周海燕")
    _submit(phone, "lookup-submit")
    card = wait_for(phone, "#certificate-card")
    assert "佳湖社区党支部" in card.text
    _submit(phone, "id_certificate_verified")
    _submit(phone, "register-submit")

    status = wait_for(phone, "#mobile-status")
    assert status.text == "已在流入地登记"
    assert "汉兴社区党支部" in phone.find_element(By.ID, "inflow-branch").text
    membership = MobileMembership.objects.get()
    assert (membership.status, membership.inflow_branch, membership.registered_by) == (
        "registered",
        world.other_city_branch,
        secretary,
    )


def test_secretary_reveals_an_id_number_with_a_reason(browser, world):
    world.secretary(world.branch, username="branch_sec")
    member = f.member(world.branch, name="李秀英", id_number="320102199001011232")
    browser_login(browser, "branch_sec")

    browser.get(f"{browser.live_server_url}/members/")
    wait_for(browser, "#member-table")
    assert "3201**********1232" in browser.find_element(By.ID, "member-table").text
    browser.find_element(By.LINK_TEXT, "李秀英").click()
    wait_for(browser, "#reveal-form")
    Select(browser.find_element(By.ID, "id_field")).select_by_value("id_number")
    _fill(browser, "id_reason", "办理组织关系转接")
    _submit(browser, "reveal-submit")

    assert wait_for(browser, "#revealed-value").text == "320102199001011232"
    assert "320102199001011232" not in browser.current_url
    assert list(PersonalDataAccess.objects.values_list("member", "reason")) == [(member.pk, "办理组织关系转接")]


def test_outflow_secretary_logs_a_quarterly_contact_on_a_phone(phone, world):
    world.secretary(world.branch, username="branch_sec")
    membership = f.mobile(f.member(world.branch, name="吴俊峰"), left_on=date(2025, 1, 10))
    browser_login(phone, "branch_sec")

    phone.get(f"{phone.live_server_url}/members/mobile/{membership.pk}/contact/")
    wait_for(phone, "#members-form")
    Select(phone.find_element(By.ID, "id_method")).select_by_value("message")
    _fill(phone, "id_situation", "在昆山务工，思想稳定")
    _submit(phone, "form-submit")

    contacts = wait_for(phone, "#contacts")
    assert "在昆山务工，思想稳定" in contacts.text
    assert list(membership.contacts.values_list("method", "reached")) == [("message", True)]


def test_import_with_a_bad_row_shows_the_row_and_imports_nothing(browser, world, tmp_path: Path):
    world.secretary(world.branch, username="branch_sec")
    book = Workbook()
    book.active.append([h for _k, h, _r in roster.ROSTER_COLUMNS])
    book.active.append(["好", "", f.id_number(), "", None, "2010-07-01", "正式党员", "", "", "否", "在职", 4000])
    book.active.append(["坏", "", "123", "", None, "2010-07-01", "正式党员", "", "", "否", "在职", 4000])
    out = BytesIO()
    book.save(out)
    path = tmp_path / "roster.xlsx"
    path.write_bytes(out.getvalue())
    browser_login(browser, "branch_sec")

    browser.get(f"{browser.live_server_url}/members/import/")
    browser.find_element(By.ID, "id_file").send_keys(str(path))
    _submit(browser, "import-submit")

    errors = wait_for(browser, "#import-errors")
    assert "未导入任何数据" in errors.text
    assert "身份证号码为18位" in browser.page_source
    assert Member.objects.count() == 0


def test_admin_takes_the_census_and_sees_who_needs_attention(browser, world):
    world.admin(world.county, username="county_admin")
    f.mobile(f.member(world.branch, name="失联者"), left_on=date(2025, 1, 10))
    browser_login(browser, "county_admin")

    browser.get(f"{browser.live_server_url}/members/census/")
    Select(browser.find_element(By.ID, "id_organization")).select_by_visible_text("东山街道党工委")
    _submit(browser, "census-submit")

    table = wait_for(browser, "#census-entries")
    assert "失联者" in table.text
    assert "未在流入地登记" in table.text
