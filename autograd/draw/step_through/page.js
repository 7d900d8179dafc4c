// dagrad's step-through page: draws the graph laid out by Python, then reveals one frame of
// values and gradients step by step (a step-through) or switches between frames (a timeline).
// Everything it needs is in the JSON above; it makes no network request.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("dagrad-data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var STEP = D.mode === "step";
  var nodes = D.nodes, edges = D.edges, groups = D.groups;
  var LINE = 14, PADX = 8, PADY = 5;
  var READABLE = 0.6; // the smallest zoom at which box text can be read
  var PLAIN_EDGE = ["#9a9a9a", 1, ""];
  var last = STEP ? D.steps.length - 1 : D.frames.length - 1;
  var pos = 0;
  var frame = D.frames[0];
  var viewName = D.views.base ? "base" : "all";
  var opened = [];
  var selected = -1;
  var timer = null;

  var $ = function (id) { return document.getElementById(id); };
  var svg = $("graph"), viewport = $("viewport");
  var layers = { clusters: $("clusters"), edges: $("edges"), units: $("units"), labels: $("labels") };

  // per node: its box (null when folded into a group box), the unit it is drawn in
  var nodeEl = [], unitOf = [], edgeEl = [], groupEl = [];
  var geometry = {}; // unit key -> [x, y, w, h]
  var edgeGeom = []; // per edge: [x0, y0, x1, y1, x2, y2, x3, y3] of its curve
  var highlighted = []; // [elements] highlighted by the current step
  var groupDone = groups.map(function (g) {
    var done = -1;
    for (var k = 0; k < g.members.length; k++) {
      var b = nodes[g.members[k]].bw;
      if (b === undefined || b < 0) continue;
      done = Math.max(done, b);
    }
    return done;
  });

  function el(tag, attrs, parent) {
    var e = document.createElementNS(NS, tag);
    for (var key in attrs) e.setAttribute(key, attrs[key]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }

  // ---------------------------------------------------------------- drawing a view
  function buildView() {
    var view = D.views[viewName];
    for (var key in layers) clear(layers[key]);
    nodeEl = new Array(nodes.length).fill(null);
    unitOf = new Array(nodes.length).fill(null);
    groupEl = new Array(groups.length).fill(null);
    edgeEl = new Array(edges.length).fill(null);
    edgeGeom = new Array(edges.length).fill(null);
    highlighted = [];
    geometry = {};
    var inView = {};
    view.units.forEach(function (u, k) {
      var x = view.xy[2 * k], y = view.xy[2 * k + 1];
      if (u >= 0) {
        geometry[u] = [x, y, nodes[u].w, nodes[u].h];
        nodeEl[u] = drawNode(u, x, y);
        unitOf[u] = u;
        inView[u] = true;
      } else {
        var g = -u - 1;
        geometry[u] = [x, y, groups[g].w, groups[g].h];
        groupEl[g] = drawGroup(g, x, y);
      }
    });
    for (var i = 0; i < nodes.length; i++) {
      if (!inView[i]) unitOf[i] = -(D.groupOf[i] + 1);
    }
    drawEdges();
    if (D.clusters) drawClusters();
    svg.setAttribute("data-view", viewName);
    $("unfold").hidden = !D.views.base || viewName === "all";
    $("fold").hidden = !D.views.base || viewName === "base";
    paintAll();
  }

  function drawNode(i, x, y) {
    var n = nodes[i];
    var g = el("g", { "class": "unit node " + n.kind, id: "node-" + i, "data-i": i, "data-sym": n.s,
      transform: "translate(" + (x - n.w / 2) + "," + (y - n.h / 2) + ")" }, layers.units);
    el("rect", { width: n.w, height: n.h, rx: 6, ry: 6 }, g);
    var line = 0;
    var head = el("text", { x: PADX, y: PADY + LINE * (line++ + 0.8) }, g);
    el("tspan", { "class": "sym" }, head).textContent = n.s;
    if (n.op) el("tspan", { "class": "op" }, head).textContent = "  " + n.op;
    if (n.m) el("text", { "class": "meta", x: PADX, y: PADY + LINE * (line++ + 0.8) }, g).textContent = n.m;
    var vals = [], grads = [];
    for (var k = 0; k < n.nv; k++) vals.push(el("text", { "class": "val", x: PADX, y: PADY + LINE * (line++ + 0.8) }, g));
    for (k = 0; k < n.ng; k++) grads.push(el("text", { "class": "grad", x: PADX, y: PADY + LINE * (line++ + 0.8) }, g));
    g._vals = vals;
    g._grads = grads;
    return g;
  }

  function drawGroup(k, x, y) {
    var gr = groups[k];
    var g = el("g", { "class": "unit group", id: "group-" + k, "data-g": k,
      transform: "translate(" + (x - gr.w / 2) + "," + (y - gr.h / 2) + ")" }, layers.units);
    el("rect", { width: gr.w, height: gr.h, rx: 8, ry: 8 }, g);
    var t = el("text", { "class": "title", x: PADX, y: PADY + LINE * 0.8 }, g);
    t.textContent = gr.title;
    gr.lines.forEach(function (text, j) {
      el("text", { x: PADX, y: PADY + LINE * (j + 1.8) }, g).textContent = text;
    });
    g._grad = el("text", { "class": "grad", x: PADX, y: PADY + LINE * (gr.lines.length + 1.8) }, g);
    el("title", {}, g).textContent = "click to unfold these " + gr.members.length + " nodes";
    return g;
  }

  function anchor(key, towards) {
    // the point of a box where an edge leaves (towards > 0: to the output side) or enters
    var b = geometry[key];
    if (D.horizontal) return [b[0] + towards * b[2] / 2, b[1]];
    return [b[0], b[1] + towards * b[3] / 2];
  }

  function curve(a, b, bend) {
    var dx = D.horizontal ? Math.max(30, Math.abs(b[0] - a[0]) / 2) : 0;
    var dy = D.horizontal ? 0 : Math.max(24, Math.abs(b[1] - a[1]) / 2);
    var c1 = [a[0] + dx, a[1] + dy], c2 = [b[0] - dx, b[1] - dy];
    if (bend) {
      if (D.horizontal) { c1[1] += bend; c2[1] += bend; } else { c1[0] += bend; c2[0] += bend; }
    }
    return [a[0], a[1], c1[0], c1[1], c2[0], c2[1], b[0], b[1]];
  }

  function route(a, b, bend) {
    // cubic pieces from box a to box b through the bend points the layout gave the edge
    var points = [anchor(a, 1)];
    var bends = D.views[viewName].bends[a + ":" + b] || [];
    for (var i = 0; i < bends.length; i += 2) points.push([bends[i], bends[i + 1]]);
    points.push(anchor(b, -1));
    var pieces = [];
    for (var k = 0; k + 1 < points.length; k++) pieces.push(curve(points[k], points[k + 1], bend));
    return pieces;
  }

  function pathOf(pieces) {
    var c = pieces[0], d = "M" + c[0] + "," + c[1];
    pieces.forEach(function (c) {
      d += " C" + c[2] + "," + c[3] + " " + c[4] + "," + c[5] + " " + c[6] + "," + c[7];
    });
    return d;
  }

  function drawEdges() {
    var seen = {}, merged = {};
    edges.forEach(function (e, k) {
      var a = unitOf[e[0]], b = unitOf[e[1]];
      if (a === b) return;
      var key = a + ":" + b;
      if (a < 0 || b < 0) {
        merged[key] = (merged[key] || 0) + 1;
        return;
      }
      var nth = seen[key] = (seen[key] || 0) + 1;
      var bend = nth > 1 ? (nth % 2 ? 1 : -1) * 14 * Math.floor(nth / 2) : 0;
      var c = route(a, b, bend);
      edgeGeom[k] = c;
      edgeEl[k] = el("path", { "class": "edge", d: pathOf(c), "marker-end": "url(#arrow)", "data-e": k }, layers.edges);
    });
    Object.keys(merged).forEach(function (key) {
      var ab = key.split(":").map(Number);
      var c = route(ab[0], ab[1], 0);
      el("path", { "class": "merged", d: pathOf(c), "marker-end": "url(#arrow)" }, layers.edges);
      if (merged[key] > 1) {
        var m = midpoint(c);
        el("text", { "class": "elabel count", x: m[0] + 4, y: m[1] - 3 }, layers.labels).textContent = merged[key] + " edges";
      }
    });
  }

  function midpoint(pieces) {
    var c = pieces[Math.floor(pieces.length / 2)];
    if (pieces.length % 2 === 0) return [c[0], c[1]]; // the bend point in the middle
    return [(c[0] + 3 * c[2] + 3 * c[4] + c[6]) / 8, (c[1] + 3 * c[3] + 3 * c[5] + c[7]) / 8];
  }

  function drawClusters() {
    D.modules.forEach(function (path, m) {
      var box = null;
      for (var i = 0; i < nodes.length; i++) {
        var mod = nodes[i].mod;
        if (mod < 0 || !nodeEl[i]) continue;
        var p = D.modules[mod];
        if (p !== path && p.indexOf(path + ".") !== 0) continue;
        var b = geometry[i];
        var lo = [b[0] - b[2] / 2, b[1] - b[3] / 2], hi = [b[0] + b[2] / 2, b[1] + b[3] / 2];
        if (!box) box = [lo[0], lo[1], hi[0], hi[1]];
        else box = [Math.min(box[0], lo[0]), Math.min(box[1], lo[1]), Math.max(box[2], hi[0]), Math.max(box[3], hi[1])];
      }
      if (!box) return;
      var depth = path.split(".").length;
      var pad = 14 - Math.min(depth, 4) * 2;
      var g = el("g", { "class": "cluster" }, layers.clusters);
      el("rect", { x: box[0] - pad, y: box[1] - pad - 12, width: box[2] - box[0] + 2 * pad,
        height: box[3] - box[1] + 2 * pad + 12, rx: 8 }, g);
      el("text", { x: box[0] - pad + 6, y: box[1] - pad - 2 }, g).textContent = path + (D.kinds[path] ? " (" + D.kinds[path] + ")" : "");
    });
  }

  // ---------------------------------------------------------------- state at a position
  function valueKnown(i) { return !STEP || pos >= nodes[i].fw; }
  function gradKnown(i) { return !STEP || (nodes[i].bw >= 0 && pos >= nodes[i].bw); }

  function paintNode(i) {
    var g = nodeEl[i];
    if (!g) return;
    var n = nodes[i];
    var known = valueKnown(i);
    var showGrad = gradKnown(i) && frame.grad[i] !== null;
    var vals = frame.val[i], grads = frame.grad[i] || [];
    g._vals.forEach(function (t, k) { t.textContent = known ? (vals[k] || "") : (k === 0 ? (n.m ? "value ?" : "data ?") : ""); });
    g._grads.forEach(function (t, k) { t.textContent = showGrad ? (grads[k] || "") : ""; });
    g.setAttribute("data-grad-shown", showGrad ? "1" : "0");
    var fill = showGrad ? frame.fill[i] : (known ? "#ffffff" : "#f6f8fa");
    g.firstChild.setAttribute("fill", fill);
    g.classList.toggle("pending", !known);
    g.classList.toggle("zero", showGrad && frame.fill[i] === D.legend.zero);
    g.classList.toggle("bad", known && frame.bad.indexOf(i) >= 0);
  }

  function paintEdge(k) {
    var p = edgeEl[k];
    if (!p) return;
    var parent = edges[k][0];
    // coloured once the gradient has come back along it (a constant's edge: dotted from the start)
    var back = !STEP || (nodes[parent].bw >= 0 && pos >= nodes[parent].bw);
    var style = back || !nodes[parent].rg ? frame.edge[k] : PLAIN_EDGE;
    p.setAttribute("stroke", style[0]);
    p.setAttribute("stroke-width", style[1]);
    if (style[2]) p.setAttribute("stroke-dasharray", style[2]);
    else p.removeAttribute("stroke-dasharray");
  }

  function paintGroup(g) {
    var e = groupEl[g];
    if (!e) return;
    var done = !STEP || (groupDone[g] >= 0 && pos >= groupDone[g]);
    var info = frame.group[g];
    e.firstChild.setAttribute("fill", done && info[1] ? info[0] : "#f4f4f4");
    e._grad.textContent = done ? info[1] : "";
  }

  function paintAll() {
    for (var i = 0; i < nodes.length; i++) paintNode(i);
    for (var k = 0; k < edges.length; k++) paintEdge(k);
    for (var g = 0; g < groups.length; g++) paintGroup(g);
    highlight();
  }

  function highlight() {
    highlighted.forEach(function (e) { e.classList.remove("current", "back", "hot"); });
    highlighted = [];
    clear(layers.labels);
    if (!STEP) return describe();
    var s = D.steps[pos];
    if (s.n >= 0) {
      var box = nodeEl[s.n] || groupEl[-unitOf[s.n] - 1];
      if (box) {
        box.classList.add("current");
        if (s.k === "backward" || s.k === "seed") box.classList.add("back");
        highlighted.push(box);
        if ($("follow").checked) reveal(s.n);
      }
    }
    (s.e || []).forEach(function (k, j) {
      var p = edgeEl[k];
      if (!p) return;
      p.classList.add("hot");
      highlighted.push(p);
      if (s.l && s.l[j]) {
        // above the middle of a left-to-right edge, beside the middle of a top-to-bottom one
        // (on the outer side of an edge that bends around a box)
        var m = midpoint(edgeGeom[k]);
        var at = { x: m[0], y: m[1] - 6, "text-anchor": "middle" };
        if (!D.horizontal) {
          var left = m[0] < geometry[unitOf[edges[k][1]]][0] - 1;
          at = { x: m[0] + (left ? -6 : 6), y: m[1] + 4, "text-anchor": left ? "end" : "start" };
        }
        at["class"] = "elabel";
        el("text", at, layers.labels).textContent = s.l[j];
      }
    });
    describe();
  }

  function describe() {
    if (STEP) {
      var s = D.steps[pos];
      $("sentence").textContent = s.t;
      $("formula").textContent = (s.f || []).join("\n");
      $("counter").textContent = "step " + pos + " / " + last;
    } else {
      var label = frame.label || ("record " + (pos + 1));
      $("counter").textContent = "record " + (pos + 1) + " / " + D.frames.length;
      $("sentence").textContent = label + (frame.loss !== undefined ? ": output " + fmt(frame.loss) : "") +
        ". Every node shows its value and gradient at this recorded step; scrub to watch them change.";
      $("formula").textContent = "";
      drawLosses();
    }
    $("slider").value = String(pos);
    $("prev").disabled = pos === 0;
    $("home").disabled = pos === 0;
    $("next").disabled = pos === last;
    $("end").disabled = pos === last;
    if (selected >= 0) details(selected);
  }

  function fmt(x) { return Number(x).toPrecision(4).replace(/\.?0+(e|$)/, "$1"); }

  // ---------------------------------------------------------------- moving
  function touched(s) {
    // the nodes, edges and groups whose look changes when step s is crossed
    var st = D.steps[s];
    if (st.n < 0) return;
    paintNode(st.n);
    if (st.k === "backward" || st.k === "seed") (st.e || []).forEach(paintEdge);
    if (unitOf[st.n] < 0) paintGroup(-unitOf[st.n] - 1);
  }

  function go(to) {
    to = Math.max(0, Math.min(last, to | 0));
    if (to === pos) return describe();
    var from = pos;
    pos = to;
    if (!STEP) {
      frame = D.frames[pos];
      paintAll();
      return;
    }
    if (Math.abs(to - from) > 64) return paintAll();
    var lo = Math.min(from, to), hi = Math.max(from, to);
    for (var s = lo + 1; s <= hi; s++) touched(s);
    for (var g = 0; g < groups.length; g++) if (groupDone[g] > lo && groupDone[g] <= hi) paintGroup(g);
    highlight();
  }

  function play() {
    if (timer !== null) return pause();
    if (last === 0) return; // nothing to play
    if (pos === last) go(0);
    $("play").classList.add("playing");
    $("play").textContent = "Pause";
    $("play").setAttribute("aria-label", "pause");
    var speed = Number($("speed").value) || 2;
    timer = setInterval(function () {
      if (pos >= last) return pause();
      go(pos + 1);
    }, 1000 / speed);
  }

  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    $("play").classList.remove("playing");
    $("play").textContent = "\u25B6 Play";
    $("play").setAttribute("aria-label", "play");
  }

  // ---------------------------------------------------------------- details of a node
  function row(dl, term, text, na) {
    var dt = document.createElement("dt");
    dt.textContent = term;
    var dd = document.createElement("dd");
    dd.textContent = text;
    if (na) dd.className = "na";
    dl.appendChild(dt);
    dl.appendChild(dd);
    return dd;
  }

  function details(i) {
    var body = $("detail-body");
    clear(body);
    if (i < 0) return;
    var n = nodes[i];
    var h = document.createElement("h2");
    h.textContent = n.s;
    body.appendChild(h);
    var dl = document.createElement("dl");
    dl.id = "detail-list";
    body.appendChild(dl);
    var kind = { op: "computed by an op", out: "the output", leaf: "a leaf that requires grad", "const": "a constant" }[n.kind];
    if (n.kind === "out" && !n.op) kind = "the output (a leaf)";
    row(dl, "node", kind);
    row(dl, "op", n.op ? n.op + (n.x ? "   (" + n.s + " = " + n.x + ")" : "") : "none: made by the user", !n.op);
    row(dl, "shape", n.shape);
    row(dl, "dtype", n.dtype);
    if (n.mod >= 0) row(dl, "module", D.modules[n.mod]);
    if (valueKnown(i)) row(dl, "value", frame.dval[i]).id = "detail-value";
    else row(dl, "value", "not computed yet: forward step " + n.fw, true).id = "detail-value";
    var g;
    if (!n.rg) g = row(dl, "gradient", "none: it does not require grad", true);
    else if (frame.grad[i] === null) g = row(dl, "gradient", "none reaches it", true);
    else if (gradKnown(i)) g = row(dl, "gradient dC/d" + n.s, frame.dgrad[i]);
    else g = row(dl, "gradient", "not yet: backward step " + n.bw, true);
    g.id = "detail-grad";
    var made = n.site || (n.op ? D.noSite : "by your code, not by an op: only ops record their line");
    row(dl, "created at", made, !n.site).id = "detail-site";
    if (STEP) {
      if (n.fw > 0) jump(body, "forward step " + n.fw, n.fw);
      if (n.bw >= 0) jump(body, "backward step " + n.bw, n.bw);
    }
  }

  function jump(body, text, to) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = "go to " + text;
    b.addEventListener("click", function () { pause(); go(to); });
    body.appendChild(b);
  }

  function select(i) {
    if (selected >= 0 && nodeEl[selected]) nodeEl[selected].classList.remove("selected");
    selected = i;
    if (i >= 0 && nodeEl[i]) nodeEl[i].classList.add("selected");
    details(i);
  }

  // ---------------------------------------------------------------- folding
  function unfold(g) {
    if (opened.indexOf(g) < 0) opened.push(g);
    viewName = opened.length === 1 ? "g" + g : "all";
    buildView();
    fitTo(groups[g].members.filter(function (i) { return nodeEl[i]; }));
  }

  function setView(name) {
    opened = name === "all" ? groups.map(function (_, k) { return k; }) : [];
    viewName = name;
    buildView();
    fit();
  }

  // ---------------------------------------------------------------- pan and zoom
  var zoom = { k: 1, x: 0, y: 0 };
  function apply() {
    viewport.setAttribute("transform", "translate(" + zoom.x + "," + zoom.y + ") scale(" + zoom.k + ")");
  }

  function box() { return svg.getBoundingClientRect(); }

  function fitBox(x0, y0, x1, y1, maxScale) {
    var r = box();
    var w = Math.max(r.width, 50), h = Math.max(r.height, 50);
    var k = Math.min(w / Math.max(x1 - x0, 1), h / Math.max(y1 - y0, 1), maxScale);
    zoom.k = k;
    zoom.x = (w - (x1 - x0) * k) / 2 - x0 * k;
    zoom.y = (h - (y1 - y0) * k) / 2 - y0 * k;
    apply();
  }

  function fit() {
    var size = D.views[viewName].size;
    fitBox(0, 0, size[0], size[1], 1.25);
  }

  function start() {
    // the whole graph if it can be read that way, else readable and around the first step
    fit();
    if (zoom.k >= READABLE) return;
    var first = STEP && D.steps.length > 1 ? D.steps[1].n : 0;
    zoom.k = 0.85;
    apply();
    reveal(first >= 0 ? first : 0, true);
  }

  function fitTo(list) {
    if (!list.length) return fit();
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    list.forEach(function (i) {
      var b = geometry[i];
      x0 = Math.min(x0, b[0] - b[2] / 2); x1 = Math.max(x1, b[0] + b[2] / 2);
      y0 = Math.min(y0, b[1] - b[3] / 2); y1 = Math.max(y1, b[1] + b[3] / 2);
    });
    fitBox(x0 - 40, y0 - 40, x1 + 40, y1 + 40, 1.25);
  }

  function reveal(i, always) {
    // pan (never zoom) so that node i's box is inside the window
    var key = unitOf[i];
    var b = geometry[key];
    if (!b) return;
    var r = box();
    var sx = b[0] * zoom.k + zoom.x, sy = b[1] * zoom.k + zoom.y;
    var hw = b[2] * zoom.k / 2 + 20, hh = b[3] * zoom.k / 2 + 20;
    var inside = sx - hw >= 0 && sx + hw <= r.width && sy - hh >= 0 && sy + hh <= r.height;
    if (inside && !always) return;
    zoom.x += r.width / 2 - sx;
    zoom.y += r.height / 2 - sy;
    apply();
  }

  function zoomBy(f, cx, cy) {
    var r = box();
    if (cx === undefined) { cx = r.width / 2; cy = r.height / 2; }
    var k = Math.max(0.05, Math.min(6, zoom.k * f));
    f = k / zoom.k;
    zoom.x = cx - (cx - zoom.x) * f;
    zoom.y = cy - (cy - zoom.y) * f;
    zoom.k = k;
    apply();
  }

  var drag = null;
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = box();
    zoomBy(Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
  }, { passive: false });
  svg.addEventListener("pointerdown", function (ev) {
    if (ev.target.closest && ev.target.closest(".unit")) return;
    drag = { x: ev.clientX, y: ev.clientY, zx: zoom.x, zy: zoom.y };
    svg.classList.add("panning");
  });
  window.addEventListener("pointermove", function (ev) {
    if (!drag) return;
    zoom.x = drag.zx + ev.clientX - drag.x;
    zoom.y = drag.zy + ev.clientY - drag.y;
    apply();
  });
  window.addEventListener("pointerup", function () { drag = null; svg.classList.remove("panning"); });

  layers.units.addEventListener("click", function (ev) {
    var u = ev.target.closest(".unit");
    if (!u) return;
    if (u.hasAttribute("data-g")) unfold(Number(u.getAttribute("data-g")));
    else select(Number(u.getAttribute("data-i")));
  });

  // ---------------------------------------------------------------- controls
  $("home").addEventListener("click", function () { pause(); go(0); });
  $("prev").addEventListener("click", function () { pause(); go(pos - 1); });
  $("next").addEventListener("click", function () { pause(); go(pos + 1); });
  $("end").addEventListener("click", function () { pause(); go(last); });
  $("play").addEventListener("click", play);
  $("speed").addEventListener("change", function () { if (timer !== null) { pause(); play(); } });
  $("slider").addEventListener("input", function () { pause(); go(Number($("slider").value)); });
  $("fit").addEventListener("click", fit);
  $("zoomin").addEventListener("click", function () { zoomBy(1.25); });
  $("zoomout").addEventListener("click", function () { zoomBy(0.8); });
  $("unfold").addEventListener("click", function () { setView("all"); });
  $("fold").addEventListener("click", function () { setView("base"); });
  document.addEventListener("keydown", function (ev) {
    var tag = ev.target && ev.target.tagName;
    if (tag === "SELECT" || tag === "TEXTAREA" || (tag === "INPUT" && ev.target.type !== "range")) return;
    var to = { ArrowRight: pos + 1, ArrowLeft: pos - 1, Home: 0, End: last }[ev.key];
    if (to === undefined) return;
    ev.preventDefault();
    pause();
    go(to);
  });

  // ---------------------------------------------------------------- legend and losses
  function legend() {
    var L = D.legend, foot = $("legend");
    var title = document.createElement("span");
    title.textContent = "gradient size |dC/dz| by decade (mean over a tensor's elements):";
    foot.appendChild(title);
    var scale = document.createElement("span");
    scale.className = "scale";
    L.fills.forEach(function (c, k) {
      var s = document.createElement("span");
      s.className = "swatch";
      s.style.background = c;
      s.textContent = L.labels[k];
      scale.appendChild(s);
    });
    foot.appendChild(scale);
    [[L.zero, "exactly 0, dashed: nothing flows back"], [L.nonfinite, "NaN or Inf"],
     [L.none, "no gradient (yet, or a constant)"]].forEach(function (pair) {
      var s = document.createElement("span");
      s.className = "swatch";
      s.style.background = pair[0];
      s.textContent = pair[1];
      foot.appendChild(s);
    });
    var note = document.createElement("span");
    note.textContent = "edges: the gradient sent back along them, same scale. " + (D.note || "");
    foot.appendChild(note);
  }

  function drawLosses() {
    var plot = $("losses");
    var values = D.frames.map(function (f) { return f.loss; });
    if (values.some(function (v) { return v === undefined || !isFinite(v); }) || values.length < 2) return;
    plot.removeAttribute("hidden");
    clear(plot);
    var w = plot.getBoundingClientRect().width || 600, h = 60;
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    var sx = function (k) { return 40 + k * (w - 60) / (values.length - 1); };
    var sy = function (v) { return hi === lo ? h / 2 : 6 + (hi - v) * (h - 16) / (hi - lo); };
    el("polyline", { points: values.map(function (v, k) { return sx(k) + "," + sy(v); }).join(" "),
      fill: "none", stroke: "#0969da", "stroke-width": 1.5 }, plot);
    el("circle", { cx: sx(pos), cy: sy(values[pos]), r: 4, fill: "#cf222e" }, plot);
    el("text", { x: 2, y: 12, "font-size": 10, fill: "#57606a" }, plot).textContent = fmt(hi);
    el("text", { x: 2, y: h - 4, "font-size": 10, fill: "#57606a" }, plot).textContent = fmt(lo);
  }

  // ---------------------------------------------------------------- start
  $("slider").max = String(last);
  if (!STEP) {
    $("speed").value = "2";
    $("prev").textContent = "\u25C0 Earlier";
    $("next").textContent = "Later \u25B6";
    $("follow").parentNode.hidden = true;
  }
  legend();
  buildView();
  start();
  describe();
  window.dagradStepThrough = { go: go, get position() { return pos; }, last: last, unfold: unfold,
    setView: setView, select: select };
})();
