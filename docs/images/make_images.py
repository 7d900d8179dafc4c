"""Regenerate every picture in the README: draw_graph's, the gradient-flow chart, lecture 1's,
the CNN example's and a screenshot of the step-through page.

python docs/images/make_images.py          # writes docs/images/*.png (needs Graphviz's dot;
                                           # the screenshot needs selenium and chromium)
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

from autograd import Value
from autograd.draw import draw_graph

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1] / "examples"
EXAMPLE = EXAMPLES / "gradient_flow.py"
# lecture 1's pictures in the README, as docs/images/lecture1_<name>
LECTURE_PICTURES = ("predictions", "loss_curves", "overfitting", "error_surface", "batches")
# every PNG this script writes into docs/images (tests check the README shows no other)
PICTURES = (
    "value_graph",
    "backward_view",
    "tensor_graph",
    "gradient_flow",
    *(f"lecture1_{name}" for name in LECTURE_PICTURES),
    "piecewise",
    "step_through",
    "digits_cnn_graph",
    "digits_cnn_filters",
)


def save(drawing: object, name: str, dpi: int) -> None:
    drawing.attr(dpi=str(dpi))  # type: ignore[attr-defined]
    drawing.render(HERE / name, format="png", cleanup=True)  # type: ignore[attr-defined]
    print(f"wrote {HERE / (name + '.png')}")


def value_graph() -> None:
    """micrograd's neuron, o = tanh(x1 w1 + x2 w2 + b), after backward."""
    p = {"x1": Value(2.0), "x2": Value(0.0), "w1": Value(-3.0), "w2": Value(1.0)}
    p["b"] = Value(6.8813735870195432)
    x1w1, x2w2 = p["x1"] * p["w1"], p["x2"] * p["w2"]
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + p["b"]
    o = n.tanh()
    o.backward(retain_graph=True)  # the drawing walks the graph after backward
    names = {**p, "x1*w1": x1w1, "x2*w2": x2w2, "x1*w1 + x2*w2": x1w1x2w2, "n": n, "o": o}
    save(draw_graph(o, params=names), "value_graph", dpi=80)


def backward_view() -> None:
    """The lecture's reverse network: z = x1 w1 + x2 w2 + b, a = sigmoid(z), z' = a w3 and
    z'' = a w4 feed the cost; dC/dz = sigmoid'(z) (w3 dC/dz' + w4 dC/dz'')."""
    names = {"x1": 1.0, "x2": -1.0, "w1": 1.0, "w2": -2.0, "b": 1.0, "w3": 2.0, "w4": -2.0}
    p = {k: Value(v) for k, v in names.items()}
    z = p["x1"] * p["w1"] + p["x2"] * p["w2"] + p["b"]
    a = z.sigmoid()
    z1, z2 = a * p["w3"], a * p["w4"]
    cost = (z1 - 1.0) ** 2 + (z2 + 1.0) ** 2
    cost.backward(retain_graph=True)  # the drawing walks the graph after backward
    labels = {**p, "z": z, "a": a, "z'": z1, "z''": z2, "C": cost}
    drawing = draw_graph(cost, params=labels, direction="backward", rankdir="BT")
    save(drawing, "backward_view", dpi=80)


def tensor_graph(example: object) -> None:
    """A small sigmoid MLP's graph, coloured by gradient size: it fades towards the input."""
    x, y = example.synthetic_data(32, seed=0)  # type: ignore[attr-defined]
    model = example.make_network(3, 16, "sigmoid", seed=0)  # type: ignore[attr-defined]
    loss = example.train(model, x, y, steps=0, lr=0.0, log_every=0)  # type: ignore[attr-defined]
    save(draw_graph(loss, params=model), "tensor_graph", dpi=72)


def gradient_flow_chart(example: object) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        example.main(["--out", tmp])  # type: ignore[attr-defined]
        (HERE / "gradient_flow.png").write_bytes((Path(tmp) / "gradient_flow.png").read_bytes())
    print(f"wrote {HERE / 'gradient_flow.png'}")


def lecture_pictures() -> None:
    """The lecture's pictures as `make demo` draws them: the scripts run as they do there (in
    their own process, with lecture1.py's thread settings), and their PNGs are copied here."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        run = [sys.executable]
        subprocess.run([*run, str(EXAMPLES / "lecture1.py"), "--out", tmp], check=True)
        subprocess.run([*run, str(EXAMPLES / "piecewise.py"), "--out", tmp], check=True)
        for name in (*LECTURE_PICTURES, "piecewise"):
            target = HERE / (name if name == "piecewise" else f"lecture1_{name}")
            target.with_suffix(".png").write_bytes((out / f"{name}.png").read_bytes())
            print(f"wrote {target.with_suffix('.png')}")


def lecture_page() -> object:
    """The lecture's a = sigmoid(z) feeding z' = a w3 and z'' = a w4, as a step-through page."""
    from autograd import record_sites, step_through

    names = {"x1": 1.0, "x2": -1.0, "w1": 1.0, "w2": -2.0, "b": 1.0, "w3": 2.0, "w4": -2.0}
    with record_sites():
        p = {k: Value(v) for k, v in names.items()}
        z = p["x1"] * p["w1"] + p["x2"] * p["w2"] + p["b"]
        a = z.sigmoid()
        z1, z2 = a * p["w3"], a * p["w4"]
        cost = (z1 - 1.0) ** 2 + (z2 + 1.0) ** 2
    labels = {**p, "z": z, "a": a, "z'": z1, "z''": z2}
    return step_through(cost, params=labels, title="The lecture's reverse network, step by step")


def step_through_screenshot() -> None:
    """The step-through page in headless Chromium, at the backward step of z (the lecture's
    dC/dz = sigma'(z) (w3 dC/dz' + w4 dC/dz'')), with z clicked. Needs selenium, chromium and
    chromedriver (the browser tests' tools); without them the old picture stays."""
    import shutil

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        chromium = None
    if chromium is None or driver_path is None:
        print("step_through.png skipped: needs selenium, chromium and chromedriver")
        return
    page = lecture_page()
    with tempfile.TemporaryDirectory() as tmp:
        path = page.save(Path(tmp) / "page.html")  # type: ignore[attr-defined]
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in (
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--window-size=1500,900", "--hide-scrollbars", f"--user-data-dir={tmp}/profile",
        ):  # fmt: skip
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
        try:
            driver.get(path.as_uri())
            driver.execute_script(
                "var api = window.dagradStepThrough, z = document.querySelector("
                "'.unit.node[data-sym=\"z\"]').getAttribute('data-i');"
                "var data = JSON.parse(document.getElementById('dagrad-data').textContent);"
                "api.go(data.nodes[z].bw); api.select(Number(z));"
            )
            driver.save_screenshot(str(HERE / "step_through.png"))
        finally:
            driver.quit()
    print(f"wrote {HERE / 'step_through.png'}")


def digits_cnn_pictures() -> None:
    """The CNN example's graph and first-layer filters, as `make cnn` draws them."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, str(EXAMPLES / "digits_cnn.py"), "--out", tmp], check=True)
        for name in ("digits_cnn_graph", "digits_cnn_filters"):
            (HERE / f"{name}.png").write_bytes((Path(tmp) / f"{name}.png").read_bytes())
            print(f"wrote {HERE / (name + '.png')}")


def main() -> None:
    spec = importlib.util.spec_from_file_location("gradient_flow_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = example
    spec.loader.exec_module(example)
    value_graph()
    backward_view()
    tensor_graph(example)
    gradient_flow_chart(example)
    lecture_pictures()
    step_through_screenshot()
    digits_cnn_pictures()


if __name__ == "__main__":
    main()
