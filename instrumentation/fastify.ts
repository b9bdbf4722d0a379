/**
 * Fastify's instrumentation, `@fastify/otel`, created when the application creates its first Fastify instance
 * rather than in the preload. The package patches no module: it adds its plugin to each instance from Fastify's
 * `fastify.initialization` diagnostics channel, published synchronously by the `fastify()` factory (ESM and
 * CommonJS apps alike). It also brings its own copies of @opentelemetry/core and @opentelemetry/instrumentation:
 * ~80 ms of start-up (issue 18) for every process where fastify merely resolves. So this stand-in subscribes to the
 * channel itself and, on the first instance, `require`s the package (CommonJS, synchronous) and applies its plugin
 * exactly as the package's own `registerOnInitialization` handler does (@fastify/otel index.js `enable()`):
 * the plugin called on the new instance at once (a `register` would run only once the app awaits it, after its
 * routes), and an empty plugin of the same name so `app.hasPlugin('@fastify/otel')` holds.
 *
 * A constructor error (e.g. a bad OTEL_FASTIFY_IGNORE_PATHS) is one warning and fastify untraced — never a throw
 * into the application's `fastify()`.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { Instrumentation, InstrumentationConfig } from '@opentelemetry/instrumentation';
import type * as FastifyOtelPackage from '@fastify/otel';
import { warn } from '../src/log.js';

const CHANNEL = 'fastify.initialization';
const NAME = '@fastify/otel';

type FastifyPlugin = (instance: unknown, options: unknown, done: () => void) => void;
type FastifyOtel = Instrumentation & { plugin(): FastifyPlugin };
type LoggerProvider = Parameters<NonNullable<Instrumentation['setLoggerProvider']>>[0];
interface InitializationMessage {
  fastify: { register(plugin: FastifyPlugin): unknown };
}

export class LazyFastifyInstrumentation implements Instrumentation {
  readonly instrumentationName = NAME;
  private config: InstrumentationConfig;
  private inner: FastifyOtel | undefined;
  private failed = false;
  private subscribed = false;
  private tracerProvider: TracerProvider | undefined;
  private meterProvider: MeterProvider | undefined;
  private loggerProvider: LoggerProvider | undefined;

  /** `options`: the package's constructor options (`registerOnInitialization` is this class's job). */
  constructor(private readonly options: Record<string, unknown> = {}) {
    this.config = { enabled: true };
    // Enabled from construction, like an InstrumentationBase (registerInstrumentations then leaves it so).
    this.enable();
  }

  get instrumentationVersion(): string {
    return this.inner?.instrumentationVersion ?? '';
  }

  enable(): void {
    this.config = { ...this.config, enabled: true };
    if (!this.subscribed) subscribe(CHANNEL, this.onInitialization);
    this.subscribed = true;
    this.inner?.enable();
  }

  disable(): void {
    this.config = { ...this.config, enabled: false };
    if (this.subscribed) unsubscribe(CHANNEL, this.onInitialization);
    this.subscribed = false;
    this.inner?.disable();
  }

  setTracerProvider(tracerProvider: TracerProvider): void {
    this.tracerProvider = tracerProvider;
    this.inner?.setTracerProvider(tracerProvider);
  }

  setMeterProvider(meterProvider: MeterProvider): void {
    this.meterProvider = meterProvider;
    this.inner?.setMeterProvider(meterProvider);
  }

  setLoggerProvider(loggerProvider: LoggerProvider): void {
    this.loggerProvider = loggerProvider;
    this.inner?.setLoggerProvider?.(loggerProvider);
  }

  setConfig(config: InstrumentationConfig): void {
    this.config = { ...config };
    this.inner?.setConfig({ ...this.inner.getConfig(), ...config });
  }

  getConfig(): InstrumentationConfig {
    return this.config;
  }

  private readonly onInitialization = (message: unknown): void => {
    const inner = this.load();
    if (inner === undefined) return;
    try {
      const { fastify } = message as InitializationMessage;
      inner.plugin()(fastify, undefined, () => {});
      const marker: FastifyPlugin = (_instance, _options, done) => done();
      fastify.register(Object.assign(marker, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: NAME }));
    } catch (err) {
      warn(`the fastify instrumentation could not instrument a Fastify instance, it is not traced: ${(err as Error).message}`);
    }
  };

  private load(): FastifyOtel | undefined {
    if (this.inner !== undefined || this.failed) return this.inner;
    try {
      const { FastifyOtelInstrumentation } = createRequire(import.meta.url)('@fastify/otel') as typeof FastifyOtelPackage;
      const inner = new FastifyOtelInstrumentation({ ...this.options, registerOnInitialization: false, enabled: false }) as unknown as FastifyOtel;
      if (this.tracerProvider !== undefined) inner.setTracerProvider(this.tracerProvider);
      if (this.meterProvider !== undefined) inner.setMeterProvider(this.meterProvider);
      if (this.loggerProvider !== undefined) inner.setLoggerProvider?.(this.loggerProvider);
      if (this.config.enabled === true) inner.enable();
      this.inner = inner;
    } catch (err) {
      // e.g. @fastify/otel rejecting a bad OTEL_FASTIFY_IGNORE_PATHS: fastify untraced, never the application
      this.failed = true;
      warn(`the fastify instrumentation could not start, fastify is not traced: ${(err as Error).message}`);
    }
    return this.inner;
  }
}
