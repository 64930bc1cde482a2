"""为我推荐 in a real Chromium: from the navigation to the list with reasons and on to the booking link."""

from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import browser_login, wait_for
from tests.factories import UserFactory
from tests.pool.recommender.factories import ECOMMERCE, ELDERLY, FIRST_AID, pools_of, teacher

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEED = "村里年轻人都出去打工了，想请人讲讲怎么照顾好留守老人"


@pytest.fixture
def secretary(world):
    return world.secretary(world.branch, username="zhibu_shuji")


@pytest.fixture
def instructors(world):
    pools = pools_of(world)
    return {
        "elderly": teacher(pools.county, ELDERLY, name="王秀英"),
        "ecommerce": teacher(pools.county, ECOMMERCE, name="李建国"),
        "first_aid": teacher(pools.province, FIRST_AID, name="赵海燕"),
        "elsewhere": teacher(pools.other_city, ELDERLY, name="外市讲师"),
    }


def _click(driver, element) -> None:
    # Bootstrap scrolls smoothly: jump instead, so the click lands where the element is
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
    element.click()


def _ask(driver, need: str) -> list:
    field = wait_for(driver, "#id_q")
    field.clear()
    field.send_keys(need)
    _click(driver, driver.find_element(By.ID, "need-submit"))
    WebDriverWait(driver, 10).until(lambda d: "q=" in d.current_url)
    wait_for(driver, "#need-summary")
    return driver.find_elements(By.CSS_SELECTOR, ".recommend-item")


def test_a_secretary_asks_in_own_words_and_starts_a_booking(browser, secretary, instructors):
    browser_login(browser, "zhibu_shuji")
    _click(browser, browser.find_element(By.LINK_TEXT, "师资库"))  # the area's menu
    _click(browser, wait_for(browser, "a.dropdown-item[href='/pool/recommend/']"))

    items = _ask(browser, NEED)

    names = [i.find_element(By.CSS_SELECTOR, "a.fs-5").text for i in items]
    assert names[0] == "王秀英"
    assert "外市讲师" not in names
    first = items[0]
    terms = [t.text for t in first.find_elements(By.CSS_SELECTOR, ".matched-term")]
    assert "居家养老服务" in terms
    assert browser.find_element(By.ID, "inferred-category").text == "综合管理"
    link = first.find_element(By.CSS_SELECTOR, ".booking-link")
    target = urlsplit(link.get_attribute("href"))
    _click(browser, link)
    WebDriverWait(browser, 10).until(lambda d: urlsplit(d.current_url).path == target.path)
    if target.path.startswith("/booking/"):
        assert parse_qs(target.query)["instructor"] == [str(instructors["elderly"].pk)]
    else:  # no booking form in this build yet: the instructor's profile
        assert target.path == f"/pool/instructors/{instructors['elderly'].pk}/"


def test_the_list_fits_a_phone(phone, secretary, instructors):
    browser_login(phone, "zhibu_shuji")
    phone.get(f"{phone.live_server_url}/pool/recommend/")

    items = _ask(phone, "心肺复苏培训，让党员都学会救人")

    assert items[0].find_element(By.CSS_SELECTOR, "a.fs-5").text == "赵海燕"
    overflow = phone.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_someone_who_leads_no_branch_sees_no_branch_choice(browser, world, instructors):
    UserFactory(username="plain_user")
    browser_login(browser, "plain_user")
    browser.get(f"{browser.live_server_url}/pool/recommend/")

    items = _ask(browser, NEED)

    names = [i.find_element(By.CSS_SELECTOR, "a.fs-5").text for i in items]
    assert sorted(names[:2]) == sorted(["王秀英", "外市讲师"])
    assert browser.find_elements(By.CSS_SELECTOR, "select#id_branch") == []
