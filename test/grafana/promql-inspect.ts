/**
 * Finds the PromQL in the generated dashboards and the rule file, substitutes Grafana's variables the way
 * Grafana does, and pulls metric names / label names out of an expression for the contract check. A small
 * lexical reader, enough for the PromQL this project writes (selectors, functions, aggregations with
 * by/without, vector matching, offsets, subqueries); it does not try to be a full parser.
 */
import { parse } from 'yaml';

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
  instant: boolean;
}

export interface VariableQuery {
  dashboard: string;
  name: string;
  query: string;
  allValue?: string;
  includeAll: boolean;
}

interface JsonPanel {
  title?: string;
  type?: string;
  panels?: JsonPanel[];
  targets?: Array<{ expr?: string; refId?: string; instant?: boolean }>;
}

export function panelsOf(dashboard: { panels?: JsonPanel[] }): JsonPanel[] {
  const out: JsonPanel[] = [];
  const visit = (ps: JsonPanel[] | undefined): void => {
    for (const p of ps ?? []) {
      out.push(p);
      visit(p.panels);
    }
  };
  visit(dashboard.panels);
  return out;
}

export function dashboardQueries(file: string, dashboard: { panels?: JsonPanel[] }): PanelQuery[] {
  return panelsOf(dashboard).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ dashboard: file, panel: p.title ?? '?', refId: t.refId ?? '?', expr: t.expr ?? '', instant: t.instant === true })),
  );
}

export function variableQueries(file: string, dashboard: { templating?: { list?: Array<Record<string, unknown>> } }): VariableQuery[] {
  return (dashboard.templating?.list ?? [])
    .filter((v) => v.type === 'query')
    .map((v) => ({
      dashboard: file,
      name: String(v.name),
      query: typeof v.query === 'string' ? v.query : String((v.query as { query?: string } | undefined)?.query ?? ''),
      ...(typeof v.allValue === 'string' ? { allValue: v.allValue } : {}),
      includeAll: v.includeAll === true,
    }));
}

export interface RuleExpr {
  group: string;
  name: string;
  expr: string;
}

export function ruleExprs(yamlText: string): RuleExpr[] {
  const doc = parse(yamlText) as { groups: Array<{ name: string; rules: Array<{ alert?: string; record?: string; expr: string }> }> };
  return doc.groups.flatMap((g) => g.rules.map((r) => ({ group: g.name, name: r.alert ?? r.record ?? '?', expr: String(r.expr) })));
}

/** Grafana's label_values(selector, label) → its parts (the only variable query form the dashboards use). */
export function parseLabelValues(query: string): { selector: string; label: string } {
  const m = /^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/s.exec(query.trim());
  if (!m?.[1] || !m[2]) throw new Error(`not a label_values() query: ${query}`);
  return { selector: m[1].trim(), label: m[2] };
}

/** Grafana's escaping of a variable value inside a regex matcher (its Prometheus datasource does the same). */
export function escapeRegex(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}]/g, '\\\\$&');
}

/** Replaces $name / ${name} with the given values (longest names first, so $__rate_interval wins over $__range). */
export function interpolate(expr: string, values: Record<string, string>): string {
  let out = expr;
  for (const name of Object.keys(values).sort((a, b) => b.length - a.length)) {
    const value = values[name] ?? '';
    out = out.split(`\${${name}}`).join(value).split(`$${name}`).join(value);
  }
  return out;
}

/** Names of Grafana variables still present ($name, ${name}), ignoring label_replace's $1 back-references. */
export function leftoverVariables(expr: string): string[] {
  return [...expr.matchAll(/\$\{?([a-zA-Z_]\w*)\}?/g)].map((m) => m[1] ?? '');
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan', 'atan2']);

export interface Selector {
  /** Metric names the selector can match (from the name or a `__name__=~"a|b"` matcher). */
  names: string[];
  /** Label names its matchers use (without __name__). */
  labels: string[];
}

function splitMatchers(body: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (c === '\\' && quoted) {
      cur += c + (body[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

export function selectorsIn(expr: string): Selector[] {
  const out: Selector[] = [];
  for (const m of expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)?\{([^{}]*)\}/g)) {
    const names: string[] = m[1] ? [m[1]] : [];
    const labels: string[] = [];
    for (const matcher of splitMatchers(m[2] ?? '')) {
      const mm = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"(.*)"$/s.exec(matcher);
      if (!mm?.[1]) throw new Error(`unreadable matcher ${JSON.stringify(matcher)} in ${expr}`);
      if (mm[1] === '__name__') names.push(...(mm[3] ?? '').split('|'));
      else labels.push(mm[1]);
    }
    out.push({ names, labels });
  }
  return out;
}

/** Every metric name the expression reads: selectors plus bare names (e.g. `up == 0`). */
export function metricNamesIn(expr: string): string[] {
  const names = new Set(selectorsIn(expr).flatMap((s) => s.names));
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^{}]*\}/g, '{}')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\boffset\s+-?\w+/g, ' ');
  // The whole name (no backtracking into `a:b:c` when a keyword follows it), not a function call.
  for (const m of bare.matchAll(/(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)) {
    const name = m[1] ?? '';
    if (!KEYWORDS.has(name)) names.add(name);
  }
  // A name directly followed by `{` was captured by selectorsIn already; `name(` is a function.
  return [...names];
}

/** Labels named in by / without / on / ignoring / group_left / group_right clauses. */
export function groupingLabelsIn(expr: string): string[] {
  const out = new Set<string>();
  for (const m of expr.matchAll(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g)) {
    for (const l of (m[2] ?? '').split(',')) if (l.trim() !== '') out.add(l.trim());
  }
  return [...out];
}

/** Labels an expression creates with label_replace(v, "dst", "replacement", "src", "regex"). */
export function createdLabelsIn(expr: string): string[] {
  return [...expr.matchAll(/"([a-zA-Z_][a-zA-Z0-9_]*)",\s*"[^"]*",\s*"[a-zA-Z0-9_]*",\s*"[^"]*"\s*\)/g)].map((m) => m[1] ?? '');
}

/** Source labels of label_replace calls (must exist like any other label). */
export function labelReplaceSourcesIn(expr: string): string[] {
  return [...expr.matchAll(/"[a-zA-Z_][a-zA-Z0-9_]*",\s*"[^"]*",\s*"([a-zA-Z0-9_]*)",\s*"[^"]*"\s*\)/g)].map((m) => m[1] ?? '').filter((l) => l !== '');
}
