/**
 * The global MeterProvider the preload sets before the metrics SDK is loaded (issue 18: @opentelemetry/sdk-metrics is
 * ~50 modules, ~12 ms of every process's first line, and nothing reads a metric before a scrape). It hands out meters
 * and instruments at once — the HTTP instrumentation creates its histograms when it is registered, the app may
 * create its own — and binds them to the SDK's MeterProvider once that is loaded (instrumentation/bridge.ts: once the
 * app's start-up has settled, at the first scrape, or sooner when `backlog` is reached).
 *
 * Nothing is lost: until then every measurement of a synchronous instrument (counter, up-down counter, histogram,
 * gauge) is kept with its attributes and context, in order, and replayed into the real instrument when it is bound;
 * observable instruments and batch callbacks are registered on the real meter then (they are read at collection,
 * which cannot come before). After binding each call is forwarded, one indirection; meters asked for after binding
 * are the SDK's own. At `backlog` measurements `onBacklog` asks for the SDK at once; they are kept until it is
 * bound, up to `maxKept` — beyond that (an SDK that takes very long to load under a flood of measurements) a
 * measurement is dropped and `onDropped` counts it. `discard()` (the SDK could not load, or the bridge stopped) lets
 * go of what is kept, and every later measurement is dropped: nothing accumulates for a provider that will never bind.
 */
import type {
  Attributes,
  BatchObservableCallback,
  BatchObservableResult,
  Context,
  Counter,
  Gauge,
  Histogram,
  Meter,
  MeterOptions,
  MeterProvider,
  MetricOptions,
  Observable,
  ObservableCallback,
  ObservableCounter,
  ObservableGauge,
  ObservableUpDownCounter,
  UpDownCounter,
} from '@opentelemetry/api';

type SyncKind = 'createCounter' | 'createUpDownCounter' | 'createHistogram' | 'createGauge';
type ObservableKind = 'createObservableCounter' | 'createObservableUpDownCounter' | 'createObservableGauge';

/** What a synchronous instrument forwards to: `add` for counters, `record` for histograms and gauges. */
interface SyncTarget {
  add?(value: number, attributes?: Attributes, context?: Context): void;
  record?(value: number, attributes?: Attributes, context?: Context): void;
}

export interface DeferredMeterProviderOptions {
  /** Measurements kept before `onBacklog` is called (once). Default 10,000. */
  backlog?: number;
  /** Called once when `backlog` measurements wait: load the SDK now. */
  onBacklog?: () => void;
  /** Measurements kept at most; later ones are dropped (`onDropped`). Default 100,000. */
  maxKept?: number;
  /** Called for each measurement dropped because `maxKept` were waiting. */
  onDropped?: () => void;
}

/** What every instrument of the provider asks before keeping a measurement. */
interface KeepPolicy {
  /** Whether one more measurement may be kept (counted as kept when it may). */
  keep(): boolean;
}

export class DeferredMeterProvider implements MeterProvider {
  private target: MeterProvider | undefined;
  private meters: DeferredMeter[] = [];
  private waiting = 0;
  private discarded = false;
  private readonly backlog: number;
  private readonly maxKept: number;
  private readonly onBacklog: (() => void) | undefined;
  private readonly onDropped: (() => void) | undefined;
  private readonly policy: KeepPolicy = { keep: () => this.keep() };

  constructor(options: DeferredMeterProviderOptions = {}) {
    this.backlog = options.backlog ?? 10_000;
    this.maxKept = Math.max(this.backlog, options.maxKept ?? 100_000);
    this.onBacklog = options.onBacklog;
    this.onDropped = options.onDropped;
  }

  getMeter(name: string, version?: string, options?: MeterOptions): Meter {
    if (this.target !== undefined) return this.target.getMeter(name, version, options);
    const meter = new DeferredMeter([name, version, options], this.policy);
    if (!this.discarded) this.meters.push(meter);
    return meter;
  }

  /** Measurements kept now (tests). */
  get keptCount(): number {
    return this.waiting;
  }

  /** Never binding: what is kept is let go, later measurements are dropped (uncounted: metrics are off). */
  discard(): void {
    if (this.target !== undefined || this.discarded) return;
    this.discarded = true;
    for (const meter of this.meters) meter.discard();
    this.meters = [];
    this.waiting = 0;
  }

  /** Whether `bind` has run. */
  get bound(): boolean {
    return this.target !== undefined;
  }

  /** Binds every meter handed out to `target`'s and replays what they kept. Once; later calls are ignored. */
  bind(target: MeterProvider): void {
    if (this.target !== undefined || this.discarded) return;
    this.target = target;
    const meters = this.meters;
    this.meters = [];
    this.waiting = 0;
    for (const meter of meters) meter.bind(target.getMeter(...meter.identity));
  }

  private keep(): boolean {
    if (this.discarded) return false;
    if (this.waiting >= this.maxKept) {
      this.onDropped?.();
      return false;
    }
    if (++this.waiting === this.backlog) this.onBacklog?.();
    return true;
  }
}

class DeferredMeter implements Meter {
  private target: Meter | undefined;
  private readonly syncs: DeferredSync[] = [];
  private readonly observables: DeferredObservable[] = [];
  private readonly batches: Array<{ callback: BatchObservableCallback; observables: Observable[] }> = [];

  constructor(
    /** getMeter's arguments, for the SDK's meter of the same identity. */
    readonly identity: [name: string, version: string | undefined, options: MeterOptions | undefined],
    private readonly policy: KeepPolicy,
  ) {}

  createCounter<A extends Attributes = Attributes>(name: string, options?: MetricOptions): Counter<A> {
    return this.sync('createCounter', name, options) as Counter<A>;
  }

  createUpDownCounter<A extends Attributes = Attributes>(name: string, options?: MetricOptions): UpDownCounter<A> {
    return this.sync('createUpDownCounter', name, options) as UpDownCounter<A>;
  }

  createHistogram<A extends Attributes = Attributes>(name: string, options?: MetricOptions): Histogram<A> {
    return this.sync('createHistogram', name, options) as Histogram<A>;
  }

  createGauge<A extends Attributes = Attributes>(name: string, options?: MetricOptions): Gauge<A> {
    return this.sync('createGauge', name, options) as Gauge<A>;
  }

  createObservableCounter<A extends Attributes = Attributes>(name: string, options?: MetricOptions): ObservableCounter<A> {
    return this.observable('createObservableCounter', name, options) as ObservableCounter<A>;
  }

  createObservableUpDownCounter<A extends Attributes = Attributes>(name: string, options?: MetricOptions): ObservableUpDownCounter<A> {
    return this.observable('createObservableUpDownCounter', name, options) as ObservableUpDownCounter<A>;
  }

  createObservableGauge<A extends Attributes = Attributes>(name: string, options?: MetricOptions): ObservableGauge<A> {
    return this.observable('createObservableGauge', name, options) as ObservableGauge<A>;
  }

  addBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    if (this.target === undefined) this.batches.push({ callback, observables });
    else this.target.addBatchObservableCallback(batchCallback(callback), observables.map(realObservable));
  }

  removeBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    if (this.target === undefined) {
      const index = this.batches.findIndex((batch) => batch.callback === callback);
      if (index !== -1) this.batches.splice(index, 1);
    } else {
      this.target.removeBatchObservableCallback(batchCallback(callback), observables.map(realObservable));
    }
  }

  /** The provider will never bind: instruments keep nothing more. */
  discard(): void {
    for (const instrument of this.syncs.splice(0)) instrument.discard();
    this.observables.length = 0;
    this.batches.length = 0;
  }

  bind(target: Meter): void {
    this.target = target;
    for (const instrument of this.syncs.splice(0)) instrument.bind(target);
    for (const observable of this.observables.splice(0)) observable.bind(target);
    for (const { callback, observables } of this.batches.splice(0)) target.addBatchObservableCallback(batchCallback(callback), observables.map(realObservable));
  }

  private sync(kind: SyncKind, name: string, options: MetricOptions | undefined): Counter & Histogram & Gauge {
    if (this.target !== undefined) return this.target[kind](name, options) as Counter & Histogram & Gauge;
    const instrument = new DeferredSync(kind, name, options, this.policy);
    this.syncs.push(instrument);
    return instrument;
  }

  private observable(kind: ObservableKind, name: string, options: MetricOptions | undefined): Observable {
    if (this.target !== undefined) return this.target[kind](name, options);
    const observable = new DeferredObservable(kind, name, options);
    this.observables.push(observable);
    return observable;
  }
}

class DeferredSync {
  private target: SyncTarget | undefined;
  private kept: Array<[number, Attributes | undefined, Context | undefined]> | undefined = [];

  constructor(
    private readonly kind: SyncKind,
    private readonly name: string,
    private readonly options: MetricOptions | undefined,
    private readonly policy: KeepPolicy,
  ) {}

  add(value: number, attributes?: Attributes, context?: Context): void {
    if (this.target !== undefined) this.target.add!(value, attributes, context);
    else this.keep(value, attributes, context);
  }

  record(value: number, attributes?: Attributes, context?: Context): void {
    if (this.target !== undefined) this.target.record!(value, attributes, context);
    else this.keep(value, attributes, context);
  }

  discard(): void {
    this.kept = undefined;
  }

  bind(meter: Meter): void {
    const target = meter[this.kind](this.name, this.options) as SyncTarget;
    const kept = this.kept ?? [];
    this.kept = undefined;
    // Replayed in the order they were made, before any later call can reach the target.
    const forward = this.kind === 'createCounter' || this.kind === 'createUpDownCounter' ? target.add!.bind(target) : target.record!.bind(target);
    for (const [value, attributes, context] of kept) forward(value, attributes, context);
    this.target = target;
  }

  private keep(value: number, attributes: Attributes | undefined, context: Context | undefined): void {
    if (this.kept !== undefined && this.policy.keep()) this.kept.push([value, attributes, context]);
  }
}

class DeferredObservable implements Observable {
  target: Observable | undefined;
  private readonly callbacks = new Set<ObservableCallback>();

  constructor(
    private readonly kind: ObservableKind,
    private readonly name: string,
    private readonly options: MetricOptions | undefined,
  ) {}

  addCallback(callback: ObservableCallback): void {
    if (this.target !== undefined) this.target.addCallback(callback);
    else this.callbacks.add(callback);
  }

  removeCallback(callback: ObservableCallback): void {
    if (this.target !== undefined) this.target.removeCallback(callback);
    else this.callbacks.delete(callback);
  }

  bind(meter: Meter): void {
    const target = meter[this.kind](this.name, this.options);
    for (const callback of this.callbacks) target.addCallback(callback);
    this.callbacks.clear();
    this.target = target;
  }
}

function realObservable(observable: Observable): Observable {
  return observable instanceof DeferredObservable ? (observable.target ?? observable) : observable;
}

/**
 * A batch callback observes through the instruments it was given — deferred ones before binding — and the SDK
 * accepts only its own: the result it receives is wrapped to map them. One wrapper per callback, so that removing
 * the callback removes the wrapper the SDK holds.
 */
const wrappers = new WeakMap<BatchObservableCallback, BatchObservableCallback>();
function batchCallback(callback: BatchObservableCallback): BatchObservableCallback {
  let wrapper = wrappers.get(callback);
  if (wrapper === undefined) {
    wrapper = (result: BatchObservableResult) =>
      callback({ observe: (observable, value, attributes) => result.observe(realObservable(observable), value, attributes) });
    wrappers.set(callback, wrapper);
  }
  return wrapper;
}
