import pytest
from django.test import Client
from selenium.webdriver.common.by import By

from tests.conftest import browser_login, wait_for

pytestmark = pytest.mark.django_db


def test_anonymous_home_shows_login_and_public_links(client: Client):
    response = client.get("/")

    assert response.status_code == 200
    assert "先锋师资库" in response.content.decode()
    assert "登录" in response.content.decode()


def test_login_page_is_in_chinese_and_lists_demo_accounts(client: Client):
    page = client.get("/login/").content.decode()

    assert "用户名" in page
    assert "演示账号" in page
    assert 'lang="zh-hans"' in page


def test_home_lists_the_roles_of_the_user(client: Client, world):
    admin = world.admin(world.county)
    client.force_login(admin)

    page = client.get("/").content.decode()

    assert "我的待办" in page
    assert "组织部门管理员 · 南京市江宁区" in page


def test_org_tree_page_refuses_an_org_outside_the_jurisdiction(client: Client, world):
    client.force_login(world.admin(world.county))

    assert client.get(f"/orgs/{world.branch.pk}/").status_code == 200
    assert client.get(f"/orgs/{world.sibling_county.pk}/").status_code == 403


def test_org_tree_requires_login(client: Client, db):
    response = client.get("/orgs/")

    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_static_assets_are_local(client: Client, db):
    page = client.get("/").content.decode()

    assert "/static/vendor/bootstrap/bootstrap.min.css" in page
    assert "http://" not in page.split("<body>")[0].replace("http://www.w3.org", "")
    assert "https://" not in page


@pytest.mark.browser
def test_browser_login_shows_the_home_page(browser, world):
    world.admin(world.county, username="county_admin", full_name="江宁管理员")

    browser_login(browser, "county_admin")

    assert browser.find_element(By.ID, "nav-user").text == "江宁管理员"
    assert "我的待办" in browser.find_element(By.TAG_NAME, "h1").text
    assert "南京市江宁区" in browser.page_source


@pytest.mark.browser
def test_browser_wrong_password_stays_on_login_with_a_message(browser, world):
    world.admin(world.county, username="county_admin")

    browser.get(f"{browser.live_server_url}/login/")
    browser.find_element(By.ID, "id_username").send_keys("county_admin")
    browser.find_element(By.ID, "id_password").send_keys("wrong")
    browser.find_element(By.ID, "login-submit").click()

    alert = wait_for(browser, ".alert-danger")
    assert "/login/" in browser.current_url
    assert "请输入一个正确的" in alert.text


def test_an_unknown_page_is_a_chinese_404(client: Client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_navigation_groups_an_areas_links_into_one_menu(client: Client, world):
    from orgs.models import Role
    from orgs.services import role_grant

    secretary = world.secretary(world.branch)
    role_grant(user=secretary, role=Role.MEMBER, organization=world.branch)
    client.force_login(secretary)

    page = client.get("/").content.decode()

    assert page.count('class="nav-link dropdown-toggle') >= 3
    assert '<a class="nav-link" href="/orgs/">组织机构</a>' in page
