"""Real Chromium against the live server: a member confirms an entry of their record on a phone."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from records.models import RecordEntry
from tests.conftest import browser_login, wait_for
from tests.factories import user_with_role
from tests.records import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_confirms_an_entry_on_a_phone(phone, world):
    m = f.member(world.branch, user=user_with_role("member", world.branch, username="records_member"))
    entry = f.merit(m, title="社区优秀志愿者")
    other = f.merit(m, title="抗洪抢险突出贡献")
    browser_login(phone, "records_member")

    phone.get(f"{phone.live_server_url}/")
    link = wait_for(phone, "main a.todo-item[href='/records/me/']")
    assert "2" in link.text
    phone.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", link)
    link.click()
    item = wait_for(phone, f"#entries-to-confirm #entry-{entry.pk}")
    assert "社区优秀志愿者" in item.text
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 390

    button = item.find_element(By.CSS_SELECTOR, ".entry-confirm")
    phone.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", button)
    button.click()
    WebDriverWait(phone, 10).until(
        ec.invisibility_of_element_located((By.CSS_SELECTOR, f"#entries-to-confirm #entry-{entry.pk}"))
    )
    status = wait_for(phone, f"#all-entries #entry-{entry.pk}")
    assert status.get_attribute("data-status") == "confirmed"
    assert RecordEntry.objects.get(pk=entry.pk).status == "confirmed"
    assert RecordEntry.objects.get(pk=other.pk).status == "pending"
