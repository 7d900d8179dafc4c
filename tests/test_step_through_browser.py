"""The step-through page in a real browser, as a learner uses it: Debian's Chromium, headless,
driven by selenium. Each page loads from file:// with no console error and no network request;
the keys, buttons, slider and Play step as the page says; the gradients shown at the end are the
engine's; a screenshot is not blank. Marked `browser` (pyproject.toml); `make test` runs it.
Skipped, with the reason, only where Chromium or chromedriver is missing."""

from __future__ import annotations

import base64
import json
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Timeline, Value, record_sites, step_through, value_sum
from autograd.draw.labels import num

pytestmark = pytest.mark.browser

# selenium is in the test extra: without it these tests fail (below), they are not skipped
try:
    from selenium import webdriver
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait
except ImportError:  # pragma: no cover - a broken test environment
    webdriver = None

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,900",
)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip(
            "the browser tests need Chromium and chromedriver on PATH "
            "(Debian/Ubuntu: apt-get install chromium chromium-driver)"
        )
    if webdriver is None:
        pytest.fail(
            "the browser tests need selenium, part of the test extra: pip install -e '.[test]'"
        )
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="dagrad-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_page(driver: Any, path: Path) -> None:
    driver.get_log("browser")  # forget what earlier pages logged
    driver.get_log("performance")
    driver.get(path.resolve().as_uri())
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return !!window.dagradStepThrough"))


def problems(driver: Any, page: Path) -> list[str]:
    """Console errors; any request over the network; any request the page makes for anything
    but itself. (Chromium's own chrome:// pages, such as the new tab it starts with, are not
    the page's.)"""
    found = [
        f"console: {e['message']}" for e in driver.get_log("browser") if e["level"] == "SEVERE"
    ]
    uri = page.resolve().as_uri()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] != "Network.requestWillBeSent":
            continue
        url = message["params"]["request"]["url"]
        document = message["params"].get("documentURL", "")
        if url.split(":", 1)[0] in ("http", "https", "ws", "wss", "ftp"):
            found.append(f"network request: {url}")
        elif document in (uri, "about:srcdoc") and url != uri:
            found.append(f"request by the page: {url}")
    return found


def counter(driver: Any) -> str:
    return str(driver.find_element(By.ID, "counter").text)


def key(driver: Any, name: str) -> None:
    driver.find_element(By.TAG_NAME, "body").send_keys(name)


def click(driver: Any, element_id: str) -> None:
    driver.find_element(By.ID, element_id).click()


def shown_grads(driver: Any) -> dict[str, str]:
    """Each drawn node's gradient lines as the page shows them ("" when hidden)."""
    return dict(
        driver.execute_script(
            "return Array.from(document.querySelectorAll('.unit.node')).map(function (g) {"
            "  return [g.getAttribute('data-sym'),"
            "    Array.from(g.querySelectorAll('.grad')).map(t => t.textContent).join('\\n')]; });"
        )
    )


def screenshot_ink(driver: Any, path: Path) -> tuple[int, float]:
    """Save a screenshot; the browser decodes it: (distinct colours, share of dark pixels)."""
    png = driver.get_screenshot_as_png()
    path.write_bytes(png)
    colours, ink = driver.execute_async_script(
        "var done = arguments[arguments.length - 1], img = new Image();"
        "img.onload = function () {"
        "  var c = document.createElement('canvas'); c.width = img.width; c.height = img.height;"
        "  var x = c.getContext('2d'); x.drawImage(img, 0, 0);"
        "  var d = x.getImageData(0, 0, c.width, c.height).data, seen = new Set(), dark = 0, n = 0;"
        "  for (var i = 0; i < d.length; i += 16) {"
        "    seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]); n++;"
        "    if (d[i] + d[i + 1] + d[i + 2] < 450) dark++; }"
        "  done([seen.size, dark / n]); };"
        "img.src = 'data:image/png;base64,' + arguments[0];",
        base64.b64encode(png).decode(),
    )
    return int(colours), float(ink)


def neuron() -> tuple[Value, dict[str, Value]]:
    with record_sites():
        p = {"x1": Value(2.0), "x2": Value(0.0), "w1": Value(-3.0), "w2": Value(1.0)}
        p["b"] = Value(6.8813735870195432)
        o = (p["x1"] * p["w1"] + p["x2"] * p["w2"] + p["b"]).tanh()  # THE NEURON LINE
    return o, p


# ------------------------------------------------------------------------------------------


def test_keys_buttons_slider_and_play_step_through_a_value_graph(
    browser: Any, tmp_path: Path
) -> None:
    o, p = neuron()
    page = step_through(o, params=p)
    path = page.save(tmp_path / "neuron.html")
    open_page(browser, path)
    n = page.steps
    assert counter(browser) == f"step 0 / {n}"
    assert not any(shown_grads(browser).values())  # at the start no gradient is shown
    key(browser, Keys.ARROW_RIGHT)
    assert counter(browser) == f"step 1 / {n}"
    first = browser.execute_script("return document.getElementById('sentence').textContent")
    assert first.startswith("Forward pass, op 1 of 5: v1 = x1 * w1")
    assert "2 × (-3) = -6" in browser.find_element(By.ID, "formula").text
    key(browser, Keys.ARROW_LEFT)
    assert counter(browser) == f"step 0 / {n}"
    key(browser, Keys.END)
    assert counter(browser) == f"step {n} / {n}"
    key(browser, Keys.HOME)
    assert counter(browser) == f"step 0 / {n}"
    click(browser, "next")
    click(browser, "next")
    assert counter(browser) == f"step 2 / {n}"
    click(browser, "prev")
    assert counter(browser) == f"step 1 / {n}"
    click(browser, "end")
    assert counter(browser) == f"step {n} / {n}"
    click(browser, "home")
    assert counter(browser) == f"step 0 / {n}"
    browser.execute_script(  # a drag of the slider to step 7
        "var s = document.getElementById('slider'); s.value = 7;"
        "s.dispatchEvent(new Event('input', {bubbles: true}));"
    )
    assert counter(browser) == f"step 7 / {n}"
    # Play runs to the end at the chosen speed and stops there; Pause stops it midway
    Select(browser.find_element(By.ID, "speed")).select_by_value("4")
    click(browser, "play")
    time.sleep(0.8)
    click(browser, "play")
    paused = int(counter(browser).split()[1])
    assert 7 < paused < n
    time.sleep(0.6)
    assert int(counter(browser).split()[1]) == paused
    Select(browser.find_element(By.ID, "speed")).select_by_value("60")
    click(browser, "play")
    WebDriverWait(browser, 10).until(lambda d: counter(d) == f"step {n} / {n}")
    WebDriverWait(browser, 5).until(lambda d: "Play" in d.find_element(By.ID, "play").text)
    # the end: every node that requires grad shows the engine's gradient
    assert all(v.grad == 0.0 for v in p.values())  # the page did not touch .grad
    o.backward()
    shown = shown_grads(browser)
    for name, v in p.items():
        assert shown[name] == f"grad {num(v.grad)}"
        assert float(NUMBER.findall(shown[name])[0]) == pytest.approx(v.grad, rel=1e-3, abs=1e-9)
    assert shown["C"] == "grad 1"
    # a node's details: op, shape, value, gradient and the line that created it
    browser.find_element(By.CSS_SELECTOR, '.unit.node[data-sym="C"]').click()
    details = browser.find_element(By.ID, "detail-list").text
    assert "tanh" in details and "scalar (a Value)" in details
    assert browser.find_element(By.ID, "detail-value").text == f"{o.data:.8g}"
    assert browser.find_element(By.ID, "detail-grad").text == "1"
    site = browser.find_element(By.ID, "detail-site").text
    assert "test_step_through_browser.py" in site and "# THE NEURON LINE" in site
    assert problems(browser, path) == []
    colours, ink = screenshot_ink(browser, tmp_path / "neuron.png")
    assert colours > 30 and 0.01 < ink < 0.5  # boxes, text and colours, not a blank page


def test_tensor_graph_of_the_lecture_shows_the_engines_gradients(
    browser: Any, tmp_path: Path
) -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        import backprop
    finally:
        sys.path.pop(0)
    with record_sites():
        net = backprop.Network(backprop.SLIDE_INPUT)
    net.cost.backward(retain_graph=True)  # after backward, kept: the page still works
    page = step_through(net.cost, params=net.names())
    path = page.save(tmp_path / "lecture.html")
    open_page(browser, path)
    w1 = browser.find_element(By.CSS_SELECTOR, '.unit.node[data-sym="W1"]')
    assert w1.get_attribute("data-grad-shown") == "0"
    key(browser, Keys.END)
    assert w1.get_attribute("data-grad-shown") == "1"
    click(browser, "fit")  # the whole graph in the window, so that every node can be clicked
    for name in ("W1", "b1", "W2", "z1", "a2", "W3"):
        tensor = net.names()[name]
        browser.find_element(By.CSS_SELECTOR, f'.unit.node[data-sym="{name}"]').click()
        text = browser.find_element(By.ID, "detail-grad").text
        shown = np.array([float(v) for v in NUMBER.findall(text)])
        assert np.allclose(shown, tensor.grad.data.ravel(), rtol=1e-6, atol=1e-12), name
    assert browser.find_element(By.ID, "detail-list").text.split("\n")[:8] == [
        "node", "a leaf that requires grad", "op", "none: made by the user",
        "shape", "(2, 2)", "dtype", "float64",
    ]  # fmt: skip
    browser.find_element(By.CSS_SELECTOR, '.unit.node[data-sym="z1"]').click()
    details = browser.find_element(By.ID, "detail-list").text
    assert "(z1 = v1 + b1)" in details and "(2,)" in details
    assert "z = w @ a + b" in browser.find_element(By.ID, "detail-site").text  # backprop.py
    formula = None
    key(browser, Keys.HOME)
    for _ in range(page.steps):  # walk to z2's backward step with the key
        key(browser, Keys.ARROW_RIGHT)
        formula = browser.find_element(By.ID, "formula").text
        if formula.startswith("dC/dz2 ="):
            break
    assert formula is not None and "= σ'(z2) ⊙ (W3ᵀ @ dC/dz3)" in formula
    labels = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#labels .elabel")]
    a2 = net.a[1].data
    assert labels == [f"× [{num(a2[0] * (1 - a2[0]))}, {num(a2[1] * (1 - a2[1]))}]"]  # σ'(z2)
    assert problems(browser, path) == []


def big_graph() -> tuple[Value, Any]:
    autograd.manual_seed(0)
    model = nn.scalar.MLP(2, [8, 8, 1])
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(38, 2)).tolist()
    return value_sum([(model(x) - 1.0) ** 2 for x in xs]) * (1 / 38), model


def test_a_2000_node_graph_is_folded_unfolds_on_click_and_stays_responsive(
    browser: Any, tmp_path: Path
) -> None:
    loss, model = big_graph()
    page = step_through(loss, params=model)
    path = page.save(tmp_path / "big.html")
    start = time.perf_counter()
    open_page(browser, path)
    loading = time.perf_counter() - start
    assert loading < 15  # about a second
    svg = browser.find_element(By.ID, "graph")
    assert svg.get_attribute("data-view") == "base"
    boxes = browser.find_elements(By.CSS_SELECTOR, ".unit.group")
    assert boxes
    start = time.perf_counter()
    key(browser, Keys.END)
    assert counter(browser) == f"step {page.steps} / {page.steps}"
    assert time.perf_counter() - start < 3  # tens of milliseconds
    before = len(browser.find_elements(By.CSS_SELECTOR, ".unit.node"))
    click(browser, "fit")
    box = boxes[-1]
    group = int(box.get_attribute("data-g"))
    box.click()
    assert svg.get_attribute("data-view") == f"g{group}"
    after = len(browser.find_elements(By.CSS_SELECTOR, ".unit.node"))
    assert after > before
    start = time.perf_counter()
    for _ in range(5):
        key(browser, Keys.ARROW_LEFT)
    assert counter(browser) == f"step {page.steps - 5} / {page.steps}"
    assert time.perf_counter() - start < 3
    click(browser, "unfold")
    assert svg.get_attribute("data-view") == "all"
    assert len(browser.find_elements(By.CSS_SELECTOR, ".unit.node")) == len(page._data()["nodes"])
    start = time.perf_counter()
    for _ in range(10):
        key(browser, Keys.ARROW_LEFT)
    assert counter(browser) == f"step {page.steps - 15} / {page.steps}"
    assert time.perf_counter() - start < 5  # 10 steps with 2,000 nodes drawn: about a second
    assert problems(browser, path) == []


def test_a_timeline_scrubs_across_recorded_training_steps(browser: Any, tmp_path: Path) -> None:
    import optim

    autograd.manual_seed(0)
    model = nn.Linear(2, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    x, y = Tensor([[1.0, 2.0], [0.5, -1.0]]), Tensor([[1.0], [0.0]])
    timeline = Timeline(params=model)
    weights = []
    for step in range(3):
        loss = ((model(x) - y) ** 2).mean()
        timeline.record(loss, label=f"step {step}")
        weights.append(model.weight.data.copy())
        opt.zero_grad()
        loss.backward()
        opt.step()
    path = timeline.save(tmp_path / "timeline.html")
    open_page(browser, path)
    assert counter(browser) == "record 1 / 3"
    assert browser.find_element(By.ID, "sentence").text.startswith("step 0: output ")

    def weight_shown() -> np.ndarray:
        texts = browser.execute_script(
            "return Array.from(document.querySelectorAll('.unit.node[data-sym=\"weight\"] .val'))"
            ".map(t => t.textContent).join(' ')"
        )
        return np.array([float(v) for v in NUMBER.findall(texts)])

    assert np.allclose(weight_shown(), weights[0].ravel(), rtol=1e-3)
    key(browser, Keys.ARROW_RIGHT)
    assert counter(browser) == "record 2 / 3"
    assert np.allclose(weight_shown(), weights[1].ravel(), rtol=1e-3)
    assert not np.allclose(weights[0], weights[1])
    key(browser, Keys.END)
    assert counter(browser) == "record 3 / 3"
    assert np.allclose(weight_shown(), weights[2].ravel(), rtol=1e-3)
    assert browser.find_element(By.ID, "losses").is_displayed()
    assert problems(browser, path) == []


def test_the_notebook_form_runs_inside_its_iframe(browser: Any, tmp_path: Path) -> None:
    """What Jupyter shows: the page inside an <iframe srcdoc=...> in another document."""
    o, p = neuron()
    host = tmp_path / "notebook-output.html"
    host.write_text(
        "<!DOCTYPE html><html><body><p>cell output</p>"
        + step_through(o, params=p)._repr_html_()
        + "</body></html>",
        encoding="utf-8",
    )
    browser.get_log("browser")
    browser.get_log("performance")
    browser.get(host.resolve().as_uri())
    browser.switch_to.frame(browser.find_element(By.TAG_NAME, "iframe"))
    try:
        WebDriverWait(browser, 10).until(
            lambda d: d.execute_script("return !!window.dagradStepThrough")
        )
        assert counter(browser) == "step 0 / 15"
        browser.find_element(By.ID, "title").click()  # a click in the output gives it the keys
        ActionChains(browser).send_keys(Keys.END).perform()
        assert counter(browser) == "step 15 / 15"
        assert shown_grads(browser)["w1"] == "grad 1"
    finally:
        browser.switch_to.default_content()
    assert problems(browser, host) == []
