"""The first screen of each kind of user, in a real browser (Chromium via Playwright, the session's api-server).

- A desa operator on a phone logs in from Airflow's address and lands on Kirim data, in Indonesian, with no
  403 box and no nav entry it may not open (``docs/layar/operator-desa-layar-pertama.png``).
- The short address ``/kirim`` survives the login: logged out → FAB's login → back to Kirim data.
- BPS gets Airflow's dashboard with Pantau, Temuan, Indikator and Paket in its nav and no Kirim data, there
  or in our pages' own nav (``docs/layar/bps-nav.png``).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .test_halaman_browser import NAV, WAIT_MS, expect_slowly, logged_in, nav_entry, shot

pytestmark = [pytest.mark.browser, pytest.mark.airflow]

PONSEL = {"width": 390, "height": 844}
FORBIDDEN = re.compile(r"403|Forbidden|tidak berhak", re.IGNORECASE)


def log_in_at(browser: Any, server: Any, user: str, address: str) -> Any:
    """A fresh phone-sized tab that opens ``address`` logged out and logs in on the form it is sent to."""
    page = browser.new_context(viewport=PONSEL).new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{server.url}{address}")
    page.wait_for_url("**/auth/login/**")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", server.passwords[user])
    page.click("input[type=submit], button[type=submit]")
    return page


def test_a_desa_operator_lands_on_kirim_data(browser: Any, server: Any) -> None:
    expect = expect_slowly()
    page = log_in_at(browser, server, "operator-tulungrejo", "/")
    page.wait_for_url(re.compile(r"/desa-cantik/kirim$"))
    expect(page.locator("h1")).to_contain_text("Kirim data")
    assert page.locator("html").get_attribute("lang") == "id"
    text = page.locator("body").inner_text()
    assert not FORBIDDEN.search(text), text[:500]
    menu = page.locator("header.kepala nav.menu a")
    assert menu.all_inner_texts() == ["Kirim data"], "an operator's nav offers only its own page"
    assert page.evaluate("document.documentElement.scrollWidth") <= PONSEL["width"] + 1
    shot(page, "operator-desa-layar-pertama")
    page.context.close()


def test_the_short_address_comes_back_after_the_login(browser: Any, server: Any) -> None:
    expect = expect_slowly()
    page = log_in_at(browser, server, "operator-donomulyo", "/kirim")
    page.wait_for_url(re.compile(r"/desa-cantik/kirim$"))
    expect(page.locator("h1")).to_contain_text("Kirim data")
    page.context.close()


def test_a_pillars_nav_has_no_kirim_data(browser: Any, server: Any) -> None:
    expect = expect_slowly()
    page = logged_in(browser, server, "bps")
    for key, label in NAV.items():
        expect(nav_entry(page, key)).to_have_text(label)
    expect(nav_entry(page, "kirim")).to_have_count(0)
    expect(page.get_by_text("Kirim data")).to_have_count(0)
    page.wait_for_function("[...document.querySelectorAll('nav img, [data-testid=nav-sidebar] img')]"
                           ".every(i => i.complete && i.naturalWidth > 0)")  # the entries' icons
    page.wait_for_load_state("networkidle")  # the dashboard's figures
    shot(page, "bps-nav")
    page.goto(f"{server.url}/desa-cantik/")  # our own landing: Pantau, with only the pages BPS may open
    page.wait_for_url(re.compile(r"/desa-cantik/pantau$"))
    assert page.locator("header.kepala nav.menu a").all_inner_texts() == ["Pantau siklus", "Temuan", "Indikator", "Paket"]
    page.context.close()
