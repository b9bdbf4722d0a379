/**
 * A trace as a terminal waterfall: a header, a time scale, one line per span (service, name indented by depth,
 * a bar placed and scaled within the trace, duration, ✖ on ERROR spans), the trace's error events under it and its
 * problems (⚠, ./problems.ts).
 * Pure: the same trace and width give the same text (golden-tested). Colour only when asked (a TTY).
 */
import { nodeFrameText } from './stack-frame.js';
import type { IngestEvent, ResolvedSpan, TraceDetail } from './types.js';

export interface WaterfallOptions {
  /** Total line width, clamped to 60–200. Default 100. */
  width?: number;
  /** ANSI colours (red errors, dim services). Default false. */
  color?: boolean;
}

const ERROR_MARK = '✖';
const FILL = '█';
const MAX_INDENT_DEPTH = 8;
const MAX_FRAMES = 3;
const MAX_PROBLEMS = 5;
const PROBLEM_MARK = '⚠';

export function renderWaterfall(trace: TraceDetail, events: IngestEvent[] = trace.events, options: WaterfallOptions = {}): string {
  const width = Math.max(60, Math.min(200, Math.floor(options.width ?? 100)));
  const paint = painter(options.color === true);
  const spans = trace.spans;
  const total = traceDuration(spans);

  const serviceWidth = spans.reduce((max, span) => Math.max(max, Math.min(16, clean(span.service).length)), 6);
  const durationWidth = 10;
  const markWidth = 2;
  const barWidth = Math.max(10, Math.min(40, Math.floor(width * 0.3)));
  const nameWidth = width - serviceWidth - barWidth - durationWidth - markWidth - 4;

  const lines: string[] = [];
  const errorWord = trace.errorCount === 1 ? 'error' : 'errors';
  const header = `── trace ${trace.traceId} · ${plural(spans.length, 'span')} · ${plural(trace.services.length, 'service')} · ${trace.errorCount} ${errorWord} · ${formatMs(total)} `;
  lines.push(paint.bold(fit(header, width).padEnd(width, '─')));

  if (spans.length > 0) {
    const scaleLabel = formatMs(total);
    const scale = `0${' '.repeat(Math.max(1, barWidth - 1 - scaleLabel.length))}${scaleLabel}`;
    lines.push(`${' '.repeat(serviceWidth + nameWidth + 2)}│${fit(scale, barWidth).padEnd(barWidth)}│`);
  }

  for (const span of spans) {
    const isError = span.status.code === 'error';
    const indent = '  '.repeat(Math.min(span.depth, MAX_INDENT_DEPTH));
    const name = fit(indent + (clean(span.name) || '(unnamed)'), nameWidth).padEnd(nameWidth);
    const service = fit(clean(span.service), serviceWidth).padEnd(serviceWidth);
    const bar = renderBar(span, total, barWidth);
    const duration = formatMs(span.durationMs).padStart(durationWidth);
    const mark = isError ? ` ${ERROR_MARK}` : '  ';
    const line = `${paint.dim(service)} ${name} │${isError ? paint.red(bar) : bar}│${duration}${isError ? paint.red(mark) : mark}`;
    lines.push(line.trimEnd());
  }

  const spanById = new Map(spans.map((span) => [span.spanId, span]));
  for (const event of events) lines.push(...renderEvent(event, spanById, width, paint));
  const problems = trace.problems ?? [];
  for (const problem of problems.slice(0, MAX_PROBLEMS)) lines.push(paint.yellow(fit(`  ${PROBLEM_MARK} ${clean(problem.code)}: ${clean(problem.message)}`, width)));
  if (problems.length > MAX_PROBLEMS) lines.push(paint.yellow(fit(`  ${PROBLEM_MARK} … ${problems.length - MAX_PROBLEMS} more problems (GET /api/problems?trace_id=${trace.traceId})`, width)));
  return lines.join('\n');
}

function renderBar(span: ResolvedSpan, total: number, width: number): string {
  const scale = total > 0 ? width / total : 0;
  let start = Math.floor(span.offsetMs * scale);
  let end = Math.ceil((span.offsetMs + span.durationMs) * scale);
  start = Math.max(0, Math.min(width - 1, start));
  end = Math.max(start + 1, Math.min(width, end));
  return ' '.repeat(start) + FILL.repeat(end - start) + ' '.repeat(width - end);
}

function renderEvent(event: IngestEvent, spans: Map<string, ResolvedSpan>, width: number, paint: Painter): string[] {
  const isError = event.type !== undefined || event.level === undefined || event.level === 'error' || event.level === 'fatal';
  const title = event.type !== undefined ? `${event.type}: ${event.value ?? ''}` : (event.message ?? '(event without message)');
  const lines = [paint.red(fit(`  ${isError ? ERROR_MARK : '•'} ${clean(title)}`, width))];
  const span = event.span_id !== undefined ? spans.get(event.span_id) : undefined;
  const where = [
    span ? `${clean(span.service)} › ${clean(span.name)}` : undefined,
    event.span_id !== undefined ? `span ${clean(event.span_id)}` : 'no span',
    `event ${clean(event.event_id).slice(0, 12)}`,
  ].filter((part) => part !== undefined);
  lines.push(fit(`      ${where.join(' · ')}`, width));
  for (const frame of [...event.frames].reverse().slice(0, MAX_FRAMES)) lines.push(paint.dim(fit(`      ${clean(nodeFrameText(frame))}`, width)));
  return lines;
}

function traceDuration(spans: ResolvedSpan[]): number {
  let end = 0;
  for (const span of spans) end = Math.max(end, span.offsetMs + span.durationMs);
  return end;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '? ms';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 10_000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Cuts to `width` with an ellipsis. */
function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** Received names are untrusted: no control characters (newlines, escape sequences) reach the terminal. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

interface Painter {
  yellow(text: string): string;
  red(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

function painter(enabled: boolean): Painter {
  const wrap = (code: string) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[0m` : text);
  return { red: wrap('31'), yellow: wrap('33'), dim: wrap('2'), bold: wrap('1') };
}
