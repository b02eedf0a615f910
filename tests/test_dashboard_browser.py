"""End-to-end: drive the dashboard in headless Chromium (Debian's chromium + chromedriver via
Selenium), submit a solve job through the page, wait for it, and check the Gantt chart and the
numbers shown against the API's result. Skipped where Chromium or chromedriver is not installed.
Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pytest

from tests.test_service import _free_port, _serve

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs Debian's chromium and chromium-driver")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def test_dashboard_submits_a_job_and_shows_its_gantt(tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    port = _free_port()
    server = _serve(tmp_path / "jobs.db", port)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=webdriver.ChromeService(executable_path=DRIVER), options=options)
    try:
        browser.get(f"http://127.0.0.1:{port}/ui/")
        wait = WebDriverWait(browser, 60)
        wait.until(lambda b: len(Select(b.find_element(By.ID, "solver")).options) > 5)
        select = Select(browser.find_element(By.ID, "solver"))
        select.deselect_all()
        select.select_by_visible_text("cpsat")
        browser.find_element(By.ID, "instance").clear()
        browser.find_element(By.ID, "instance").send_keys("ft06")
        browser.find_element(By.ID, "time_limit").clear()
        browser.find_element(By.ID, "time_limit").send_keys("3")
        browser.find_element(By.ID, "submit-solve").click()
        row = wait.until(lambda b: _done_row(b))
        job_id = int(row.get_attribute("data-id"))
        wait.until(lambda b: _click_row(b, job_id))  # the table is redrawn every second: find the row afresh
        svg = wait.until(lambda b: b.find_element(By.CSS_SELECTOR, "#gantt svg"))
        api = httpx.get(f"http://127.0.0.1:{port}/jobs/{job_id}/result").json()
        assert int(svg.get_attribute("data-bars")) == len(api["schedule"]) == 36
        assert len(browser.find_elements(By.CSS_SELECTOR, "#gantt rect.sl-bar")) == 36
        shown = wait.until(lambda b: b.find_element(By.ID, "detail-objective").text)
        assert float(shown) == api["objective"] == 55
        assert wait.until(lambda b: _cell_text(b, f"#jobs tr[data-id='{job_id}'] td.objective")) == "55"
        links = {a.text: a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#downloads a")}
        assert {"result.json", "CSV", "Gantt PNG", "objective PNG"} <= set(links), links
        assert httpx.get(links["Gantt PNG"]).content.startswith(b"\x89PNG")
        ARTIFACTS.mkdir(exist_ok=True)
        time.sleep(0.3)
        browser.save_screenshot(str(ARTIFACTS / "dashboard.png"))
        # a simulation through the form generated from the domain's declaration
        Select(browser.find_element(By.ID, "domain")).select_by_visible_text("cluster")
        Select(browser.find_element(By.ID, "policy")).select_by_visible_text("fair")
        browser.find_element(By.CSS_SELECTOR, "#sim-fields").find_element(By.XPATH, "..").click()  # open "parameters"
        jobs = browser.find_element(By.ID, "param-jobs")
        assert jobs.get_attribute("value") == "600" and jobs.get_attribute("min") == "1"
        Select(browser.find_element(By.ID, "param-size_mix")).select_by_visible_text("two-class")  # a choice field
        jobs.clear()
        jobs.send_keys("80")
        browser.find_element(By.ID, "submit-sim").click()
        sim_id = wait.until(lambda b: _row_with(b, "cluster / fair", "done"))
        wait.until(lambda b: _click_row(b, sim_id))
        wait.until(lambda b: "response_time.mean" in b.find_element(By.ID, "summary").text)
        api = httpx.get(f"http://127.0.0.1:{port}/jobs/{sim_id}/result").json()
        assert api["metrics"]["jobs"] == 80 and api["policy"] == "fair" and api["params"]["size_mix"] == "two-class"
        assert wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "#gantt rect.sl-bar"))  # the executors' timeline
        browser.save_screenshot(str(ARTIFACTS / "dashboard_simulation.png"))
    finally:
        browser.quit()
        server.terminate()
        server.wait(10)


def _done_row(browser):
    """The first finished job's row, or None (also when the table was redrawn while reading it)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    try:
        return next((r for r in browser.find_elements(By.CSS_SELECTOR, "#jobs tbody tr") if "done" in r.text), None)
    except StaleElementReferenceException:
        return None


def _row_with(browser, what: str, status: str) -> int | None:
    """The id of the first row showing `what` with `status`, or None."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    try:
        for row in browser.find_elements(By.CSS_SELECTOR, "#jobs tbody tr"):
            if what in row.text and status in row.text:
                return int(row.get_attribute("data-id"))
    except StaleElementReferenceException:
        return None
    return None


def _click_row(browser, job_id: int) -> bool:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    try:
        browser.find_element(By.CSS_SELECTOR, f"#jobs tr[data-id='{job_id}']").click()
        return True
    except StaleElementReferenceException:
        return False


def _cell_text(browser, selector: str) -> str | None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    try:
        return browser.find_element(By.CSS_SELECTOR, selector).text
    except StaleElementReferenceException:
        return None
