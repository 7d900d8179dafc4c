"""draw_graph: the DOT source (labels, colours, edges, clusters, folding) and real rendering."""

from __future__ import annotations

import re
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import graphviz
import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from autograd.draw import GraphvizNotInstalledError, draw_graph, style

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot program is not installed"
)

NODE = re.compile(r"^\s*(\w+) \[(.*)\]$")
EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$")


def nodes(source: str) -> dict[str, str]:
    """Node name -> its attribute text, for every node statement of the DOT source."""
    found = {}
    for line in source.splitlines():
        m = NODE.match(line)
        if m and " -> " not in line and m.group(1) not in ("graph", "node", "edge"):
            found[m.group(1)] = m.group(2)
    return found


def edges(source: str) -> list[tuple[str, str, str]]:
    return [
        (m.group(1), m.group(2), m.group(3) or "")
        for m in map(EDGE.match, source.splitlines())
        if m
    ]


def clusters(source: str) -> dict[str, set[str]]:
    """Cluster label -> the nodes declared directly inside it."""
    found: dict[str, set[str]] = {}
    stack: list[str] = []
    for line in source.splitlines():
        if line.strip().startswith("subgraph cluster_"):
            stack.append("?")
        elif stack and stack[-1] == "?":  # the cluster's attributes come first
            quoted, bare = re.search(r'label=(?:"([^"]*)"|(\S+))', line).groups()
            stack[-1] = quoted if quoted is not None else bare
            found[stack[-1]] = set()
        elif stack and line.strip() == "}":
            stack.pop()
        elif stack:
            m = NODE.match(line)
            if m:
                found[stack[-1]].add(m.group(1))
    return found


def caption(source: str) -> str:
    """The graph's caption as plain text (its lines are wrapped with <br/>)."""
    label = source[source.rindex("label=<") :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", label))


def node_with(source: str, text: str) -> str:
    """The name of the only node whose label contains ``text``."""
    hits = [name for name, attrs in nodes(source).items() if text in attrs]
    assert len(hits) == 1, f"{len(hits)} nodes contain {text!r}"
    return hits[0]


# --- the micrograd neuron: x1*w1 + x2*w2 + b, then tanh -------------------------------------


def neuron() -> tuple[Value, dict[str, Value]]:
    p = {
        "x1": Value(2.0),
        "x2": Value(0.0),
        "w1": Value(-3.0),
        "w2": Value(1.0),
        "b": Value(6.8813735870195432),
    }
    out = (p["x1"] * p["w1"] + p["x2"] * p["w2"] + p["b"]).tanh()
    return out, p


def test_value_graph_records_ops_and_edges_like_micrograd() -> None:
    out, p = neuron()
    out.backward()
    src = draw_graph(out, params=p).source
    found = nodes(src)
    # 10 Values (5 leaves, 5 results) and one op bubble per result
    assert len([n for n in found if n.startswith("n")]) == 10
    bubbles = sorted(re.search(r"<b>(.*?)</b>", found[n]).group(1) for n in found if n[0] == "o")
    assert bubbles == ["*", "*", "+", "+", "tanh"]
    # each result: one edge from its bubble, one into the bubble per input
    assert len(edges(src)) == 5 + 2 + 2 + 2 + 2 + 1
    assert "data 0.7071" in found[node_with(src, "<b>output</b>")]
    assert "grad -1.5" in found[node_with(src, "<b>x1</b>")]  # dtanh * w1 = 0.5 * -3
    assert "grad 1</td>" in found[node_with(src, "<b>w1</b>")]  # 0.5 * x1
    for name in ("x1", "w1"):
        edge_into = [e for e in edges(src) if e[0] == node_with(src, f"<b>{name}</b>")]
        assert len(edge_into) == 1 and edge_into[0][1].startswith("o")


def test_same_graph_before_and_after_backward() -> None:
    out, p = neuron()
    before = draw_graph(out, params=p).source
    assert "<td>grad" not in before and "Values only: no gradients yet" in before
    assert style.FILLS[0] not in before  # no colour scale without gradients
    out.backward()
    after = draw_graph(out, params=p).source
    assert "<td>grad 0.5</td>" in after and "Values only" not in after
    assert "NaN or Inf" in after and "&lt;1e-6" in after  # the legend
    # show_grads forces either way
    assert "<td>grad" not in draw_graph(out, params=p, show_grads=False).source


def test_node_colours_follow_the_fixed_scale() -> None:
    out, p = neuron()
    out.backward()
    src = draw_graph(out, params=p).source
    # |grad| 0.5 lies in [1e-1, 1); 1.5 in [1, 10); exactly 0 is grey and dashed
    assert f'bgcolor="{style.FILLS[style.grad_state(0.5)]}"' in nodes(src)[node_with(src, ">b<")]
    assert f'bgcolor="{style.FILLS[style.grad_state(1.5)]}"' in nodes(src)[node_with(src, ">x1<")]
    w2 = nodes(src)[node_with(src, ">w2<")]  # d out / d w2 = 0.5 * x2 = 0
    assert f'bgcolor="{style.ZERO_FILL}"' in w2 and 'style="dashed"' in w2
    assert style.grad_state(0.5) != style.grad_state(1.5)


@pytest.mark.parametrize(
    "magnitude, state",
    [
        (None, style.NO_GRAD),
        (0.0, style.ZERO),
        (float("nan"), style.NONFINITE),
        (float("inf"), style.NONFINITE),
        (3e-9, 0),
        (1e-6, 1),
        (5e-3, 4),
        (0.5, 6),
        (1.0, 7),
        (99.0, 8),
        (1e9, len(style.FILLS) - 1),
    ],
)
def test_grad_state_bins_by_decade(magnitude: float | None, state: Any) -> None:
    assert style.grad_state(magnitude) == state


def test_zero_gradient_paths_are_grey_and_dashed() -> None:
    a = Value(-2.0)
    b = Value(3.0)
    dead = (a * b).relu()  # relu of -6: nothing flows back
    out = dead + b
    out.backward()
    src = draw_graph(out, params={"a": a, "b": b}).source
    relu_bubble = [n for n, attrs in nodes(src).items() if "<b>relu</b>" in attrs]
    (into_relu,) = [e for e in edges(src) if e[1] == relu_bubble[0]]
    assert f'color="{style.ZERO_LINE}"' in into_relu[2] and "style=dashed" in into_relu[2]
    assert "grad 0" in nodes(src)[node_with(src, ">a<")]
    # b still gets its gradient through the other path: not dashed
    b_edges = [e for e in edges(src) if e[0] == node_with(src, ">b<")]
    assert any("dashed" not in e[2] for e in b_edges)


def test_nan_and_inf_get_the_warning_colour() -> None:
    a = Value(1.0)
    zero = Value(0.0)
    out = a / zero  # inf, and d/d(zero) = -inf
    out.backward()
    src = draw_graph(out, params={"a": a, "zero": zero}).source
    assert f'bgcolor="{style.NONFINITE_FILL}"' in nodes(src)[node_with(src, ">zero<")]
    assert f'color="{style.NONFINITE_LINE}"' in nodes(src)[node_with(src, ">output<")]
    x = Tensor(np.array([1.0, -1.0, 0.0]), requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = x.log().sum()
        y.backward(retain_graph=True)  # drawn afterwards
    small = draw_graph(y, params={"x": x}).source
    assert "value: [0, nan, -inf]" in nodes(small)[node_with(small, "<b>log</b>")]
    summary = draw_graph(y, params={"x": x}, max_elements=2).source
    assert "<b>1 NaN, 1 Inf</b>" in nodes(summary)[node_with(summary, "<b>log</b>")]
    assert f'fillcolor="{style.NONFINITE_FILL}"' in nodes(small)[node_with(small, ">x<")]


# --- tensors ---------------------------------------------------------------------------------


def test_tensor_labels_show_op_shape_dtype_values_and_grad_norm() -> None:
    rng = np.random.default_rng(0)
    w = Tensor(rng.normal(size=(4, 3)), requires_grad=True)  # float64 stays float64
    x = Tensor(np.array([[1.0, 2.0, 3.0]], dtype=np.float32))
    y = (x @ w.astype(np.float32).T).tanh().sum()
    y.backward(retain_graph=True)  # drawn afterwards
    src = draw_graph(y, params={"w": w}).source
    w_label = nodes(src)[node_with(src, "<b>w</b>")]
    assert "(4, 3) float64" in w_label
    d = w.data
    assert f"mean {d.mean():.4g} · min {d.min():.4g} · max {d.max():.4g}" in w_label
    assert w.grad is not None
    assert f"&#8214;g&#8214; {np.linalg.norm(w.grad.data):.4g}" in w_label
    assert f"mean|g| {np.abs(w.grad.data).mean():.4g}" in w_label
    assert "value: [[1, 2, 3]]" in nodes(src)[node_with(src, "<b>const</b>")]  # small: numbers
    tanh = nodes(src)[node_with(src, "<b>tanh</b>")]
    assert "(1, 4) float32" in tanh
    assert "&#8594; output  scalar float32" in src


def test_a_sum_over_every_dim_reads_sum() -> None:
    x = Tensor(np.ones((1, 4)), requires_grad=True)
    y = x.tanh().sum()
    assert "<b>sum</b> &#8594; output  scalar float64" in draw_graph(y).source


def test_dead_relu_fraction_is_reported() -> None:
    x = Tensor(np.array([-1.0, 2.0, -3.0, 4.0, 5.0, -6.0, 7.0, 8.0]), requires_grad=True)
    y = x.relu().sum()
    y.backward(retain_graph=True)  # drawn afterwards
    label = nodes(draw_graph(y, params={"x": x}).source)
    assert any("38% zero" in attrs for attrs in label.values())  # 3 of 8 inputs are negative


def mlp(*sizes: int) -> nn.Sequential:
    """nn.Linear layers of the given sizes with a ReLU between each two."""
    nn.init.manual_seed(0)
    layers: list[nn.Module] = []
    for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [nn.Linear(a, b)] + ([nn.ReLU()] if k + 2 < len(sizes) else [])
    return nn.Sequential(*layers)


def mlp_loss(model: nn.Sequential, batch: int = 5) -> Tensor:
    rng = np.random.default_rng(1)
    x = Tensor(rng.normal(size=(batch, model[0].in_features)).astype(np.float32))
    loss = (model(x) ** 2).mean()
    loss.backward(retain_graph=True)  # drawn afterwards
    return loss


def test_parameters_are_named_from_a_module() -> None:
    model = mlp(3, 4, 2)
    src = draw_graph(mlp_loss(model), params=model).source
    for name in ("0.weight", "0.bias", "2.weight", "2.bias"):
        node_with(src, f"<b>{name}</b>")
    assert "<b>leaf</b>" not in src  # every parameter found its name


def test_clusters_hold_parameters_and_the_ops_that_use_them() -> None:
    model = mlp(3, 4, 4, 2)
    src = draw_graph(mlp_loss(model), params=model, clusters=True).source
    boxes = clusters(src)
    assert set(boxes) == {"0 (Linear)", "2 (Linear)", "4 (Linear)"}
    labels = nodes(src)
    for box, members in boxes.items():
        ops = {re.search(r"<b>(.*?)</b>", labels[n]).group(1) for n in members}
        index = box.split()[0]
        # the weight, the bias and the one linear op where they meet the data
        assert ops == {"linear", f"{index}.bias", f"{index}.weight"}, box
        assert len(members) == 3
    relus = {n for n, attrs in labels.items() if "<b>relu</b>" in attrs}
    assert len(relus) == 2 and not relus & set().union(*boxes.values())
    # layout hints: invisible edges rank each module's parameters after the data entering it
    assert any("style=invis" in e[2] for e in edges(src))
    assert "cluster" not in draw_graph(mlp_loss(model), params=model).source


def test_any_object_with_named_parameters_names_the_nodes() -> None:
    class Bare:  # no nn.Module, no named_modules(): the clusters are named by path alone
        def __init__(self) -> None:
            self.w = Tensor(np.ones((2, 2)), requires_grad=True)

        def named_parameters(self) -> list[tuple[str, Tensor]]:
            return [("encoder.w", self.w)]

    bare = Bare()
    loss = (Tensor(np.ones((3, 2))) @ bare.w).sum()
    loss.backward(retain_graph=True)  # drawn afterwards
    src = draw_graph(loss, params=bare, clusters=True).source
    assert set(clusters(src)) == {"encoder"}
    node_with(src, "<b>encoder.w</b>")


def test_micrograd_style_scalar_mlp_is_named_per_neuron() -> None:
    nn.init.manual_seed(0)
    model = nn.scalar.MLP(2, [3, 1])
    out = model([Value(1.0, requires_grad=False), Value(-2.0, requires_grad=False)])
    out.backward()
    src = draw_graph(out, params=model, clusters=True).source
    for name, _ in model.named_parameters():
        node_with(src, f"<b>{name}</b>")
    boxes = clusters(src)
    assert len(boxes) == 4 and all(label.endswith("(Neuron)") for label in boxes)


def test_params_as_a_dict_or_pairs_and_bad_params() -> None:
    a, b = Value(1.0), Value(2.0)
    out = a * b
    for params in ({"left": a, "right": b}, [("left", a), ("right", b)]):
        src = draw_graph(out, params=params).source
        node_with(src, "<b>left</b>")
        node_with(src, "<b>right</b>")
    with pytest.raises(TypeError, match="named_parameters"):
        draw_graph(out, params=3)
    with pytest.raises(TypeError, match="'left' is a float"):
        draw_graph(out, params={"left": 1.0})
    with pytest.raises(TypeError, match="pairs"):
        draw_graph(out, params=[a, b])


def test_labels_are_escaped() -> None:
    a = Value(1.0)
    out = a * 2
    src = draw_graph(out, params={'<b>&"|{x}': a}).source
    assert "&lt;b&gt;&amp;&quot;|{x}" in src
    assert '<b>&"' not in src


def test_bad_arguments_say_what_is_wrong() -> None:
    out, _ = neuron()
    with pytest.raises(TypeError, match="expected a Value or Tensor, got a float"):
        draw_graph(1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="direction must be 'forward' or 'backward'"):
        draw_graph(out, direction="sideways")
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        draw_graph(out, max_nodes=0)
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(out, rankdir="diagonal")
    with pytest.raises(ValueError, match=r"call \.backward\(\) first"):
        draw_graph(out, direction="backward")


def test_several_outputs_in_one_drawing() -> None:
    a = Value(3.0)
    src = draw_graph([a * 2, a + 1]).source
    assert len([n for n in nodes(src) if n.startswith("n")]) == 3
    assert src.count("<b>output</b>") == 2


# --- the backward view -----------------------------------------------------------------------


def test_backward_view_reverses_edges_and_labels_local_factors() -> None:
    out, p = neuron()
    out.backward()
    src = draw_graph(out, params=p, direction="backward").source
    assert "rankdir=RL" in src
    x1, w1 = node_with(src, ">x1<"), node_with(src, ">w1<")
    (to_x1,) = [e for e in edges(src) if e[1] == x1]
    (to_w1,) = [e for e in edges(src) if e[1] == w1]
    assert to_x1[0] == to_w1[0] and to_x1[0].startswith("o")  # from the * bubble to its inputs
    assert "&#215; w1 = -3" in to_x1[2]  # d(x1*w1)/dx1 = w1, called by its name
    assert "&#215; x1 = 2" in to_w1[2]
    (into_tanh,) = [e for e in edges(src) if e[0] == node_with(src, ">output<")]
    tanh_bubble = into_tanh[1]
    (tanh_edge,) = [e for e in edges(src) if e[0] == tanh_bubble]
    assert "&#215; 1 - tanh² = 0.5" in tanh_edge[2]  # 1 - 0.7071**2
    assert "dC/dz 0.5" in nodes(src)[node_with(src, ">b<")]
    assert "Backward pass (the reverse network)" in src


def test_backward_view_of_tensors_shows_sigmoid_derivative() -> None:
    z = Tensor(np.array([[-1.0, 0.0, 2.0]]), requires_grad=True)
    y = (z.sigmoid() * 3.0).sum()
    y.backward(retain_graph=True)  # drawn afterwards
    src = draw_graph(y, params={"z": z}, direction="backward").source
    assert "rankdir=BT" in src
    z_node = node_with(src, "<b>z</b>")
    (edge,) = [e for e in edges(src) if e[1] == z_node]
    s = 1 / (1 + np.exp(-z.data))
    expected = ", ".join(f"{v:.4g}" for v in (s * (1 - s)).ravel())
    assert f"σ(1 - σ) = [[{expected}]]" in edge[2]
    assert z.grad is not None
    assert f"dC/dz: [[{', '.join(f'{v:.4g}' for v in z.grad.data.ravel())}]]" in nodes(src)[z_node]


# --- large graphs ----------------------------------------------------------------------------


def test_a_100k_node_chain_folds_into_a_summary_in_seconds() -> None:
    x = Value(1.0)
    y = x
    for _ in range(50_000):
        y = y * 1.0001 + 0.0001
    y.backward()
    start = time.perf_counter()
    drawing = draw_graph(y, params={"x": x}, max_nodes=40)
    elapsed = time.perf_counter() - start
    assert elapsed < 10.0, f"drawing took {elapsed:.1f} s"
    src = drawing.source
    found = nodes(src)
    values = [n for n in found if n.startswith("n")]
    boxes = [n for n in found if n.startswith("g")]
    assert len(values) + len(boxes) <= 40
    assert drawing.graph_nodes == 100_001
    assert drawing.folded_nodes == 100_001 - len(values)
    text = caption(src)
    assert "Folded: this graph has 100,001 nodes, more than max_nodes=40" in text
    assert f"the other {100_001 - len(values):,} are folded into {len(boxes)} dashed" in text
    # the bands form a chain from the deepest (holding x) to the drawn part
    assert sum("parameters: x" in found[g] for g in boxes) == 1
    folded_edges = [e for e in edges(src) if e[0].startswith("g")]
    assert len(folded_edges) == len(boxes)


def test_folded_modules_get_their_own_boxes() -> None:
    model = mlp(2, 4, 4, 4, 4, 4, 1)
    drawing = draw_graph(mlp_loss(model), params=model, max_nodes=20)
    src = drawing.source
    titles = re.findall(r"<b>([^<]*)</b><br/><font", src)
    assert {"0 (Linear)", "2 (Linear)"} <= set(titles)
    assert "folded nodes" in titles
    assert len(nodes(src)) <= 20


def test_a_wide_graph_keeps_few_crossing_edges() -> None:
    xs = [Value(float(i)) for i in range(3000)]
    total = Value(0.0)
    for x in xs:
        total = total + x * x  # a long sum: every step hangs a product off the chain
    total.backward()
    src = draw_graph(total, max_nodes=200).source
    crossing = [e for e in edges(src) if e[0].startswith("g") != e[1].startswith("g")]
    assert 0 < len(crossing) <= 30


# --- output: files, Jupyter, a missing dot ---------------------------------------------------


@needs_dot
def test_render_svg_png_pdf(tmp_path: Path) -> None:
    model = mlp(3, 4, 2)
    drawing = draw_graph(mlp_loss(model), params=model, clusters=True)
    svg = drawing.render(tmp_path / "g", format="svg", cleanup=True)
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert "0.weight" in Path(svg).read_text()
    png = drawing.render(tmp_path / "g", format="png", cleanup=True)
    assert Path(png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = drawing.render(tmp_path / "g", format="pdf", cleanup=True)
    assert Path(pdf).read_bytes()[:5] == b"%PDF-"
    bundle = drawing._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


@needs_dot
def test_every_kind_of_drawing_renders(tmp_path: Path) -> None:
    """dot accepts the source of each view, escaping and folding included."""
    out, p = neuron()
    out.backward()
    weird = Value(2.0)
    model = mlp(2, 3, 1)
    loss = mlp_loss(model)
    x = Value(1.0)
    chain = x
    for _ in range(300):
        chain = chain.tanh() * 1.5
    chain.backward()
    for drawing in (
        draw_graph(out, params=p, direction="backward"),
        draw_graph(weird * weird, params={'<&>"|{}': weird}),
        draw_graph(loss, params=model, direction="backward", clusters=True),
        draw_graph(chain, params={"x": x}, max_nodes=30),
    ):
        svg = drawing.pipe(format="svg").decode()
        assert ET.fromstring(svg).tag.endswith("svg")


def test_missing_dot_says_how_to_install_it(tmp_path: Path, monkeypatch: Any) -> None:
    out, p = neuron()
    drawing = draw_graph(out, params=p)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no dot anywhere on PATH
    for attempt in (
        lambda: drawing.render(tmp_path / "g", format="png"),
        lambda: drawing.pipe(format="svg"),
        lambda: drawing._repr_mimebundle_(),
    ):
        with pytest.raises(GraphvizNotInstalledError) as info:
            attempt()
        message = str(info.value)
        assert "apt-get install graphviz" in message
        assert "brew install graphviz" in message
        assert "conda install -c conda-forge graphviz" in message
        assert ".source" in message
        assert isinstance(info.value, graphviz.ExecutableNotFound)
    # the drawing itself still works without dot
    assert drawing.source.startswith("digraph")
    saved = drawing.save(tmp_path / "g.gv")
    assert Path(saved).read_text() == drawing.source


def test_even_a_tiny_max_nodes_is_respected() -> None:
    x = Value(0.5)
    y = x
    for _ in range(1000):
        y = (y * 0.9).tanh()
    y.backward()
    for limit in (3, 5, 12):
        found = nodes(draw_graph(y, params={"x": x}, max_nodes=limit).source)
        assert len([n for n in found if n[0] in "ng"]) <= limit


def test_unnamed_factors_and_a_released_graph_are_explained() -> None:
    a, b = Value(2.0), Value(-4.0)
    out = (a * b).tanh()
    out.backward()
    src = draw_graph(out, direction="backward").source
    assert "&#215; y = -4" in src and "&#215; x = 2" in src  # no names: the operand's role
    out.backward(retain_graph=False)
    with pytest.raises(
        RuntimeError, match=r"draw_graph\(\): the graph through op 'tanh'.*retain_graph=True"
    ):
        draw_graph(out)  # a released graph: its inputs are gone (issue 14.6: a clear error)


def test_drawing_a_tensor_graph_after_backward_needs_retain_graph() -> None:
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    kept = (x * 3.0).relu().sum()
    kept.backward(retain_graph=True)
    assert "<b>relu</b>" in draw_graph(kept, params={"x": x}).source
    freed = (x * 3.0).relu().sum()
    freed.backward()  # frees the graph, as in PyTorch
    with pytest.raises(RuntimeError, match=r"draw_graph\(\): .*op 'sum'.*pass retain_graph=True"):
        draw_graph(freed)


def test_constants_show_no_gradient() -> None:
    x = Value(3.0, requires_grad=False)
    w = Value(0.5)
    out = x * w
    out.backward()
    for direction, grad_cell in (("forward", "grad 3"), ("backward", "dC/dz 3")):
        src = draw_graph(out, params={"x": x, "w": w}, direction=direction).source
        x_label = nodes(src)[node_with(src, ">x<")]
        assert "data 3" in x_label and "grad" not in x_label and "dC/dz" not in x_label
        assert f'bgcolor="{style.NO_GRAD_FILL}"' in x_label
        assert grad_cell in nodes(src)[node_with(src, ">w<")]  # d(x w)/dw = x
