/**
 * The trace view's browser script (served as /ui/app.js): plain DOM + SVG, no library, no build step. It reads the
 * ingest's JSON query API with the key from the page URL and polls it (one request at a time, every 2 s while the
 * tab is visible, backing off on failures). Values are only ever set with textContent / setAttribute.
 *
 * Agents: a span's agent is its own `gen_ai.agent.name`, else its parent's when the parent is in the same service
 * (an agent does not cross a process boundary by inheritance). The agent graph has an edge B → A for each span
 * named for agent A whose nearest agent above it is B; it is a message hop when that span processes a message
 * (`messaging.operation.type` = process, OTel messaging semconv), a call otherwise.
 */
import { nodeFrameText } from '../stack-frame.js';

export const APP_JS = String.raw`(function () {
'use strict';
var KEY = new URLSearchParams(location.search).get('sentry_key') || '';
var POLL_MS = 2000;
var ROW_H = 24;
var OVERSCAN = 15;
var MAX_LIST_ROWS = 500;
var MAX_ATTR_CHARS = 4000;
var AGENT = 'gen_ai.agent.name';
var MODEL = 'gen_ai.request.model';
var MSG_OP = 'messaging.operation.type';
var GENAI_FIELDS = ['gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.request.model', 'gen_ai.response.model',
  'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.reasoning.output_tokens', 'gen_ai.response.finish_reasons'];

var app = document.getElementById('app');
var live = document.querySelector('[data-testid=live]');
var state = { view: '', traceId: '', filters: { agent: '', model: '', errors: false }, listSig: '', traceSig: '',
  model: null, selected: '', timer: 0, failures: 0, generation: 0 };

// ---- helpers ----
function h(tag, props, children) {
  var el = document.createElement(tag);
  if (props) for (var k in props) {
    var v = props[k];
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else if (k === 'onclick' || k === 'onchange' || k === 'onscroll') el[k] = v;
    else if (k === 'style') for (var s in v) el.style.setProperty(s, v[s]);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  if (children) for (var i = 0; i < children.length; i++) {
    var c = children[i];
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}
var SVGNS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, children) {
  var el = document.createElementNS(SVGNS, tag);
  // styles through the CSSOM: a style attribute would be refused by the page's CSP (style-src 'self')
  for (var k in attrs) if (attrs[k] !== undefined) { if (k === 'style') for (var s in attrs.style) el.style.setProperty(s, attrs.style[s]); else el.setAttribute(k, String(attrs[k])); }
  if (children) children.forEach(function (c) { el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
  return el;
}
function api(path) {
  return fetch(path, { headers: { 'X-Sentry-Auth': 'Sentry sentry_version=7, sentry_key=' + KEY }, cache: 'no-store' })
    .then(function (r) {
      if (r.status === 404) return null;
      if (!r.ok) return r.text().then(function (t) { throw new Error('HTTP ' + r.status + ' ' + t.slice(0, 200)); });
      return r.json();
    });
}
function fmtMs(ms) {
  if (!(ms >= 0)) return '–';
  if (ms < 1) return ms.toFixed(2) + ' ms';
  if (ms < 1000) return (ms < 10 ? ms.toFixed(1) : Math.round(ms)) + ' ms';
  return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
}
function fmtTime(ms) { return ms ? new Date(ms).toLocaleTimeString() + '.' + String(Math.floor(ms % 1000)).padStart(3, '0') : '–'; }
// distinct colours in order of first use, so a trace's few services never look alike
var PALETTE = ['#6c5fc7', '#2ba185', '#e9842c', '#3c74dd', '#d1396e', '#8d6e1f', '#1f9bb5', '#9b49b8', '#5b8c2a', '#c2453a'];
var colours = new Map();
function color(name) {
  if (!colours.has(name)) colours.set(name, PALETTE[colours.size % PALETTE.length]);
  return colours.get(name);
}
function chip(name) { return h('span', { class: 'chip', style: { background: color(name) } }); }
function str(v) {
  var s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > MAX_ATTR_CHARS ? s.slice(0, MAX_ATTR_CHARS) + '… (' + s.length + ' chars)' : s;
}
function badge(text, cls, title) { return h('span', { class: 'badge ' + (cls || ''), title: title, 'data-testid': 'badge' }, [text]); }
/** The terminal waterfall's ⚠ lines (Sentry-visible mismatches, GET /api/problems) plus spans whose parent has not arrived. */
function problemBadge(problems, missingParents) {
  var n = problems.length + missingParents;
  if (n === 0) return null;
  var codes = Array.from(new Set(problems.map(function (p) { return p.code; })));
  if (missingParents) codes.push(missingParents + ' span(s) whose parent has not arrived');
  return badge(n + ' problem' + (n > 1 ? 's' : ''), 'problem', codes.join(', '));
}
function kvTable(entries, testid) {
  return h('table', { class: 'kv' }, [h('tbody', null, entries.map(function (e) {
    return h('tr', { 'data-testid': testid, 'data-key': e[0] }, [h('td', { text: e[0] }), h('td', { text: str(e[1]) })]);
  }))]);
}
function setLive(ok, text) { live.textContent = text; live.className = ok ? 'live' : 'live down'; }

// ---- polling: one request chain at a time ----
function schedule(delay) {
  clearTimeout(state.timer);
  state.timer = setTimeout(tick, delay);
}
function tick() {
  if (document.hidden) return schedule(POLL_MS);
  var gen = state.generation;
  var work = state.view === 'trace' ? refreshTrace() : refreshList();
  work.then(function () {
    state.failures = 0;
    setLive(true, 'live · updated ' + new Date().toLocaleTimeString());
  }, function (err) {
    state.failures = Math.min(state.failures + 1, 4);
    setLive(false, 'ingest unreachable: ' + err.message);
  }).then(function () { if (gen === state.generation) schedule(POLL_MS * Math.pow(2, state.failures)); });
}
document.addEventListener('visibilitychange', function () { if (!document.hidden) schedule(0); });

// ---- routing ----
function route() {
  state.generation++;
  var m = /^#\/trace\/([0-9a-fA-F]{1,64})$/.exec(location.hash);
  state.view = m ? 'trace' : 'list';
  state.traceId = m ? m[1].toLowerCase() : '';
  state.listSig = state.traceSig = '';
  state.model = null;
  state.selected = '';
  app.textContent = '';
  app.appendChild(h('p', { class: 'muted', text: 'Loading…' }));
  schedule(0);
}
window.addEventListener('hashchange', route);

// ---- trace list ----
function refreshList() {
  return Promise.all([api('/api/traces'), api('/api/events'), api('/api/problems')]).then(function (res) {
    var traces = res[0] || [], events = res[1] || [], problems = res[2] || {};
    var sig = JSON.stringify([traces.map(function (t) { return [t.traceId, t.spanCount, t.eventCount, t.lastReceivedAt]; }), events.length]);
    if (state.view !== 'list' || sig === state.listSig) return;
    state.listSig = sig;
    renderList(traces, events, problems);
  });
}
function renderList(traces, events, problems) {
  var known = new Set(traces.map(function (t) { return t.traceId; }));
  // error events whose trace sent no spans (not sampled, or spans still on the way)
  var unsampled = new Map();
  events.forEach(function (e) {
    if (!e.trace_id || known.has(e.trace_id)) return;
    var u = unsampled.get(e.trace_id) || { traceId: e.trace_id, unsampled: true, rootName: (e.type || 'event') + ': ' + (e.value || e.message || ''),
      agents: [], models: [], services: [], spanCount: 0, errorCount: 0, eventCount: 0, durationMs: 0, startMs: (e.timestamp || 0) * 1000, missingParents: 0 };
    u.eventCount++;
    if (e.tags && e.tags.agent && u.agents.indexOf(e.tags.agent) < 0) u.agents.push(e.tags.agent);
    if (e.tags && e.tags.model && u.models.indexOf(e.tags.model) < 0) u.models.push(e.tags.model);
    unsampled.set(e.trace_id, u);
  });
  var rows = traces.concat(Array.from(unsampled.values())).sort(function (a, b) { return (b.startMs || 0) - (a.startMs || 0); });
  var agents = new Set(), models = new Set();
  rows.forEach(function (t) { (t.agents || []).forEach(function (a) { agents.add(a); }); (t.models || []).forEach(function (m) { models.add(m); }); });
  var f = state.filters;
  var shown = rows.filter(function (t) {
    return (!f.agent || (t.agents || []).indexOf(f.agent) >= 0) && (!f.model || (t.models || []).indexOf(f.model) >= 0) &&
      (!f.errors || t.errorCount + t.eventCount > 0);
  });
  function select(name, values, label) {
    var sel = h('select', { 'data-testid': 'filter-' + name, onchange: function () { f[name] = sel.value; state.listSig = ''; schedule(0); } },
      [h('option', { value: '', text: 'any ' + label })].concat(Array.from(values).sort().map(function (v) { return h('option', { value: v, text: v }); })));
    sel.value = f[name];
    return h('label', null, [label + ' ', sel]);
  }
  var errBox = h('input', { type: 'checkbox', 'data-testid': 'filter-errors', onchange: function () { f.errors = errBox.checked; state.listSig = ''; schedule(0); } });
  errBox.checked = f.errors;
  var body = h('tbody', null, shown.slice(0, MAX_LIST_ROWS).map(function (t) {
    var errors = t.errorCount + t.eventCount;
    return h('tr', { 'data-testid': 'trace-row', 'data-trace-id': t.traceId, onclick: function () { location.hash = '#/trace/' + t.traceId; } }, [
      h('td', null, [h('a', { href: '#/trace/' + t.traceId, 'data-testid': 'trace-link', text: t.rootName || '(no root span yet)' }), h('div', { class: 'muted mono', text: t.traceId })]),
      h('td', { 'data-testid': 'trace-agents' }, (t.agents.length ? t.agents : t.services).map(function (a) { return h('span', { style: { 'margin-right': '8px' } }, [chip(a), a]); })),
      h('td', { 'data-testid': 'trace-start', 'data-ms': t.startMs, text: fmtTime(t.startMs) }),
      h('td', { class: 'num', 'data-testid': 'trace-duration', 'data-ms': t.unsampled ? undefined : t.durationMs, text: t.unsampled ? '–' : fmtMs(t.durationMs) }),
      h('td', { class: 'num', 'data-testid': 'trace-spans', text: String(t.spanCount) }),
      h('td', { class: 'num', 'data-testid': 'trace-errors', text: String(errors) }),
      h('td', null, [
        t.unsampled ? badge('not sampled', 'unsampled', 'error events arrived for this trace, but no spans') : badge('sampled', '', 'spans arrived'),
        errors > 0 ? badge(errors + ' error' + (errors > 1 ? 's' : ''), 'error', t.errorCount + ' span(s) with ERROR status, ' + t.eventCount + ' error event(s)') : null,
        problemBadge(problems[t.traceId] || [], t.missingParents || 0),
      ]),
    ]);
  }));
  app.textContent = '';
  app.appendChild(h('h1', { text: 'Traces' }));
  app.appendChild(h('div', { class: 'filters' }, [select('agent', agents, 'agent'), select('model', models, 'model'),
    h('label', null, [errBox, ' with errors only']),
    h('span', { class: 'muted', 'data-testid': 'trace-count', text: shown.length + ' of ' + rows.length + ' traces' + (shown.length > MAX_LIST_ROWS ? ' (first ' + MAX_LIST_ROWS + ' shown)' : '') })]));
  app.appendChild(rows.length === 0 ? h('p', { class: 'note', text: 'No traces yet: point SENTRY_DSN at this ingest and run an app with the bridge preloaded.' }) :
    h('table', { class: 'traces' }, [h('thead', null, [h('tr', null, ['Trace', 'Agents', 'Start', 'Duration', 'Spans', 'Errors', ''].map(function (t, i) {
      return h('th', { class: i >= 3 && i <= 5 ? 'num' : '', text: t });
    }))]), body]));
}

// ---- one trace ----
function refreshTrace() {
  var id = state.traceId;
  return api('/api/traces').then(function (list) {
    var s = (list || []).filter(function (t) { return t.traceId === id; })[0];
    var sig = s ? [s.spanCount, s.eventCount, s.lastReceivedAt].join('/') : 'none';
    if (sig === state.traceSig && sig !== 'none') return;
    return Promise.all([s ? api('/api/traces/' + id) : null, api('/api/events?trace_id=' + id)]).then(function (res) {
      if (state.view !== 'trace' || state.traceId !== id) return;
      var trace = res[0] || { traceId: id, spans: [], events: [], services: [], spanCount: 0, errorCount: 0, durationMs: 0, agents: [] };
      trace.events = res[1] || trace.events || [];
      var next = trace.spanCount + '/' + trace.events.length + '/' + (trace.lastReceivedAt || 0);
      if (next === state.traceSig) return;
      state.traceSig = s ? sig : next;
      renderTrace(buildModel(trace));
    });
  });
}

function buildModel(trace) {
  var spans = trace.spans, n = spans.length;
  var index = new Map();
  spans.forEach(function (s, i) { index.set(s.spanId, i); });
  var agentOf = new Array(n), above = new Array(n), parentIx = new Array(n), hop = new Array(n);
  var edges = new Map(), nodes = new Map();
  for (var i = 0; i < n; i++) {
    var s = spans[i];
    var p = s.parent ? index.get(s.parent.spanId) : undefined;
    // depth-first order puts parents first; anything else (a cycle) is treated as a root
    if (p !== undefined && p >= i) p = undefined;
    parentIx[i] = p;
    var own = typeof s.attributes[AGENT] === 'string' ? s.attributes[AGENT] : '';
    var ps = p !== undefined ? spans[p] : null;
    agentOf[i] = own || (ps && ps.service === s.service ? agentOf[p] : '');
    above[i] = p === undefined ? '' : agentOf[p] || above[p];
    hop[i] = ps && ps.service !== s.service ? { from: ps.service, kind: isMessage(s) ? 'message' : 'call' } : null;
    var a = agentOf[i];
    if (a) {
      var node = nodes.get(a) || { name: a, spans: 0, ms: 0, services: new Set() };
      node.spans++;
      node.services.add(s.service);
      if (own && above[i] !== a) node.ms += s.durationMs;
      nodes.set(a, node);
    }
    if (own && above[i] && above[i] !== own) {
      var kind = isMessage(s) ? 'message' : 'call';
      var key = above[i] + '\u0000' + own + '\u0000' + kind;
      var e = edges.get(key) || { from: above[i], to: own, kind: kind, count: 0, ms: 0 };
      e.count++;
      e.ms += s.durationMs;
      edges.set(key, e);
    }
  }
  var bySpan = new Map();
  (trace.events || []).forEach(function (ev) {
    if (!ev.span_id) return;
    var list = bySpan.get(ev.span_id) || [];
    list.push(ev);
    bySpan.set(ev.span_id, list);
  });
  var t0 = Infinity, t1 = -Infinity;
  spans.forEach(function (s) { t0 = Math.min(t0, s.startMs); t1 = Math.max(t1, s.startMs + s.durationMs); });
  return { trace: trace, spans: spans, index: index, agentOf: agentOf, parentIx: parentIx, hop: hop, eventsBySpan: bySpan,
    nodes: Array.from(nodes.values()), edges: Array.from(edges.values()), total: n ? Math.max(t1 - t0, 0.001) : 1 };
}
function isMessage(s) { return s.attributes[MSG_OP] === 'process' || s.attributes[MSG_OP] === 'receive' || s.kind === 'consumer'; }

function renderTrace(model) {
  var trace = model.trace;
  var keepScroll = state.model && document.querySelector('.wf-scroll') ? document.querySelector('.wf-scroll').scrollTop : 0;
  state.model = model;
  app.textContent = '';
  app.appendChild(h('a', { href: '#/', 'data-testid': 'back', text: '← all traces' }));
  app.appendChild(h('h1', { 'data-testid': 'trace-title', text: trace.rootName || (model.spans.length ? model.spans[0].name : 'Trace without spans') }));
  app.appendChild(h('div', { class: 'meta' }, [
    h('span', { class: 'mono', text: trace.traceId }),
    h('span', { text: fmtMs(trace.durationMs) }),
    h('span', { text: trace.spanCount + ' spans' }),
    h('span', { text: (trace.services || []).length + ' services' }),
    h('span', { text: trace.errorCount + ' error spans, ' + trace.events.length + ' error events' }),
    trace.startMs ? h('span', { text: new Date(trace.startMs).toISOString() }) : null,
    trace.missingParents > 0 ? badge(trace.missingParents + ' span(s) missing their parent', 'problem') : null,
  ]));
  if (model.spans.length === 0) app.appendChild(h('p', { class: 'note', text: 'No spans received for this trace: it was not sampled, or its spans have not arrived yet.' }));

  var left = h('div', null, [
    h('h2', { text: 'Agent graph' }), agentGraph(model),
    h('h2', { text: 'Waterfall' }), waterfall(model, keepScroll),
    h('h2', { text: 'Errors' }), errorList(model),
    h('h2', { text: 'Problems' }), problemList(model),
  ]);
  var detail = h('aside', { class: 'panel detail', 'data-testid': 'detail' }, [h('p', { class: 'muted', text: 'Click a span to see its attributes.' })]);
  app.appendChild(h('div', { class: 'layout' }, [left, detail]));
  if (state.selected && model.index.has(state.selected)) showDetail(state.selected);
}

function agentGraph(model) {
  if (model.nodes.length === 0) return h('div', { class: 'panel graph note', 'data-testid': 'agent-graph', text: 'No spans with gen_ai.agent.name in this trace.' });
  // columns by call depth: an agent goes one column right of its first caller
  var level = new Map(), incoming = new Set(model.edges.map(function (e) { return e.to; }));
  var queue = model.nodes.filter(function (n) { return !incoming.has(n.name); }).map(function (n) { return n.name; });
  if (queue.length === 0) queue = [model.nodes[0].name];
  queue.forEach(function (n) { level.set(n, 0); });
  for (var q = 0; q < queue.length; q++) {
    model.edges.forEach(function (e) {
      if (e.from === queue[q] && !level.has(e.to)) { level.set(e.to, level.get(e.from) + 1); queue.push(e.to); }
    });
  }
  model.nodes.forEach(function (n) { if (!level.has(n.name)) level.set(n.name, 0); });
  var W = 200, H = 46, GX = 80, GY = 34, rows = new Map(), pos = new Map();
  model.nodes.forEach(function (n) {
    var l = level.get(n.name), r = rows.get(l) || 0;
    rows.set(l, r + 1);
    pos.set(n.name, { x: 10 + l * (W + GX), y: 10 + r * (H + GY) });
  });
  var maxX = 0, maxY = 0;
  pos.forEach(function (p) { maxX = Math.max(maxX, p.x + W); maxY = Math.max(maxY, p.y + H); });
  var root = svg('svg', { width: maxX + 10, height: maxY + 20, role: 'img', 'aria-label': 'agent graph' }, [
    svg('defs', {}, [svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      [svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#8a83b5' })])]),
  ]);
  var pairs = new Map();
  model.edges.forEach(function (e) {
    var a = pos.get(e.from), b = pos.get(e.to);
    var k = [e.from, e.to].sort().join('\u0000'), nth = pairs.get(k) || 0;
    pairs.set(k, nth + 1);
    var bend = (nth % 2 ? -1 : 1) * (18 + 14 * nth);
    var x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
    if (b.x <= a.x) { x1 = a.x + W / 2; y1 = a.y + H; x2 = b.x + W / 2; y2 = b.y; if (b.y < a.y) { y1 = a.y; y2 = b.y + H; } }
    var mx = (x1 + x2) / 2 + (y1 === y2 ? 0 : bend), my = (y1 + y2) / 2 + (y1 === y2 ? bend : 0);
    root.appendChild(svg('g', { class: 'edge ' + e.kind, 'data-testid': 'graph-edge', 'data-from': e.from, 'data-to': e.to, 'data-kind': e.kind, 'data-count': e.count, 'data-ms': e.ms }, [
      svg('title', {}, [e.from + ' → ' + e.to + ' (' + e.kind + '): ' + e.count + '×, ' + fmtMs(e.ms) + ' in total']),
      svg('path', { d: 'M' + x1 + ',' + y1 + ' Q' + mx + ',' + my + ' ' + x2 + ',' + y2, 'marker-end': 'url(#arrow)' }),
      svg('text', { x: (x1 + 2 * mx + x2) / 4, y: (y1 + 2 * my + y2) / 4 - 4, 'text-anchor': 'middle' },
        [(e.kind === 'message' ? '✉ ' : '') + e.count + '× · ' + fmtMs(e.ms)]),
    ]));
  });
  model.nodes.forEach(function (n) {
    var p = pos.get(n.name);
    root.appendChild(svg('g', { class: 'node', 'data-testid': 'graph-node', 'data-agent': n.name, transform: 'translate(' + p.x + ',' + p.y + ')' }, [
      svg('rect', { width: W, height: H, rx: 6, style: { stroke: color(n.name) } }),
      svg('text', { x: 10, y: 18, 'font-weight': 600 }, [n.name]),
      svg('text', { x: 10, y: 35, fill: '#6e6c7e' }, [n.spans + ' spans · ' + fmtMs(n.ms) + ' · ' + Array.from(n.services).join(', ')]),
    ]));
  });
  return h('div', { class: 'panel graph', 'data-testid': 'agent-graph' }, [root]);
}

function waterfall(model, keepScroll) {
  var n = model.spans.length, total = model.total;
  var t0 = n ? model.spans.reduce(function (m, s) { return Math.min(m, s.startMs); }, Infinity) : 0;
  var axis = h('div', { class: 'wf-axis' }, [0, 0.25, 0.5, 0.75, 1].map(function (f) {
    return h('span', { style: { left: (f * 96 + 2) + '%', transform: f === 1 ? 'translateX(-100%)' : 'translateX(-50%)' }, text: fmtMs(f * total) });
  }));
  var inner = h('div', { style: { height: n * ROW_H + 'px', position: 'relative' } });
  var scroller = h('div', { class: 'wf-scroll', 'data-testid': 'waterfall', 'data-span-count': n }, [inner]);
  var drawn = [-1, -1], pending = false;
  function draw() {
    pending = false;
    var top = scroller.scrollTop, height = scroller.clientHeight || 620;
    var from = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN), to = Math.min(n, Math.ceil((top + height) / ROW_H) + OVERSCAN);
    if (from === drawn[0] && to === drawn[1]) return;
    drawn = [from, to];
    inner.textContent = '';
    for (var i = from; i < to; i++) inner.appendChild(row(model, i, t0, total));
  }
  scroller.onscroll = function () { if (!pending) { pending = true; requestAnimationFrame(draw); } };
  scroller.redraw = function () { drawn = [-1, -1]; draw(); };
  requestAnimationFrame(function () { scroller.scrollTop = keepScroll || 0; draw(); });
  draw();
  var legend = h('div', { class: 'muted', style: { padding: '4px 6px' } }, (model.trace.services || []).map(function (s) { return h('span', { style: { 'margin-right': '12px' } }, [chip(s), s]); })
    .concat([h('span', { text: '▎ coloured edge = hop from another service (✉ message, ↘ call)' })]));
  return h('div', { class: 'panel' }, [legend, h('div', { class: 'wf-head' }, [h('div', { style: { padding: '3px 6px' }, text: 'span · agent' }), axis]), scroller]);
}

function row(model, i, t0, total) {
  var s = model.spans[i], hop = model.hop[i], events = model.eventsBySpan.get(s.spanId);
  var isErr = s.status.code === 'error' || !!events;
  var depth = Math.min(s.depth, 40);
  var left = ((s.startMs - t0) / total) * 96 + 2, width = Math.max((s.durationMs / total) * 96, 0.15);
  var el = h('div', {
    class: 'wf-row' + (hop ? ' hop' : '') + (state.selected === s.spanId ? ' selected' : ''),
    style: { top: i * ROW_H + 'px', '--hop': hop ? color(hop.from) : '' },
    'data-testid': 'span-row', 'data-span-id': s.spanId, 'data-service': s.service, 'data-depth': s.depth, 'data-index': i,
    'data-agent': model.agentOf[i] || '', title: s.name + ' · ' + s.service,
    onclick: function () { select(s.spanId); },
  }, [
    h('div', { class: 'wf-name', style: { 'padding-left': 6 + depth * 14 + 'px' } }, [
      isErr ? h('span', { class: 'errmark', title: events ? events.length + ' error event(s) from this span' : 'ERROR status', text: '!' }) : null,
      chip(s.service),
      h('span', { 'data-testid': 'span-name', text: s.name }),
      typeof s.attributes[AGENT] === 'string' ? h('span', { class: 'agent', text: s.attributes[AGENT] }) : null,
      hop ? h('span', { class: 'hopmark', 'data-testid': 'hop', 'data-kind': hop.kind, text: (hop.kind === 'message' ? '✉ message from ' : '↘ call from ') + hop.from }) : null,
      s.parentMissing ? h('span', { class: 'hopmark', text: '⚠ parent not received' }) : null,
    ]),
    h('div', { class: 'wf-bar-cell' }, [
      h('div', { class: 'wf-bar' + (isErr ? ' error' : ''), style: { left: left + '%', width: width + '%', background: color(s.service) } }),
      h('div', { class: 'wf-dur', style: left + width > 80 ? { right: (100 - left + 0.5) + '%' } : { left: (left + width + 0.5) + '%' }, text: fmtMs(s.durationMs) }),
    ]),
  ]);
  return el;
}

function select(spanId) {
  state.selected = spanId;
  var model = state.model, i = model.index.get(spanId);
  var scroller = document.querySelector('.wf-scroll');
  if (scroller && i !== undefined) {
    var top = i * ROW_H;
    if (top < scroller.scrollTop || top > scroller.scrollTop + scroller.clientHeight - ROW_H) scroller.scrollTop = Math.max(0, top - 3 * ROW_H);
    scroller.redraw();
  }
  showDetail(spanId);
}

function showDetail(spanId) {
  var model = state.model, i = model.index.get(spanId), panel = document.querySelector('[data-testid=detail]');
  if (i === undefined || !panel) return;
  var s = model.spans[i], a = s.attributes;
  var t0 = model.spans.reduce(function (m, x) { return Math.min(m, x.startMs); }, Infinity);
  var parent = s.parent ? s.parent.name + ' · ' + s.parent.service : s.parentSpanId ? 'not received (' + s.parentSpanId + ')' : '(root)';
  var genai = GENAI_FIELDS.filter(function (k) { return a[k] !== undefined; }).map(function (k) { return [k, a[k]]; });
  var inTok = Number(a['gen_ai.usage.input_tokens']), outTok = Number(a['gen_ai.usage.output_tokens']);
  if (inTok >= 0 && outTok >= 0) genai.push(['total tokens', inTok + outTok]);
  var children = [
    h('h3', { 'data-testid': 'detail-name', text: s.name }),
    kvTable([['service', s.service], ['agent', model.agentOf[i] || '–'], ['kind', s.kind],
      ['status', s.status.code + (s.status.message ? ': ' + s.status.message : '')], ['duration', fmtMs(s.durationMs)],
      ['start', new Date(s.startMs).toISOString() + ' (+' + fmtMs(s.startMs - t0) + ')'], ['span id', s.spanId], ['parent', parent],
      ['source', s.source]].concat(s.scope ? [['scope', s.scope.name + (s.scope.version ? '@' + s.scope.version : '')]] : []), 'summary'),
  ];
  if (genai.length) children.push(h('h4', { text: 'GenAI' }), kvTable(genai, 'genai'));
  var errs = model.eventsBySpan.get(s.spanId);
  if (errs) children.push(h('h4', { text: 'Error events from this span' }), h('div', null, errs.map(function (e) { return eventBox(e, false); })));
  children.push(h('h4', { text: 'Attributes' }), kvTable(Object.keys(a).sort().map(function (k) { return [k, a[k]]; }), 'attr'));
  if (s.events.length) {
    children.push(h('h4', { text: 'Events' }));
    s.events.forEach(function (ev) {
      var at = Number(BigInt(ev.timeUnixNano) / 1000n) / 1000 - s.startMs;
      children.push(h('div', { 'data-testid': 'span-event' }, [h('strong', { text: ev.name }), h('span', { class: 'muted', text: ' +' + fmtMs(at) }),
        kvTable(Object.keys(ev.attributes).sort().filter(function (k) { return k !== 'exception.stacktrace'; }).map(function (k) { return [k, ev.attributes[k]]; }), 'event-attr'),
        ev.attributes['exception.stacktrace'] ? h('pre', { text: String(ev.attributes['exception.stacktrace']) }) : null]));
    });
  }
  if (s.links.length) children.push(h('h4', { text: 'Links' }), kvTable(s.links.map(function (l) { return [l.traceId, l.spanId]; }), 'link'));
  children.push(h('details', null, [h('summary', { text: 'Resource' }), kvTable(Object.keys(s.resource).sort().map(function (k) { return [k, s.resource[k]]; }), 'resource')]));
  panel.textContent = '';
  children.forEach(function (c) { panel.appendChild(c); });
}

/** Sentry frames are oldest first; print newest first, the way Node prints a stack ("at fn (file:line:col)"). */
function stackText(exc) {
  var lines = [(exc.type || 'Error') + ': ' + (exc.value || '')];
  (exc.frames || []).slice().reverse().forEach(function (f) { lines.push('    ' + nodeFrameText(f)); });
  return lines.join('\n');
}

// the terminal waterfall's frame printer, embedded: one rule for both (../stack-frame.ts)
${nodeFrameText.toString()}

function eventBox(e, withLink) {
  var model = state.model, i = e.span_id ? model.index.get(e.span_id) : undefined;
  var excs = e.exceptions && e.exceptions.length ? e.exceptions : [{ type: e.type, value: e.value || e.message, frames: e.frames }];
  var tags = Object.keys(e.tags || {}).sort().map(function (k) { return k + '=' + e.tags[k]; }).join('  ');
  return h('div', { class: 'event', 'data-testid': 'error-event', 'data-event-id': e.event_id, 'data-span-id': e.span_id || '' }, [
    h('div', { class: 'title', text: (e.type || e.level || 'event') + ': ' + (e.value || e.message || '') }),
    withLink ? h('div', null, i !== undefined ?
      ['from span ', h('button', { class: 'link', 'data-testid': 'error-span-link', 'data-span-id': e.span_id, onclick: function () { select(e.span_id); }, text: model.spans[i].name + ' · ' + model.spans[i].service })] :
      [h('span', { class: 'muted', text: e.span_id ? 'from span ' + e.span_id + ' (not received)' : 'not linked to a span' })]) : null,
    tags ? h('div', { class: 'muted mono', text: tags }) : null,
    h('pre', { 'data-testid': 'stack', text: excs.map(stackText).join('\n\ncaused\n') }),
  ]);
}

/** What Sentry would see differently from what was sent, as the terminal waterfall's ⚠ lines (../problems.ts). */
function problemList(model) {
  var problems = model.trace.problems || [];
  if (problems.length === 0) return h('p', { class: 'note', 'data-testid': 'no-problems', text: 'No problems found in this trace.' });
  return h('ul', { class: 'panel', 'data-testid': 'problems' }, problems.map(function (p) {
    var at = p.spanId && model.index.has(p.spanId);
    return h('li', { 'data-testid': 'problem', 'data-code': p.code, 'data-span-id': p.spanId || '' }, [
      h('strong', { text: '⚠ ' + p.code }), ': ' + p.message + ' ',
      at ? h('button', { class: 'link', onclick: function () { select(p.spanId); }, text: 'show span' }) : null,
    ]);
  }));
}

function errorList(model) {
  var events = model.trace.events || [];
  if (events.length === 0) return h('p', { class: 'note', 'data-testid': 'no-errors', text: 'No error events in this trace.' });
  return h('div', { class: 'panel', 'data-testid': 'errors' }, events.map(function (e) { return eventBox(e, true); }));
}

if (!KEY) setLive(false, 'no sentry_key in the page URL');
route();
})();
`;
