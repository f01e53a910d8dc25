// argus's live dashboard: the REST API for history, /ws for what happens
// now. No framework; every number shown comes from one of the two. State
// the browser tests wait on is kept in `window.argus` and on <body>'s data
// attributes, never guessed from timing.
"use strict";

const argus = (window.argus = {
  token: null,
  ws: null,
  seq: {},            // last seq per topic
  missed: {},         // seqs skipped per topic (filters skip too)
  dashboard: null,    // the last metrics message's dashboard
  status: null,       // the last status snapshot
  alerts: [],         // drift alerts, newest first
  retrains: [],
  traces: new Map(),  // corr -> request summary, newest last
  charts: {},
  page: "overview",
  ensembles: null,
  regimes: null,
});

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
};
const fmt = (x, digits = 2) =>
  x === null || x === undefined || Number.isNaN(x) ? "–" : Number(x).toFixed(digits);
const money = (x) => (x === null || x === undefined ? "–" : (x < 0 ? "−" : "") + Math.abs(x).toFixed(2));
const ms = (ns) => (ns / 1e6).toFixed(2);
const clock = (ns) => new Date(ns / 1e6).toLocaleTimeString();
const sevClass = (s) => "sev-" + s;

// -- API --------------------------------------------------------------------

async function api(path) {
  const res = await fetch(path, { headers: { Authorization: "Bearer " + argus.token } });
  if (res.status === 401) {
    signOut("the token was refused (401)");
    throw new Error("401");
  }
  if (!res.ok) throw new Error(path + ": HTTP " + res.status);
  return res.json();
}

// -- sign in ----------------------------------------------------------------

function signOut(why) {
  sessionStorage.removeItem("argus.token");
  argus.token = null;
  if (argus.ws) argus.ws.close();
  $("app").hidden = true;
  $("logout").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = why || "";
}

async function signIn(token) {
  argus.token = token;
  try {
    await api("/api/status");
  } catch (e) {
    if (e.message !== "401") $("login-error").textContent = String(e);
    return;
  }
  sessionStorage.setItem("argus.token", token);
  $("login").hidden = true;
  $("app").hidden = false;
  $("logout").hidden = false;
  connect();
  refreshAll();
}

// -- WebSocket --------------------------------------------------------------

let retryMs = 500;

function traceFilter() {
  const f = {};
  const c = $("f-component").value;
  if (c) f.component = c;
  const min = Number($("f-min").value);
  if (min > 0) f.min_duration_ms = min;
  if ($("f-errors").checked) f.errors_only = true;
  return f;
}

function connect() {
  if (!argus.token) return;
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  // The one place a token is in a URL: browsers cannot set headers on an
  // upgrade. argusd never logs it.
  const ws = new WebSocket(scheme + location.host + "/ws?access_token=" + encodeURIComponent(argus.token));
  argus.ws = ws;
  setWs("connecting");
  ws.onopen = () => {
    retryMs = 500;
    setWs("open");
    for (const topic of ["metrics", "status", "alerts", "tracking"])
      ws.send(JSON.stringify({ op: "subscribe", topic, id: topic }));
    ws.send(JSON.stringify({ op: "subscribe", topic: "traces", id: "traces", filter: traceFilter() }));
    ws.send(JSON.stringify({ op: "snapshot", topic: "metrics" }));
    ws.send(JSON.stringify({ op: "snapshot", topic: "status" }));
  };
  ws.onmessage = (ev) => onMessage(JSON.parse(ev.data));
  ws.onclose = () => {
    setWs("closed");
    if (argus.ws === ws && argus.token) {
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    }
  };
}

function setWs(state) {
  document.body.dataset.ws = state;
  $("ws-status").textContent = state === "open" ? "live" : state;
}

function onMessage(m) {
  if (m.topic && typeof m.seq === "number") {
    const last = argus.seq[m.topic];
    if (last !== undefined && m.seq > last + 1) argus.missed[m.topic] = (argus.missed[m.topic] || 0) + m.seq - last - 1;
    if (last === undefined || m.seq > last) argus.seq[m.topic] = m.seq;
  }
  switch (m.type) {
    case "metrics":
      argus.dashboard = m.dashboard;
      document.body.dataset.metricsSeq = m.seq;
      renderOverviewMetrics();
      break;
    case "status":
      onStatus(m);
      break;
    case "component":
      break; // the snapshot that follows carries it
    case "request":
      onRequest(m);
      break;
    case "drift_alert":
      argus.alerts.unshift(m);
      argus.alerts.length = Math.min(argus.alerts.length, 500);
      document.body.dataset.alerts = argus.alerts.length;
      renderAlerts();
      break;
    case "retrain_requested":
      argus.retrains.unshift(m);
      renderRetrains();
      break;
    case "regime_changed":
    case "tracking_view":
      if (argus.page === "regimes") refreshRegimes();
      break;
    case "dropped":
      argus.missed[m.topic] = (argus.missed[m.topic] || 0) + (m.count || 0);
      break;
  }
}

// -- overview ---------------------------------------------------------------

function renderOverviewMetrics() {
  const d = argus.dashboard;
  if (!d || !d.performance) return;
  const p = d.performance;
  const today = new Date().toISOString().slice(0, 10);
  setKpi("kpi-pnl", money(p.total_pnl), p.total_pnl);
  const t = p.pnl_by_day ? p.pnl_by_day[today] : undefined;
  setKpi("kpi-pnl-today", t === undefined ? "0.00" : money(t), t);
  $("kpi-drawdown").textContent = fmt((p.current_drawdown_pct || 0) * 100, 1) + " %";
  $("kpi-sharpe").textContent = fmt(p.sharpe);
  $("kpi-trades").textContent = p.closed_trades ?? "–";
  document.body.dataset.dashboardTime = d.time_ns;
  renderEquity(p.equity_curve || []);
}

function setKpi(id, text, value) {
  const e = $(id);
  e.textContent = text;
  e.className = value > 0 ? "pos" : value < 0 ? "neg" : "";
}

function chart(id, series, data, extra = {}) {
  const box = $(id);
  const width = Math.max(280, box.clientWidth || 600);
  let c = argus.charts[id];
  if (c && c.series.length !== series.length + 1) {
    c.destroy();
    c = null;
  }
  if (!c) {
    box.textContent = "";
    c = new uPlot(
      Object.assign({ width, height: 240, series: [{}, ...series], scales: { x: { time: true } }, legend: { live: false } }, extra),
      data, box);
    argus.charts[id] = c;
  } else {
    if (Math.abs(c.width - width) > 4) c.setSize({ width, height: 240 });
    c.setData(data);
  }
  box.dataset.points = data[0].length;
  // What was drawn, not the grid: values present across the series.
  box.dataset.values = data.slice(1).reduce((n, ys) => n + ys.filter((y) => y !== null && y !== undefined).length, 0);
  return c;
}

/// Charts follow the window (a phone turned, a window resized); a chart on
/// a hidden page has no width and is fitted when its page shows.
function fitCharts() {
  for (const [id, c] of Object.entries(argus.charts)) {
    const w = $(id).clientWidth;
    if (w > 0 && Math.abs(c.width - Math.max(280, w)) > 4) c.setSize({ width: Math.max(280, w), height: 240 });
  }
}

function renderEquity(curve) {
  if (!curve.length) return;
  const xs = [], eq = [], dd = [];
  let peak = -Infinity;
  for (const [ns, v] of curve) {
    peak = Math.max(peak, v);
    xs.push(ns / 1e9);
    eq.push(v);
    dd.push(peak > 0 ? (v / peak - 1) * 100 : 0);
  }
  chart("chart-equity",
    [{ label: "equity", stroke: "#2a6ad0", scale: "eq" },
     { label: "drawdown %", stroke: "#c62828", fill: "rgba(198,40,40,.08)", scale: "dd" }],
    [xs, eq, dd],
    { axes: [{}, { scale: "eq", size: 70 }, { scale: "dd", side: 1, size: 50, grid: { show: false } }] });
}

function onStatus(s) {
  const prev = argus.status;
  argus.status = s;
  const tbody = $("components").tBodies[0];
  tbody.textContent = "";
  for (const c of s.components)
    tbody.append(el("tr", { "data-id": c.id },
      el("td", { text: c.id }),
      el("td", { class: "state-" + c.state, text: c.state }),
      el("td", { text: c.restarts }),
      el("td", { text: c.mailbox_size })));
  document.body.dataset.statusTime = s.time_ns;
  const k = s.counters || {};
  const dropped = Object.entries(k).filter(([n]) => n.startsWith("client_dropped")).reduce((a, [, v]) => a + v, 0);
  $("kpi-dropped").textContent = dropped;
  if (prev && prev.counters && s.time_ns > prev.time_ns) {
    const rate = ((k.client_accepted || 0) - (prev.counters.client_accepted || 0)) / ((s.time_ns - prev.time_ns) / 1e9);
    $("kpi-rate").textContent = fmt(rate, 0);
  }
}

async function refreshLatencies() {
  const v = await api("/api/tracing/performance");
  // Per component: the largest p50/p99 of its operations (what it costs a
  // request), and every span counted.
  const by = new Map();
  for (const op of v.operations || []) {
    const x = by.get(op.component) || { p50: 0, p99: 0, count: 0 };
    x.p50 = Math.max(x.p50, op.latency.p50_ns);
    x.p99 = Math.max(x.p99, op.latency.p99_ns);
    x.count += op.latency.count;
    by.set(op.component, x);
  }
  const tbody = $("latencies").tBodies[0];
  tbody.textContent = "";
  for (const [c, x] of [...by].sort((a, b) => b[1].p99 - a[1].p99))
    tbody.append(el("tr", {}, el("td", { text: c }), el("td", { text: ms(x.p50) }), el("td", { text: ms(x.p99) }), el("td", { text: x.count })));
}

/// The alerts whose latest change is not a resolution, one per condition.
function openAlerts() {
  const seen = new Set(), open = [];
  for (const a of argus.alerts) {
    const key = [a.model_id, a.model_version, a.feature, a.method].join("\n");
    if (seen.has(key)) continue;
    seen.add(key);
    if (!String(a.message).startsWith("resolved")) open.push(a);
  }
  return open;
}

function alertRow(a, full) {
  const cells = [el("td", { text: clock(a.time_ns) }), el("td", {}, el("span", { class: sevClass(a.severity), text: a.severity })),
    el("td", { text: a.model_id + "@" + a.model_version })];
  if (full) cells.push(el("td", { text: a.feature || "(model)" }), el("td", { text: a.method }));
  cells.push(el("td", { class: "msg", text: a.message }));
  return el("tr", {}, ...cells);
}

function renderAlerts() {
  const open = openAlerts();
  $("kpi-alerts").textContent = open.length;
  document.body.dataset.openAlerts = open.length;
  const t = $("open-alerts").tBodies[0];
  t.textContent = "";
  for (const a of open.slice(0, 50)) t.append(alertRow(a, false));
  const d = $("drift").tBodies[0];
  d.textContent = "";
  for (const a of argus.alerts.slice(0, 200)) d.append(alertRow(a, true));
}

function renderRetrains() {
  const t = $("retrains").tBodies[0];
  t.textContent = "";
  for (const r of argus.retrains.slice(0, 50)) {
    let evidence = r.reason;
    try {
      const j = JSON.parse(r.reason);
      evidence = "drift " + fmt(j.weighted_drift_score) + ", " + Math.round((j.drifted_share || 0) * 100) + "% of features, degradation " + fmt((j.degradation || 0) * 100, 1) + " %";
    } catch (e) { /* plain text */ }
    t.append(el("tr", {}, el("td", { text: clock(r.time_ns) }), el("td", { text: r.model_id + "@" + r.model_version }),
      el("td", { text: r.trigger }), el("td", { class: "msg", text: evidence })));
  }
}

// -- traces -----------------------------------------------------------------

function onRequest(r) {
  argus.traces.delete(r.corr);
  argus.traces.set(r.corr, r);
  while (argus.traces.size > 300) argus.traces.delete(argus.traces.keys().next().value);
  document.body.dataset.traces = argus.traces.size;
  if (argus.page === "traces") scheduleTraces();
}

let tracesPending = false;
function scheduleTraces() {
  if (tracesPending) return;
  tracesPending = true;
  requestAnimationFrame(() => { tracesPending = false; renderTraces(); });
}

const traceRows = new Map(); // corr -> <tr>, kept while shown

function traceCells(tr, r) {
  const cells = [clock(r.finished_ns || r.started_ns), r.operation, r.path, ms(r.duration_ns), r.status];
  while (tr.cells.length < cells.length) tr.append(el("td"));
  cells.forEach((text, i) => { if (tr.cells[i].textContent !== text) tr.cells[i].textContent = text; });
  tr.cells[4].className = r.status === "completed" ? "state-running" : "state-failed";
  tr.classList.toggle("selected", r.corr === argus.selected);
}

/// Newest first, at most 200; rows are updated in place (a request's path
/// grows as late spans arrive), never rebuilt, so a click lands on the row
/// under the pointer while requests stream in.
function renderTraces() {
  const tbody = $("traces").tBodies[0];
  const rows = [...argus.traces.values()].reverse().slice(0, 200);
  const keep = new Set(rows.map((r) => r.corr));
  for (const [corr, tr] of traceRows)
    if (!keep.has(corr)) { tr.remove(); traceRows.delete(corr); }
  let before = tbody.firstChild;
  for (const r of rows) {
    let tr = traceRows.get(r.corr);
    if (!tr) {
      tr = el("tr", { class: "clickable", "data-corr": r.corr });
      tr.onclick = () => showTrace(r.corr);
      traceRows.set(r.corr, tr);
    }
    traceCells(tr, r);
    if (tr !== before) tbody.insertBefore(tr, before);
    before = tr.nextSibling;
  }
  $("trace-count").textContent = argus.traces.size + " requests";
}

async function showTrace(corr) {
  argus.selected = corr;
  const box = $("trace-detail");
  box.textContent = "";
  box.append(el("h3", { text: "Request " + corr }));
  document.body.dataset.detail = "loading";
  const [trace, decisions, ensembles, regimes, fills] = await Promise.all([
    api("/api/tracing/correlation/" + encodeURIComponent(corr)).catch(() => null),
    api("/api/tracking/decisions?id=" + encodeURIComponent(corr)).catch(() => null),
    api("/api/tracking/ensembles").catch(() => null),
    api("/api/tracking/regimes").catch(() => null),
    api("/api/metrics/fills/" + encodeURIComponent(corr)).catch(() => null),
  ]);
  if (argus.selected !== corr) return;
  box.append(waterfall(trace));
  box.append(decisionPath(decisions));
  box.append(votes(ensembles, corr));
  box.append(regimeAt(regimes));
  box.append(fillsOf(fills));
  document.body.dataset.detail = corr;
  renderTraces();
}

function waterfall(t) {
  const wrap = el("div", { class: "waterfall", id: "waterfall" });
  wrap.append(el("h4", { text: "Waterfall" }));
  if (!t || !t.spans || !t.spans.length) {
    wrap.append(el("p", { class: "muted", text: "No spans held or stored for this request." }));
    return wrap;
  }
  const total = Math.max(1, t.duration_ns);
  wrap.append(el("p", { class: "muted", text: t.span_count + " spans, " + ms(t.duration_ns) + " ms; the critical path is dark." }));
  for (const s of t.spans) {
    const bar = el("div", { class: "bar" + (s.critical ? " critical" : "") + (s.status === "error" ? " error" : ""),
      title: s.operation + " " + ms(s.duration_ns) + " ms" + (s.status_message ? " — " + s.status_message : "") });
    bar.style.left = (100 * s.start_offset_ns / total) + "%";
    bar.style.width = (100 * s.duration_ns / total) + "%";
    const name = el("div", { class: "name", text: "\u00a0".repeat(2 * s.depth) + s.component + " · " + s.operation });
    wrap.append(el("div", { class: "row span" + (s.critical ? " critical" : ""), "data-span": s.span_id }, name, el("div", { class: "bar-area" }, bar)));
  }
  return wrap;
}

function kv(o) {
  return Object.entries(o || {}).map(([k, v]) => k + "=" + v).join(", ");
}

function decisionPath(d) {
  const wrap = el("div", { id: "decision-path" });
  wrap.append(el("h4", { text: "Decision path" }));
  if (!d || !d.steps || !d.steps.length) {
    wrap.append(el("p", { class: "muted", text: "No decision steps recorded under this id." }));
    return wrap;
  }
  const t = el("table", {}, el("thead", {}, el("tr", {}, ...["step", "component", "decided by", "inputs", "outputs"].map((h) => el("th", { text: h })))));
  const b = el("tbody");
  for (const s of d.steps)
    b.append(el("tr", { class: "step" }, el("td", { text: s.step + " " + s.name }), el("td", { text: s.component }),
      el("td", { text: s.decided_by }), el("td", { class: "msg", text: kv(s.inputs) }), el("td", { class: "msg", text: kv(s.outputs) })));
  t.append(b);
  wrap.append(t);
  return wrap;
}

function votes(e, corr) {
  const wrap = el("div", { id: "votes" });
  wrap.append(el("h4", { text: "Ensemble votes" }));
  let found = null;
  for (const [id, x] of Object.entries((e && e.ensembles) || {}))
    for (const h of x.history || []) if (h.correlation_id === corr) found = Object.assign({ id }, h);
  if (!found) {
    wrap.append(el("p", { class: "muted", text: "No ensemble decision recorded under this id (or no longer in memory)." }));
    return wrap;
  }
  const t = el("table", {}, el("thead", {}, el("tr", {}, ...["model", "prediction", "weight"].map((h) => el("th", { text: h })))));
  const b = el("tbody");
  for (const [m, p] of Object.entries(found.individual_predictions || {}))
    b.append(el("tr", {}, el("td", { text: m }), el("td", { text: fmt(p, 3) }), el("td", { text: fmt((found.ensemble_weights || {})[m], 3) })));
  t.append(b);
  wrap.append(el("p", { text: found.id + ": " + found.final_prediction + " (confidence " + fmt(found.confidence) + ")" +
    (found.meta_learner_prediction ? ", meta-learner " + found.meta_learner_prediction : "") + (found.outcome ? ", outcome " + found.outcome : "") }), t);
  return wrap;
}

function regimeAt(r) {
  const wrap = el("div", { id: "regime-at" });
  wrap.append(el("h4", { text: "Regime at that moment" }));
  const hist = (r && r.history) || [];
  const t0 = argus.traces.get(argus.selected)?.started_ns;
  let at = null;
  for (const h of hist) if (!t0 || h.time_ns <= t0) at = h;
  if (!at && r && r.current) at = { regime_type: r.current, regime_confidence: r.latest?.regime_confidence };
  wrap.append(at ? el("p", { text: at.regime_type + " (confidence " + fmt(at.regime_confidence) + ")" })
                 : el("p", { class: "muted", text: "No regime recorded." }));
  return wrap;
}

function fillsOf(f) {
  const wrap = el("div", { id: "fills" });
  wrap.append(el("h4", { text: "Fills" }));
  if (!f || !f.fills || !f.fills.length) {
    wrap.append(el("p", { class: "muted", text: "No fills booked under this id (yet)." }));
    return wrap;
  }
  const t = el("table", {}, el("thead", {}, el("tr", {}, ...["time", "symbol", "side", "qty", "price", "fee", "PnL"].map((h) => el("th", { text: h })))));
  const b = el("tbody");
  for (const x of f.fills)
    b.append(el("tr", { class: "fill" }, el("td", { text: clock(x.time_ns) }), el("td", { text: x.symbol }), el("td", { text: x.side }),
      el("td", { text: fmt(x.quantity, 4) }), el("td", { text: fmt(x.price, 4) }), el("td", { text: fmt(x.fee, 4) }), el("td", { text: money(x.realized_pnl) })));
  t.append(b);
  wrap.append(t);
  return wrap;
}

// -- models -----------------------------------------------------------------

async function refreshModels() {
  const [models, features] = await Promise.all([api("/api/ml/models"), api("/api/ml/features")]);
  const t = $("models").tBodies[0];
  t.textContent = "";
  for (const m of models)
    t.append(el("tr", {}, el("td", { text: m.model_id + "@" + m.model_version }),
      el("td", {}, el("span", { class: sevClass(m.severity), text: m.severity })),
      el("td", { text: fmt(m.weighted_drift_score, 3) }), el("td", { text: fmt((m.degradation || 0) * 100, 1) + " %" }),
      el("td", { class: "msg", text: kv(Object.fromEntries(Object.entries(m.performance_now || {}).filter(([k]) => k !== "samples").map(([k, v]) => [k, fmt(v, 3)]))) })));
  argus.features = features;
  const sel = $("m-model");
  const names = Object.keys(features.models || {});
  if (sel.options.length !== names.length) {
    const keep = sel.value;
    sel.textContent = "";
    for (const n of names) sel.append(el("option", { value: n, text: n }));
    if (names.includes(keep)) sel.value = keep;
  }
  renderFeatureCharts();
}

/// One x axis (every time any feature has a point), one series per feature.
function featureSeries(list, field) {
  const times = [...new Set(list.flatMap((f) => (f.history || []).map((h) => h.time_ns)))].sort((a, b) => a - b);
  const data = [times.map((t) => t / 1e9)];
  for (const f of list) {
    const by = new Map((f.history || []).map((h) => [h.time_ns, h[field]]));
    data.push(times.map((t) => (by.has(t) && by.get(t) !== null ? by.get(t) : null)));
  }
  return data;
}

const palette = ["#2a6ad0", "#c62828", "#1b873f", "#b26a00", "#7b1fa2", "#00838f", "#5d4037", "#455a64"];

function renderFeatureCharts() {
  const list = ((argus.features && argus.features.models) || {})[$("m-model").value] || [];
  if (!list.length) return;
  const series = list.map((f, i) => ({ label: f.feature, stroke: palette[i % palette.length], spanGaps: true }));
  chart("chart-drift", series, featureSeries(list, "drift"));
  chart("chart-importance", series, featureSeries(list, "importance"));
}

// -- regimes and ensembles ---------------------------------------------------

const regimeColor = (name) => palette[[...name].reduce((a, c) => a + c.charCodeAt(0), 0) % palette.length];

async function refreshRegimes() {
  const [r, e] = await Promise.all([api("/api/tracking/regimes"), api("/api/tracking/ensembles")]);
  argus.regimes = r;
  argus.ensembles = e;
  $("regime-now").textContent = r.current ? r.current + " for " + fmt(r.current_duration_s, 0) + " s" : "none yet";
  const hist = r.history || [];
  const strip = $("regime-strip");
  strip.textContent = "";
  if (hist.length > 1) {
    const t0 = hist[0].time_ns, span = Math.max(1, hist[hist.length - 1].time_ns - t0);
    for (let i = 0; i < hist.length - 1; ++i) {
      const d = el("div", { title: hist[i].regime_type });
      d.style.width = (100 * (hist[i + 1].time_ns - hist[i].time_ns) / span) + "%";
      d.style.background = regimeColor(hist[i].regime_type);
      strip.append(d);
    }
  }
  if (hist.length)
    chart("chart-regime", [{ label: "confidence", stroke: "#2a6ad0" }],
      [hist.map((h) => h.time_ns / 1e9), hist.map((h) => h.regime_confidence)]);
  // Transition matrix: rows from, columns to, shaded by probability.
  const m = r.transition_matrix || {};
  const names = [...new Set([...Object.keys(r.time_share || {}), ...Object.keys(m), ...Object.values(m).flatMap((x) => Object.keys(x))])];
  const table = $("transitions");
  table.textContent = "";
  table.append(el("thead", {}, el("tr", {}, el("th", { text: "from \\ to" }), ...names.map((n) => el("th", { text: n })))));
  const tb = el("tbody");
  for (const from of names) {
    const tr = el("tr", {}, el("th", { text: from }));
    for (const to of names) {
      const p = (m[from] || {})[to] || 0;
      const td = el("td", { text: p ? fmt(p) : "" });
      td.style.background = "rgba(42,106,208," + p.toFixed(3) + ")";
      if (p > 0.5) td.style.color = "#fff";
      tr.append(td);
    }
    tb.append(tr);
  }
  table.append(tb);
  const d = $("durations").tBodies[0];
  d.textContent = "";
  for (const n of names)
    d.append(el("tr", {}, el("td", { text: n }), el("td", { text: fmt((r.mean_duration_s || {})[n], 1) }),
      el("td", { text: fmt((r.median_duration_s || {})[n], 1) }), el("td", { text: fmt(((r.time_share || {})[n] || 0) * 100, 1) + " %" })));
  renderEnsembles();
}

function renderEnsembles() {
  const all = (argus.ensembles && argus.ensembles.ensembles) || {};
  const sel = $("e-ensemble");
  const names = Object.keys(all);
  if (sel.options.length !== names.length) {
    sel.textContent = "";
    for (const n of names) sel.append(el("option", { value: n, text: n }));
  }
  const x = all[sel.value];
  if (!x) return;
  const st = x.stats || {};
  const traj = st.weight_trajectory || {};
  const models = Object.keys(traj);
  if (models.length) {
    const times = traj[models[0]].map((p) => p.time_ns / 1e9);
    chart("chart-weights", models.map((m, i) => ({ label: m, stroke: palette[i % palette.length] })),
      [times, ...models.map((m) => traj[m].map((p) => p.weight))]);
  }
  const t = $("ensemble-stats").tBodies[0];
  t.textContent = "";
  const rows = [["decisions", st.decisions], ["hit rate (final)", fmt(st.final_hit_rate, 3)], ["mean disagreement", fmt(st.mean_disagreement, 4)],
    ["vote entropy (bits)", fmt(st.mean_vote_entropy_bits, 3)], ["meta-learner overrides", fmt((st.override_rate || 0) * 100, 1) + " %"],
    ["meta-learner hit rate", fmt(st.meta_learner_hit_rate, 3)], ["agreement with final", kv(Object.fromEntries(Object.entries(st.agreement_with_final || {}).map(([k, v]) => [k, fmt(v, 3)])))]];
  for (const [k, v] of rows) t.append(el("tr", {}, el("th", { text: k }), el("td", { class: "msg", text: v ?? "–" })));
}

// -- pages ------------------------------------------------------------------

function showPage() {
  const page = (location.hash || "#overview").slice(1);
  argus.page = ["overview", "traces", "models", "regimes"].includes(page) ? page : "overview";
  for (const s of document.querySelectorAll(".page")) s.hidden = s.id !== "page-" + argus.page;
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.page === argus.page);
  document.body.dataset.page = argus.page;
  fitCharts();
  if (argus.token) refreshPage().catch(report);
}

async function refreshPage() {
  if (argus.page === "overview") await refreshLatencies();
  if (argus.page === "traces") renderTraces();
  if (argus.page === "models") await refreshModels();
  if (argus.page === "regimes") await refreshRegimes();
  document.body.dataset.loaded = argus.page;
}

async function refreshAll() {
  try {
    const [alerts, status] = await Promise.all([api("/api/ml/drift?severity=low&limit=200"), api("/api/status")]);
    // Live alerts that came before the list are newer: keep them first.
    const live = argus.alerts;
    argus.alerts = [...live, ...alerts.filter((a) => !live.some((l) => l.time_ns === a.time_ns && l.method === a.method && l.model_id === a.model_id))];
    document.body.dataset.alerts = argus.alerts.length;
    renderAlerts();
    if (!argus.status) onStatus(status);
    await refreshPage();
  } catch (e) {
    report(e);
  }
}

function report(e) {
  if (String(e.message) !== "401") console.warn("argus:", e.message || e);
}

function init() {
  const comps = ["analyst", "strategist", "tactician", "supervisor", "exchange", "database", "gui", "monitoring"];
  for (const c of comps) $("f-component").append(el("option", { value: c, text: c }));
  $("login").onsubmit = (ev) => { ev.preventDefault(); signIn($("token").value.trim()); };
  $("logout").onclick = () => signOut("");
  $("trace-filter").onsubmit = (ev) => {
    ev.preventDefault();
    argus.traces.clear();
    renderTraces();
    if (argus.ws && argus.ws.readyState === WebSocket.OPEN)
      argus.ws.send(JSON.stringify({ op: "subscribe", topic: "traces", id: "traces", filter: traceFilter() }));
  };
  $("m-model").onchange = renderFeatureCharts;
  $("e-ensemble").onchange = renderEnsembles;
  window.addEventListener("hashchange", showPage);
  window.addEventListener("resize", fitCharts);
  // Tables and charts from the API refresh every 5 s on the page in view;
  // the live topics update the rest as it happens.
  setInterval(() => { if (argus.token && argus.page !== "traces") refreshPage().catch(report); }, 5000);
  showPage();
  const saved = sessionStorage.getItem("argus.token");
  if (saved) signIn(saved);
  else signOut("");
}

document.addEventListener("DOMContentLoaded", init);
