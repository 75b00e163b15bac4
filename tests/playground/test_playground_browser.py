"""The page in a real browser (Debian's Chromium, driven by Selenium), against `vtl playground`
started as a user starts it: typing a template and seeing the bytes `vtl render` prints,
an error marked at its line, a route picked, a file saved, a case exported and run by
`vtl test`, the session kept in the URL. One browser for the module; screenshots are left in
tests/playground/artifacts/ (git-ignored).

Skipped, with the reason, only where Chromium or its driver is not installed (`.ci/run`
installs them: `apt-get install chromium chromium-driver`).
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from vtl_engine.tools.cli import main

from playground_harness import Playground, running, vtl_command

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).parent / "artifacts"

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip(f"no browser to drive: {CHROMIUM} and {CHROMEDRIVER} are installed by "
                "`apt-get install chromium chromium-driver` (.ci/run does it)",
                allow_module_level=True)

from selenium import webdriver  # noqa: E402 - only where a browser is there to drive
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

WAIT = 20   # seconds: generous, for a loaded 2-core machine


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    profile = tempfile.mkdtemp(prefix="vtl-playground-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                 "--window-size=1600,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                              options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def order_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Playground]:
    yield from running(tmp_path_factory, "order.vtl")


@pytest.fixture(scope="module")
def api_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Playground]:
    yield from running(tmp_path_factory, "--api", "openapi.yaml")


def wait_for(browser: webdriver.Chrome, condition, message: str):
    return WebDriverWait(browser, WAIT).until(lambda _: condition(), message)


def open_page(browser: webdriver.Chrome, url: str) -> None:
    browser.get(url)
    wait_for(browser, lambda: browser.execute_script(
        "return document.querySelector('#status').textContent.startsWith('rendered') || "
        "document.querySelector('#status').className.includes('fail')"),
        "the first render")


def output(browser: webdriver.Chrome, which: str = "request") -> str | None:
    return browser.execute_script(
        f"const p = document.querySelector('pre[data-body={which}]'); "
        "return p ? p.textContent : null")


def template_text(browser: webdriver.Chrome) -> str:
    return browser.execute_script("return ace.edit('editor').getValue()")


def set_editor(browser: webdriver.Chrome, editor_id: str, text: str) -> None:
    """Paste `text` into one of the form's editors (the body, $context)."""
    browser.execute_script("ace.edit(arguments[0]).setValue(arguments[1], 1)", editor_id, text)


def type_at_end(browser: webdriver.Chrome, keys: str):
    """Type in the template editor, at its end, as a person types."""
    browser.find_element(By.CSS_SELECTOR, "#editor .ace_content").click()
    field = browser.find_element(By.CSS_SELECTOR, "#editor textarea")
    field.send_keys(Keys.CONTROL, Keys.END)
    field.send_keys(keys)
    return field


def screenshot(browser: webdriver.Chrome, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / name))


def test_typing_a_template_shows_the_bytes_vtl_render_prints(browser, order_page, capsysbinary):
    folder = order_page.folder
    open_page(browser, order_page.url)
    browser.execute_script("window.notReloaded = true")
    browser.find_element(By.ID, "query").send_keys("express=true")
    browser.find_element(By.ID, "stage-variables").send_keys("env=prod")
    set_editor(browser, "body-editor", (folder / "order.json").read_text())
    set_editor(browser, "context-editor", '{"requestId": "req-browser"}')
    type_at_end(browser, "\nTotal: $order.total, by $context.requestId")
    wait_for(browser, lambda: "Total: 42.5, by req-browser" in (output(browser) or ""),
             "the output of the edited template")
    (folder / "edited.vtl").write_text(template_text(browser))
    (folder / "context.json").write_text('{"requestId": "req-browser"}')
    capsysbinary.readouterr()
    assert main(["render", str(folder / "edited.vtl"), "--body", str(folder / "order.json"),
                 "--query", "express=true", "--stage-var", "env=prod",
                 "--context", str(folder / "context.json")]) == 0
    printed = capsysbinary.readouterr().out.decode()
    shown = output(browser)
    assert shown == printed or shown + "\n" == printed
    assert browser.execute_script("return window.notReloaded") is True
    screenshot(browser, "playground-template.png")


def test_an_error_is_marked_at_its_line_and_nothing_typed_is_lost(browser, order_page):
    before = template_text(browser)
    type_at_end(browser, "\n#end")
    line = len(template_text(browser).split("\n"))
    wait_for(browser, lambda: browser.find_elements(By.CSS_SELECTOR, ".error-box"),
             "the error")
    gutter = wait_for(browser, lambda: browser.find_elements(
        By.CSS_SELECTOR, ".ace_gutter-cell.ace_error"), "the error's mark in the gutter")
    assert gutter[0].text.strip() == str(line)
    problem = browser.find_element(By.CSS_SELECTOR, ".problem.error")
    assert problem.find_element(By.CSS_SELECTOR, ".where").text.startswith(f"{line}:")
    assert "line" in browser.find_element(By.CSS_SELECTOR, ".error-box").text
    screenshot(browser, "playground-error.png")
    assert template_text(browser) == before + "\n#end"   # the editor keeps what was typed
    # the page's state is in the URL: a reload brings the text back
    wait_for(browser, lambda: "#z=" in browser.current_url or "#j=" in browser.current_url,
             "the state in the URL")
    browser.refresh()
    wait_for(browser, lambda: browser.find_elements(By.CSS_SELECTOR, ".error-box"),
             "the error after the reload")
    assert template_text(browser) == before + "\n#end"


def test_saving_writes_the_template_file(browser, order_page):
    folder = order_page.folder
    editor = type_at_end(browser, Keys.BACKSPACE * 5)   # the "\n#end" typed before
    wait_for(browser, lambda: not browser.find_elements(By.CSS_SELECTOR, ".error-box"),
             "the error gone")
    assert "unsaved" in browser.find_element(By.ID, "template-info").text
    editor.send_keys(Keys.CONTROL, "s")
    wait_for(browser, lambda: "unsaved" not in browser.find_element(By.ID, "template-info").text,
             "the save")
    assert (folder / "order.vtl").read_text() == template_text(browser)


def test_an_exported_case_runs_with_vtl_test(browser, order_page):
    folder = order_page.folder
    browser.find_element(By.ID, "export").click()
    wait_for(browser, lambda: "cases:" in browser.find_element(By.ID, "export-yaml").text,
             "the case's preview")
    name = browser.find_element(By.ID, "case-name")
    name.clear()
    name.send_keys("exported from the browser")
    file_name = browser.find_element(By.ID, "case-file")
    file_name.clear()
    file_name.send_keys("browser.vtltest.yaml")
    browser.find_element(By.ID, "export-save").click()
    wait_for(browser, lambda: "vtl test" in browser.find_element(By.ID, "export-result").text,
             "the case saved")
    browser.find_element(By.CSS_SELECTOR, "#export-dialog button[type=submit]").click()
    result = subprocess.run([*vtl_command(), "test", "browser.vtltest.yaml"], cwd=folder,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_a_route_of_the_api_definition_is_picked_and_run(browser, api_page):
    open_page(browser, api_page.url)
    Select(browser.find_element(By.ID, "route-select")).select_by_value(
        "DELETE /orders/{orderId}")
    params = browser.find_element(By.ID, "path-params")
    params.clear()
    params.send_keys("orderId=nope")
    wait_for(browser, lambda: output(browser, "response") == '{"message": "no such order"}',
             "the MOCK integration's answer")
    assert "404" in browser.find_element(By.CSS_SELECTOR, "#view-result .badge.s4").text
    browser.find_element(By.CSS_SELECTOR, "#result-tabs button[data-view=log]").click()
    log = browser.find_element(By.ID, "log").text
    assert "Method request path: {orderId=nope}" in log
    assert "Method completed with status: 404" in log
    Select(browser.find_element(By.ID, "route-select")).select_by_value("POST /orders")
    browser.find_element(By.CSS_SELECTOR, "#result-tabs button[data-view=result]").click()
    set_editor(browser, "body-editor", '{"customer": {"name": "Ada"}, "items": []}')
    wait_for(browser, lambda: '"customer": "Ada"' in (output(browser) or ""),
             "the route's request template's output")
    screenshot(browser, "playground.png")
