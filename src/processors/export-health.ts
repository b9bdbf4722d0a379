/**
 * The bridge's own readiness, derived from what its export slots see (./counting-batch.ts, ./counting-exporter.ts):
 *   - export stalled: an exporter has been trying without one successful export for longer than `exportStallMs`
 *     (failures, timeouts and a black-holed endpoint alike: the clock starts at the first unanswered attempt
 *     and stops at the next success);
 *   - queue saturated: an export queue dropped a span (queue full) within the last `queueFullMs`.
 * Served as `/readyz` on the metrics server (exporters/prometheus.ts). It is a signal about telemetry, not about
 * the application: docs/architecture.md §6 says why it must not restart or unroute the app.
 */

/** What the export slots report. Every method is a couple of field writes: it sits on the export path. */
export interface ExportObserver {
  exportStarted(exporter: string): void;
  exportSettled(exporter: string, ok: boolean): void;
  queueFull(exporter: string): void;
}

export interface ReadinessStatus {
  ready: boolean;
  /** One line per problem, e.g. `sentry: no successful export for 12 s`. */
  reasons: string[];
}

export interface ExportHealthLimits {
  exportStallMs: number;
  queueFullMs: number;
}

interface ExporterState {
  /** When the first attempt without a success since started; undefined after a success. */
  tryingSince: number | undefined;
  lastQueueFull: number | undefined;
}

export class ExportHealth implements ExportObserver {
  /** One entry per exporter name the bridge builds (sentry, otlp): a handful, never keyed by outside input. */
  private readonly exporters = new Map<string, ExporterState>();

  constructor(
    private readonly limits: ExportHealthLimits,
    private readonly now: () => number = Date.now,
  ) {}

  exportStarted(exporter: string): void {
    const state = this.state(exporter);
    state.tryingSince ??= this.now();
  }

  exportSettled(exporter: string, ok: boolean): void {
    if (ok) this.state(exporter).tryingSince = undefined;
  }

  queueFull(exporter: string): void {
    this.state(exporter).lastQueueFull = this.now();
  }

  status(): ReadinessStatus {
    const now = this.now();
    const reasons: string[] = [];
    for (const [name, state] of this.exporters) {
      if (state.tryingSince !== undefined && now - state.tryingSince > this.limits.exportStallMs) {
        reasons.push(`${name}: no successful export for ${Math.round((now - state.tryingSince) / 1000)} s`);
      }
      if (state.lastQueueFull !== undefined && now - state.lastQueueFull <= this.limits.queueFullMs) {
        reasons.push(`${name}: export queue full ${Math.round((now - state.lastQueueFull) / 1000)} s ago (spans dropped)`);
      }
    }
    return { ready: reasons.length === 0, reasons };
  }

  private state(exporter: string): ExporterState {
    let state = this.exporters.get(exporter);
    if (state === undefined) this.exporters.set(exporter, (state = { tryingSince: undefined, lastQueueFull: undefined }));
    return state;
  }
}
