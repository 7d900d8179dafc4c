"""step_through and Timeline without a browser: the steps and their arithmetic, the gradients
(equal to backward()'s, the user's .grad untouched), graph lifetime, the recorded lines, the
layout, folding, and a page that is one self-contained file. The page in a real browser is
tested in test_step_through_browser.py."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Timeline, Value, record_sites, step_through, value_sum
from autograd.draw.labels import num
from autograd.draw.step_through.layout import layout
from autograd.draw.step_through.text import grad_lines
from autograd.modes import mode

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def page_data(page: Any) -> dict[str, Any]:
    """The JSON the saved page carries, read back from its HTML."""
    html = page.html()
    found = re.search(
        r'<script type="application/json" id="dagrad-data">(.*?)</script>', html, re.S
    )
    assert found is not None
    return json.loads(found.group(1))


def neuron() -> tuple[Value, dict[str, Value]]:
    """micrograd's neuron: o = tanh(x1 w1 + x2 w2 + b)."""
    p = {"x1": Value(2.0), "x2": Value(0.0), "w1": Value(-3.0), "w2": Value(1.0)}
    p["b"] = Value(6.8813735870195432)
    o = (p["x1"] * p["w1"] + p["x2"] * p["w2"] + p["b"]).tanh()
    return o, p


def lecture_values() -> tuple[Value, dict[str, Value]]:
    """The lecture's a = sigma(z) feeding z' = a w3 and z'' = a w4."""
    p = {k: Value(v) for k, v in {"x1": 1.0, "w1": 1.0, "b": 1.0, "w3": 2.0, "w4": -2.0}.items()}
    z = p["x1"] * p["w1"] + p["b"]
    a = z.sigmoid()
    z1, z2 = a * p["w3"], a * p["w4"]
    cost = (z1 - 1.0) ** 2 + (z2 + 1.0) ** 2
    return cost, {**p, "z": z, "a": a, "z'": z1, "z''": z2}


def steps_of(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [s for s in data["steps"] if s["k"] == kind]


def step_for(data: dict[str, Any], sym: str) -> dict[str, Any]:
    index = [n["s"] for n in data["nodes"]].index(sym)
    return next(s for s in data["steps"] if s["n"] == index and s["k"] != "forward")


# --- the steps ---------------------------------------------------------------------------------


def test_forward_then_backward_one_node_at_a_time_in_topological_order() -> None:
    o, p = neuron()
    data = page_data(step_through(o, params=p))
    nodes, steps = data["nodes"], data["steps"]
    assert steps[0]["k"] == "start"
    kinds = [s["k"] for s in steps[1:]]
    computed = [i for i, n in enumerate(nodes) if n["kind"] in ("op", "out") and n["op"]]
    requiring = [i for i, n in enumerate(nodes) if n["rg"]]
    # every op once forward, then the seed, then every node that requires grad once backward
    assert kinds == ["forward"] * len(computed) + ["seed"] + ["backward"] * (len(requiring) - 1)
    forward = [s["n"] for s in steps if s["k"] == "forward"]
    backward = [s["n"] for s in steps if s["k"] in ("seed", "backward")]
    assert sorted(forward) == computed and sorted(backward) == requiring
    edges = data["edges"]
    for p_, c, _ in edges:  # inputs before consumers forward, consumers before inputs backward
        if p_ in forward:
            assert forward.index(p_) < forward.index(c)
        if nodes[p_]["rg"]:
            assert backward.index(c) < backward.index(p_)
    for i, n in enumerate(nodes):  # the page knows when each number appears
        assert n["fw"] == (0 if i not in forward else 1 + forward.index(i))
        assert n["bw"] == 1 + len(forward) + backward.index(i)


def test_each_step_says_what_it_does_with_its_arithmetic() -> None:
    o, p = neuron()
    data = page_data(step_through(o, params=p))
    first = steps_of(data, "forward")[0]
    assert first["f"] == ["v1 = x1 * w1", "= 2 × (-3) = -6"]
    assert "computed now that all of its inputs are known" in first["t"]
    seed = steps_of(data, "seed")[0]
    assert seed["f"] == ["dC/dC = 1"]
    w1 = step_for(data, "w1")
    # the product's local factor is the other operand, named; partial sums are looked through
    assert w1["f"] == ["dC/dw1 = x1·dC/dv1", "= x1·dC/dv4", "= 2 × 0.5 = 1"]
    assert w1["l"] == ["× 2"]  # the edge's label: the local factor's number (x1)
    assert "This is its .grad" in w1["t"]
    tanh = step_for(data, "v4")
    assert tanh["f"][0] == "dC/dv4 = tanh'(v4)·dC/dC"
    assert tanh["f"][-1] == "= 0.5 × 1 = 0.5"
    assert "Done: every node that requires grad" in data["steps"][-1]["t"]


def test_the_lecture_form_where_consumers_meet() -> None:
    cost, names = lecture_values()
    data = page_data(step_through(cost, params=names))
    a, z = names["a"], names["z"]
    s = a.data * (1 - a.data)
    step_a = step_for(data, "a")
    assert step_a["f"][0] == "dC/da = w3·dC/dz' + w4·dC/dz''"
    assert "used by 2 ops, so the gradients they send back add up" in step_a["t"]
    assert "topological order" in step_a["t"]
    step_z = step_for(data, "z")
    # the lecture's dC/dz = sigma'(z) (w3 dC/dz' + w4 dC/dz''), then its numbers
    assert step_z["f"][:2] == ["dC/dz = σ'(z)·dC/da", "= σ'(z)·(w3·dC/dz' + w4·dC/dz'')"]
    g1, g2 = 2 * (names["z'"].data - 1.0), 2 * (names["z''"].data + 1.0)
    numbers = f"= {num(s)} × (2 × {num(g1)} + (-2) × ({num(g2)}))"
    assert g2 < 0
    assert step_z["f"][2].startswith(numbers)
    cost.backward()
    assert step_z["f"][2].endswith(f"= {num(z.grad)}")


def test_gradients_add_where_a_node_is_used_twice() -> None:
    """a = Value(1.0); b = a + a; c = b + b: dC/da = 4, reached through two edges each time."""
    a = Value(1.0)
    b = a + a
    c = b + b
    data = page_data(step_through(c, params={"a": a, "b": b, "c": c}))
    step_b = step_for(data, "b")
    assert step_b["f"] == ["dC/db = dC/dc + dC/dc", "= 1 + 1 = 2"]
    assert "enters c 2 times" in step_b["t"]
    assert step_for(data, "a")["f"] == ["dC/da = dC/db + dC/db", "= 2 + 2 = 4"]
    assert data["frames"][0]["grad"][[n["s"] for n in data["nodes"]].index("a")] == ["grad 4"]


def test_tensor_steps_write_the_reverse_network() -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        import backprop
    finally:
        sys.path.pop(0)
    net = backprop.Network(backprop.SLIDE_INPUT)
    data = page_data(step_through(net.cost, params=net.names()))
    z2 = step_for(data, "z2")
    assert z2["f"][:2] == ["dC/dz2 = σ'(z2) ⊙ dC/da2", "= σ'(z2) ⊙ (W3ᵀ @ dC/dz3)"]
    w1 = step_for(data, "W1")
    assert w1["f"][:2] == ["dC/dW1 = dC/dv1 @ xᵀ", "= dC/dz1 @ xᵀ"]
    forward = steps_of(data, "forward")[0]
    assert forward["f"][0] == "v1 = W1 @ x" and forward["f"][1].startswith(
        "= (2,) float64: [3, -2]"
    )


# --- the numbers are the engine's, and .grad is left alone ------------------------------------


def test_gradients_equal_backward_and_grad_is_untouched() -> None:
    autograd.manual_seed(0)
    model = nn.scalar.MLP(3, [4, 4, 1])
    xs = [[0.5, -1.0, 2.0], [1.5, 0.2, -0.3]]
    loss = value_sum([(model(x) - 1.0) ** 2 for x in xs])
    data = page_data(step_through(loss, params=model))
    assert all(p.grad == 0.0 for p in model.parameters())  # the page ran its own backward
    loss.backward()
    frame = data["frames"][0]
    names = dict(model.named_parameters())
    shown = {n["s"]: frame["grad"][i] for i, n in enumerate(data["nodes"])}
    for name, p in names.items():
        assert shown[name] == [f"grad {num(p.grad)}"]
    dgrad = {n["s"]: frame["dgrad"][i] for i, n in enumerate(data["nodes"])}
    for name, p in names.items():  # the details panel: 8 significant digits
        assert float(dgrad[name]) == pytest.approx(p.grad, rel=1e-7, abs=1e-12)


def test_tensor_gradients_equal_backward_and_large_ones_are_summarised() -> None:
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 20), nn.Sigmoid(), nn.Linear(20, 2))
    x = autograd.randn(5, 3)
    loss = (model(x) ** 2).mean()
    data = page_data(step_through(loss, params=model, max_elements=6))
    loss.backward()
    frame = data["frames"][0]
    index = {n["s"]: i for i, n in enumerate(data["nodes"])}
    for name, p in model.named_parameters():
        i = index[name]
        assert frame["grad"][i] == grad_lines(p.grad.data, 6)
        assert (
            data["nodes"][i]["m"]
            == f"{p.shape and '(' + ', '.join(map(str, p.shape))}"
            + (",)" if len(p.shape) == 1 else ")")
            + " float32"
        )
    weight = frame["grad"][index["0.weight"]][0]  # 60 elements: a norm, not 60 numbers
    assert weight.startswith("grad ‖g‖ ")
    details = frame["dgrad"][index["2.bias"]]  # small: every number, 8 digits
    values = [float(v) for v in re.findall(r"-?\d+\.?\d*(?:e-?\d+)?", details)]
    assert np.allclose(values, model[2].bias.grad.data, rtol=1e-6)


def test_works_before_and_after_backward_on_values_and_retained_tensors() -> None:
    o, p = neuron()
    before = page_data(step_through(o, params=p))
    o.backward()
    after = page_data(step_through(o, params=p))
    assert before["frames"] == after["frames"] and before["steps"] == after["steps"]
    assert p["x1"].grad == pytest.approx(-1.5)  # the user's gradient is as backward left it
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    ahead = page_data(step_through(y))
    y.backward(retain_graph=True)
    kept = page_data(step_through(y))
    assert ahead["frames"] == kept["frames"]
    assert np.array_equal(x.grad.data, [2.0, 4.0])  # not doubled by the page


def test_a_freed_tensor_graph_says_to_retain_it() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"step_through\(\).*freed.*retain_graph=True"):
        step_through(y)


def test_bad_arguments_are_named() -> None:
    o, _ = neuron()
    with pytest.raises(
        TypeError, match=r"step_through\(\): expected a Value or Tensor, got a float"
    ):
        step_through(1.0)
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        step_through(o, max_nodes=0)
    with pytest.raises(ValueError, match="pass one output"):
        step_through([o, o])
    with pytest.raises(TypeError, match="params must be"):
        step_through(o, params=3)


def test_a_graph_without_grad_shows_its_forward_pass_only() -> None:
    a = Value(2.0, requires_grad=False)
    b = a * 3 + 1
    data = page_data(step_through(b))
    assert [s["k"] for s in data["steps"]] == ["start"]  # no op recorded: b is a constant
    x = Tensor([1.0, 2.0])
    with autograd.no_grad():
        y = x * 2
    assert page_data(step_through(y))["frames"][0]["grad"] == [None]


# --- the line that created each node ------------------------------------------------------------


def test_record_sites_shows_the_users_line_and_costs_nothing_outside() -> None:
    assert not mode.anomaly
    with record_sites():
        assert not autograd.is_anomaly_enabled()  # lines only: no NaN checks
        x = Value(-1.0)
        y = x.log()  # NaN-free check: log(-1) is nan, and record_sites does not raise
        z = y + x  # THE SITE LINE
    assert not mode.anomaly  # outside the block ops pay only the flag check they always did
    data = page_data(step_through(z))
    sites = {n["op"] or n["s"]: n.get("site", "") for n in data["nodes"]}
    assert "test_step_through.py" in sites["+"] and "z = y + x  # THE SITE LINE" in sites["+"]
    assert "y = x.log()" in sites["log"]
    leaf = next(n for n in data["nodes"] if n["kind"] == "leaf")
    assert "site" not in leaf  # made by the user, not by an op
    w = Value(1.0)
    plain = page_data(step_through(w * 2))
    assert all("site" not in n for n in plain["nodes"])
    assert "record_sites()" in plain["noSite"]


def test_record_sites_inside_nn_layers_names_the_users_line_first() -> None:
    model = nn.Linear(2, 1)
    with record_sites():
        out = model(Tensor([[1.0, 2.0]])).sum()  # THE MODEL LINE
    data = page_data(step_through(out, params=model))
    linear = next(n for n in data["nodes"] if n["op"].startswith("linear"))
    first, _, rest = linear["site"].partition("\n")
    assert "# THE MODEL LINE" in first
    assert rest.startswith("via ") and "nn" in rest


def test_detect_anomaly_still_checks_and_records_inside_record_sites() -> None:
    with record_sites(), autograd.detect_anomaly():
        assert autograd.is_anomaly_enabled()
        with pytest.raises(autograd.AnomalyError, match="log"):
            Value(-1.0).log()
    assert not mode.anomaly


# --- the page is one self-contained file ----------------------------------------------------


def test_the_page_is_self_contained_and_escapes_user_text(tmp_path: Path) -> None:
    x = Value(1.0)
    y = x * 2
    nasty = "</script><script>alert(1)</script> & <!--"
    page = step_through(y, params={nasty: x}, title="a </title> title")
    path = page.save(tmp_path / "sub" / "page.html")
    text = path.read_text(encoding="utf-8")
    assert text.count("</script>") == 2  # the data's and the code's: user text cannot close one
    assert "alert(1)</script>" not in text
    assert "<title>a &lt;/title&gt; title</title>" in text
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text)  # nothing to fetch
    assert "@import" not in text and "url(http" not in text and "fetch(" not in text
    assert page_data(page)["nodes"][1]["s"] == nasty
    inline = page._repr_html_()
    assert inline.startswith("<iframe srcdoc=") and "data-dagrad-step-through" in inline
    assert "<script" not in inline  # everything is inside the escaped srcdoc attribute


def test_repr_says_what_it_holds() -> None:
    o, p = neuron()
    page = step_through(o, params=p)
    assert repr(page) == "<StepThrough: 10 nodes, 15 steps; .save(path) writes the page>"
    assert page.steps == 15


# --- layout -------------------------------------------------------------------------------


def boxes_overlap(data: dict[str, Any], view: str) -> list[tuple[int, int]]:
    v = data["views"][view]
    rects = []
    for k, u in enumerate(v["units"]):
        w, h = (
            (data["nodes"][u]["w"], data["nodes"][u]["h"])
            if u >= 0
            else (
                data["groups"][-u - 1]["w"],
                data["groups"][-u - 1]["h"],
            )
        )
        rects.append((v["xy"][2 * k] - w / 2, v["xy"][2 * k + 1] - h / 2, w, h))
    clashes = []
    order = sorted(range(len(rects)), key=lambda k: rects[k][0])
    for a_pos, a in enumerate(order):  # sweep along x
        ax, ay, aw, ah = rects[a]
        for b in order[a_pos + 1 :]:
            bx, by, bw, bh = rects[b]
            if bx >= ax + aw:
                break
            if by < ay + ah and ay < by + bh:
                clashes.append((a, b))
    return clashes


def test_layout_puts_inputs_before_outputs_without_overlaps() -> None:
    cost, names = lecture_values()
    data = page_data(step_through(cost, params=names))
    assert list(data["views"]) == ["all"]
    view = data["views"]["all"]
    x = {u: view["xy"][2 * k] for k, u in enumerate(view["units"])}
    for p, c, _ in data["edges"]:
        assert x[p] < x[c]  # left to right for Values
    assert not boxes_overlap(data, "all")
    t = Tensor([1.0, 2.0], requires_grad=True)
    tensor_data = page_data(step_through((t * 3).sum()))
    tv = tensor_data["views"]["all"]
    y = {u: tv["xy"][2 * k + 1] for k, u in enumerate(tv["units"])}
    assert all(y[p] < y[c] for p, c, _ in tensor_data["edges"])  # top to bottom for Tensors


def test_layout_orders_a_crossing_away() -> None:
    # two chains whose inputs start in the crossing order: barycentric sweeps untangle them
    sizes = [(40.0, 20.0)] * 6
    edges = [(0, 3), (1, 2), (2, 4), (3, 5)]
    placed = layout(sizes, edges, rank=[2, 2, 1, 1, 0, 0], horizontal=True)
    ys = placed.y
    assert (ys[0] < ys[1]) == (ys[3] < ys[2]) == (ys[5] < ys[4])


def big_value_graph(samples: int) -> tuple[Value, Any]:
    autograd.manual_seed(0)
    model = nn.scalar.MLP(2, [8, 8, 1])
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(samples, 2)).tolist()
    return value_sum([(model(x) - 1.0) ** 2 for x in xs]) * (1.0 / samples), model


def test_a_2000_node_graph_folds_and_is_laid_out_quickly() -> None:
    loss, model = big_value_graph(38)
    start = time.perf_counter()
    page = step_through(loss, params=model)
    elapsed = time.perf_counter() - start
    data = page_data(page)
    assert len(data["nodes"]) >= 2000
    assert elapsed < 20  # about 2 s on a laptop core; the bound leaves room for a busy machine
    assert data["groups"] and set(data["views"]) == {"base", "all"} | {
        f"g{k}" for k in range(len(data["groups"]))
    }
    base = data["views"]["base"]
    assert len(base["units"]) <= 150 + len(data["groups"])
    for view in data["views"]:  # every node is drawn once or inside exactly one box
        units = data["views"][view]["units"]
        assert len(set(units)) == len(units)
    assert not boxes_overlap(data, "base")


# --- timeline -----------------------------------------------------------------------------


def test_timeline_keeps_each_recorded_step_as_it_was() -> None:
    autograd.manual_seed(0)
    model = nn.Linear(2, 1)
    opt = autograd_sgd(model)
    x, y = Tensor([[1.0, 2.0], [0.5, -1.0]]), Tensor([[1.0], [0.0]])
    timeline = Timeline(params=model)
    weights, grads = [], []
    for step in range(3):
        loss = ((model(x) - y) ** 2).mean()
        timeline.record(loss, label=f"step {step}")
        opt.zero_grad()
        loss.backward()
        weights.append(model.weight.data.copy())
        grads.append(model.weight.grad.data.copy())
        opt.step()
    assert len(timeline) == 3
    data = page_data(timeline)
    assert data["mode"] == "timeline" and [f["label"] for f in data["frames"]] == [
        "step 0",
        "step 1",
        "step 2",
    ]
    index = [n["s"] for n in data["nodes"]].index("weight")
    for frame, w, g in zip(data["frames"], weights, grads):
        shown = [float(v) for v in re.findall(r"-?\d+\.?\d*(?:e-?\d+)?", frame["dval"][index])]
        assert np.allclose(shown, w, rtol=1e-7)
        shown = [float(v) for v in re.findall(r"-?\d+\.?\d*(?:e-?\d+)?", frame["dgrad"][index])]
        assert np.allclose(shown, g, rtol=1e-6)
    losses = [f["loss"] for f in data["frames"]]
    assert losses[2] < losses[0]


def test_an_empty_timeline_says_to_record() -> None:
    with pytest.raises(ValueError, match="nothing recorded yet"):
        Timeline().html()


def autograd_sgd(model: Any) -> Any:
    import optim

    return optim.SGD(model.parameters(), lr=0.1)


def test_recorded_lines_die_with_their_nodes() -> None:
    from autograd.anomaly import _creation_sites

    before = len(_creation_sites)
    with record_sites():
        x = Tensor([1.0, -2.0], requires_grad=True)
        y = (x * x).sum()  # Tensors: == is elementwise, the table must not compare them
    assert len(_creation_sites) == before + 2
    del x, y
    assert len(_creation_sites) == before  # reference counting freed the graph and its lines


# --- the examples that write pages --------------------------------------------------------


def test_backprop_example_writes_the_lectures_network_step_by_step(tmp_path: Path) -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        import backprop
    finally:
        sys.path.pop(0)
    note = backprop.write_step_through(tmp_path)
    path = tmp_path / "backprop.html"
    assert note == f"wrote {path} (32 steps; open it in a browser)"
    text = path.read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="dagrad-data">(.*?)</script>', text, re.S).group(1))
    names = {n["s"] for n in data["nodes"]}
    assert {"x", "W1", "b1", "z1", "a1", "W2", "z2", "a2", "W3", "z3", "a3", "C"} <= names
    z1 = next(n for n in data["nodes"] if n["s"] == "z1")
    assert "backprop.py" in z1["site"] and "z = w @ a + b" in z1["site"]


def test_lecture_demo_writes_the_seven_day_models_page(tmp_path: Path) -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        from lecture1_lib.drawing import write_backprop_page
    finally:
        sys.path.pop(0)
    autograd.manual_seed(0)
    model = nn.Linear(7, 1)
    x = np.arange(7, dtype=np.float32).reshape(1, 7) / 7
    y = np.array([[0.5]], dtype=np.float32)
    note = write_backprop_page(model, x, y, tmp_path / "backprop.html")
    assert note.startswith(f"wrote {tmp_path / 'backprop.html'}")
    data = page_data_of(tmp_path / "backprop.html")
    assert {"weight", "bias", "x (past 7 days)", "y (target)", "L (MAE)"} <= {
        n["s"] for n in data["nodes"]
    }
    assert all(p.grad is None for p in model.parameters())  # the model is left as it was
    weight = [n["s"] for n in data["nodes"]].index("weight")
    assert len(re.findall(r"-?\d", data["frames"][0]["val"][weight][0])) >= 7  # all 7 weights


def page_data_of(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    found = re.search(r'id="dagrad-data">(.*?)</script>', text, re.S)
    assert found is not None
    return json.loads(found.group(1))


def test_the_readme_examples_run_as_copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Step through backpropagation", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 4  # the neuron, a + a, the lecture network, the timeline
    monkeypatch.chdir(tmp_path)
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    for k, block in enumerate(blocks):  # from files, as a user runs them: lines can be shown
        script = scripts / f"example{k}.py"
        script.write_text(block, encoding="utf-8")
        exec(compile(block, str(script), "exec"), {"__name__": "__main__"})
    written = sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".html")
    assert written == ["lecture.html", "neuron.html", "training.html", "twice.html"]
    lecture = page_data_of(tmp_path / "lecture.html")
    z2 = next(
        s for s in lecture["steps"] if s["k"] == "backward" and s["f"][0].startswith("dC/dz2")
    )
    assert z2["f"][1] == "= σ'(z2) ⊙ (W3ᵀ @ dC/dz3)"  # as the README says
    twice = page_data_of(tmp_path / "twice.html")
    assert [s["f"][-1] for s in twice["steps"][-2:]] == ["= 1 + 1 = 2", "= 2 + 2 = 4"]
    neuron_page = page_data_of(tmp_path / "neuron.html")
    assert "o = (x1 * w1 + x2 * w2 + b).tanh()" in neuron_page["nodes"][0]["site"]
    assert len(page_data_of(tmp_path / "training.html")["frames"]) == 5
