/**
 * Fault injection for the reliability suite: which fault is active, for how many more ingest requests or until
 * when. `down` is carried out by the server (it closes its listener); the others are applied per request by the
 * router. Faults never touch `/api/*` query routes or `/healthz`, so tests can keep reading what arrived.
 */
import { HttpError } from './http.js';
import type { Fault, FaultMode } from './types.js';

export interface ActiveFault {
  fault: Fault;
  /** Ingest requests left before the fault lifts (`undefined`: no count limit). */
  remaining?: number;
  /** Epoch ms at which the fault lifts (`undefined`: no time limit). */
  expiresAt?: number;
}

const MODES: FaultMode[] = ['down', 'black-hole', 'slow', 'status'];
const MAX_DELAY_MS = 10 * 60_000;

export class FaultController {
  private active: ActiveFault | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** `onLift(fault)` runs when a fault ends by itself (count used up or duration over). */
  constructor(private readonly onLift: (fault: Fault) => void = () => {}) {}

  set(fault: Fault): ActiveFault {
    const checked = validateFault(fault);
    this.clear();
    const active: ActiveFault = { fault: checked };
    if (checked.count !== undefined) active.remaining = checked.count;
    if (checked.durationMs !== undefined) {
      active.expiresAt = Date.now() + checked.durationMs;
      this.timer = setTimeout(() => this.lift(), checked.durationMs);
      this.timer.unref();
    }
    this.active = active;
    return active;
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.active = undefined;
  }

  current(): ActiveFault | undefined {
    return this.active === undefined ? undefined : { ...this.active };
  }

  /** The fault to apply to this ingest request, if any; counts it against `count`. */
  take(): Fault | undefined {
    const active = this.active;
    if (active === undefined || active.fault.mode === 'down') return undefined;
    if (active.expiresAt !== undefined && Date.now() >= active.expiresAt) {
      this.lift();
      return undefined;
    }
    if (active.remaining !== undefined) {
      active.remaining -= 1;
      if (active.remaining <= 0) this.lift();
    }
    return active.fault;
  }

  private lift(): void {
    const fault = this.active?.fault;
    this.clear();
    if (fault !== undefined) this.onLift(fault);
  }
}

/** Validates a fault from the API or a caller; throws HttpError(400) with the reason. */
export function validateFault(value: unknown): Fault {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'fault must be a JSON object');
  const input = value as Record<string, unknown>;
  const mode = input.mode;
  if (typeof mode !== 'string' || !(MODES as string[]).includes(mode)) throw new HttpError(400, `fault mode must be one of ${MODES.join(', ')}`);
  const limits: { count?: number; durationMs?: number } = {};
  if (input.count !== undefined) limits.count = positiveInt(input.count, 'count');
  if (input.durationMs !== undefined) limits.durationMs = positiveInt(input.durationMs, 'durationMs');
  switch (mode as FaultMode) {
    case 'down':
      return { mode: 'down', ...limits };
    case 'black-hole':
      return { mode: 'black-hole', ...limits };
    case 'slow': {
      const delayMs = Number(input.delayMs);
      if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS) throw new HttpError(400, `slow fault needs delayMs between 0 and ${MAX_DELAY_MS}`);
      return { mode: 'slow', delayMs, ...limits };
    }
    case 'status': {
      const status = Number(input.status);
      if (!Number.isInteger(status) || status < 400 || status > 599) throw new HttpError(400, 'status fault needs a status between 400 and 599');
      const fault: Fault = { mode: 'status', status, ...limits };
      if (input.retryAfter !== undefined) {
        const retryAfter = Number(input.retryAfter);
        if (!Number.isInteger(retryAfter) || retryAfter < 0) throw new HttpError(400, 'retryAfter must be a whole number of seconds');
        fault.retryAfter = retryAfter;
      }
      return fault;
    }
  }
}

/**
 * The CLI form: `MODE[:ARG][,count=N][,for=MS][,retry-after=S]` — `down,for=5000`, `black-hole`, `slow:2000`,
 * `status:429,retry-after=5,count=3`, or a bare status code `503`.
 */
export function parseFaultSpec(spec: string): Fault {
  const [head = '', ...options] = spec.split(',').map((part) => part.trim());
  const [modePart = '', arg] = head.split(':', 2);
  const fault: Record<string, unknown> = { mode: modePart };
  if (/^\d{3}$/.test(modePart)) {
    fault.mode = 'status';
    fault.status = Number(modePart);
  } else if (modePart === 'slow') fault.delayMs = arg === undefined ? undefined : Number(arg);
  else if (modePart === 'status') fault.status = arg === undefined ? undefined : Number(arg);
  for (const option of options) {
    const [name, raw] = option.split('=', 2);
    const number = Number(raw);
    if (name === 'count') fault.count = number;
    else if (name === 'for' || name === 'duration') fault.durationMs = number;
    else if (name === 'retry-after' || name === 'retryAfter') fault.retryAfter = number;
    else throw new HttpError(400, `unknown fault option "${name}" (use count=N, for=MS, retry-after=S)`);
  }
  return validateFault(fault);
}

function positiveInt(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, `${name} must be a positive whole number`);
  return n;
}
