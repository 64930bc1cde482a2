"""The pool in a real Chromium: intake from call to published roster, the public roster on a phone,
the import page and the instructor's own page."""

import re

import pytest
from django.utils import timezone
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from pool.models import Instructor, RosterVersion
from pool.services import instructor_link_user
from tests.conftest import browser_login, wait_for
from tests.factories import UserFactory
from tests.pool.factories import csv_bytes, instructor, pool_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _set(driver, element_id: str, value: str) -> None:
    """Set an input's value directly (date inputs ignore typed text in some locales)."""
    driver.execute_script("arguments[0].value = arguments[1];", driver.find_element(By.ID, element_id), value)


def _type(driver, element_id: str, value: str) -> None:
    field = driver.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(value)


def _click(driver, css: str):
    element = wait_for(driver, css)
    # Bootstrap scrolls smoothly: jump instead, so the click lands where the element is
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
    element.click()
    return element


def _submit(driver, button_id: str, wait_css: str):
    """Submit a form and wait for the next page (the old button goes stale) to show ``wait_css``."""
    button = _click(driver, f"#{button_id}")

    def left_the_page(_driver) -> bool:
        # while the page unloads Chromium answers with a stale-element or an inspector error
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


def test_intake_from_call_to_published_roster(browser, world):
    pool = pool_for(world.province)
    world.admin(world.province, username="prov_admin", full_name="省委组织部")
    UserFactory(username="expert", full_name="评审专家")
    world.secretary(world.branch, username="branch_secretary", full_name="支部书记")
    url = browser.live_server_url

    # 1. 师资征集: the provincial admin publishes a call
    browser_login(browser, "prov_admin")
    browser.get(f"{url}/pool/manage/{pool.pk}/")
    _click(browser, "#new-call")
    wait_for(browser, "#call-form")
    _type(browser, "id_title", "年度省级师资征集")
    _set(browser, "id_deadline", (timezone.localdate() + timezone.timedelta(days=14)).isoformat())
    _type(browser, "id_reviewers", "prov_admin expert")
    _type(browser, "id_count_economy", "2")
    _submit(browser, "call-submit", "#call-status")
    assert "年度省级师资征集" in browser.find_element(By.TAG_NAME, "h1").text
    call_url = browser.current_url

    # 2. 推荐报名: a branch secretary recommends a candidate with the candidate's consent
    _switch_user(browser, "branch_secretary")
    browser.get(call_url)
    _click(browser, "#recommend-link")
    wait_for(browser, "#recommend-form")
    _type(browser, "id_name", "候选讲师")
    _type(browser, "id_employer", "南京农业大学")
    _type(browser, "id_title", "副教授")
    _type(browser, "id_phone", "13955556666")
    _set(browser, "id_consent_date", timezone.localdate().isoformat())
    _type(browser, "id_topics-0-title", "农村电商与数字乡村")
    _type(browser, "id_topics-0-abstract", "直播带货、农产品上行")
    _click(browser, "#recommend-submit")  # without the consent the browser refuses to send the form
    assert browser.find_element(By.CSS_SELECTOR, "#id_consent_given:invalid")
    assert browser.current_url.endswith("/recommend/")
    assert not Instructor.objects.exists()
    _click(browser, "#id_consent_given")
    _set(browser, "id_consent_date", timezone.localdate().isoformat())
    _submit(browser, "recommend-submit", "#candidate-status")
    assert browser.find_element(By.ID, "candidate-status").text == "已推荐"
    recommendation_url = browser.current_url

    # 3. 审核评定: the admin sends it to review, both reviewers score, the admin decides
    _switch_user(browser, "prov_admin")
    browser.get(recommendation_url)
    _submit(browser, "start-review", "#review-form")
    for username, scores in (("prov_admin", ("80", "90", "70")), ("expert", ("90", "70", "80"))):
        if username != "prov_admin":
            _switch_user(browser, username)
            browser.get(recommendation_url)
            wait_for(browser, "#review-form")
        for field, score in zip(("id_score_basic", "id_score_teaching", "id_score_research"), scores, strict=True):
            _type(browser, field, score)
        _submit(browser, "review-submit", "#combined-score")
    assert browser.find_element(By.ID, "combined-score").text == "80.00"

    _switch_user(browser, "prov_admin")
    browser.get(recommendation_url)
    wait_for(browser, "#decision-form")
    _click(browser, "input[name=decision][value=approve]")
    _submit(browser, "decision-submit", "#appoint-form")
    assert browser.find_element(By.ID, "candidate-status").text == "已择优确定"

    # 4. 组织聘任: appointment with a numbered letter, then the roster published as a document
    _submit(browser, "appoint-submit", "#letter-number")
    letter_number = browser.find_element(By.ID, "letter-number").text
    assert re.fullmatch(r"江苏省先锋师资聘〔\d{4}〕001号", letter_number)
    browser.get(f"{url}/pool/manage/instructors/{Instructor.objects.get().pk}/letter/")
    assert wait_for(browser, "#letter").text.count("候选讲师") == 1

    browser.get(f"{url}/pool/manage/{pool.pk}/publish/")
    assert "候选讲师" in wait_for(browser, "#preview-added").text
    _submit(browser, "publish-submit", "#roster-document")
    assert "候选讲师" in browser.find_element(By.ID, "roster-added").text
    assert browser.find_element(By.ID, "document-number").text == RosterVersion.objects.get().number

    # the public sees the new instructor on the roster, without the phone
    browser.delete_all_cookies()
    browser.get(f"{url}/pool/?q=候选讲师")
    _click(browser, "#roster-list .roster-item")
    wait_for(browser, "#topics")
    assert "农村电商与数字乡村" in browser.page_source
    assert "13955556666" not in browser.page_source
    assert "5666" not in browser.page_source


def test_public_roster_on_a_phone_filters_and_hides_phones(phone, world):
    province = pool_for(world.province)
    instructor(province, name="经济讲师", category="economy", phone="13811112222", topics=[{"title": "区域经济"}])
    instructor(province, name="理论讲师", category="theory", phone="13833334444")

    phone.get(f"{phone.live_server_url}/pool/")
    wait_for(phone, "#roster-filters")
    Select(phone.find_element(By.ID, "f-category")).select_by_visible_text("经济发展")
    _submit(phone, "roster-search", "#roster-list")

    items = phone.find_elements(By.CSS_SELECTOR, "#roster-list .roster-item")
    assert [i.find_element(By.TAG_NAME, "strong").text for i in items] == ["经济讲师"]
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 390
    assert re.search(r"1[3-9]\d{9}", phone.page_source) is None


def test_import_page_shows_the_bad_rows(browser, world, tmp_path):
    pool_for(world.province)
    world.admin(world.province, username="prov_admin")
    path = tmp_path / "instructors.csv"
    path.write_bytes(
        csv_bytes(
            "X1,张三,男,单位,教授,省级,江苏省,理论政策,专题,,13812345678,是",
            "X2,李四,女,单位,教授,省级,江苏省,天文地理,专题,,13812345679,是",
        )
    )

    browser_login(browser, "prov_admin")
    browser.get(f"{browser.live_server_url}/pool/manage/import/")
    wait_for(browser, "#id_file").send_keys(str(path))
    _submit(browser, "import-submit", "#import-errors")

    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#import-errors .import-error")]
    assert len(rows) == 1
    assert rows[0].startswith("3 类别")
    assert not Instructor.objects.exists()


def test_instructor_keeps_topics_and_sends_a_suggestion(browser, world):
    user = UserFactory(username="lecturer", full_name="周老师")
    instructor_link_user(instructor=instructor(pool_for(world.province)), actor=None, user=user)

    browser_login(browser, "lecturer")
    browser.get(f"{browser.live_server_url}/pool/me/")
    wait_for(browser, "#topic-add-form")
    _type(browser, "id_new-title", "如何上好一堂党课")
    _submit(browser, "topic-add", ".topic-row")
    _type(browser, "id_subject", "希望反馈评价")
    _type(browser, "id_body", "建议每季度反馈一次评价汇总。")
    _submit(browser, "suggestion-send", ".my-suggestion")

    assert "如何上好一堂党课" in browser.page_source
    assert "希望反馈评价" in browser.find_element(By.CSS_SELECTOR, ".my-suggestion").text
