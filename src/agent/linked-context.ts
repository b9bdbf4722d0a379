/**
 * Contexts that add a value without copying their parent.
 *
 * The API's context (`ROOT_CONTEXT`'s class in @opentelemetry/api context/context.ts) copies its whole Map and makes
 * three closures on every `setValue`. The helpers add up to three values per span (the span, the current agent or
 * operation marker, …): six copies per agent step of three spans, ~0.3 µs of the step in a CPU profile (the
 * `BaseContext` constructor). A `LinkedContext` holds its parent, one key and one value; `getValue` walks up the
 * links to the first context that is not one and asks it. Values set on a linked context (by `trace.setSpan`,
 * `propagation.setBaggage`, any caller) link again, so a chain stays cheap through nested helpers.
 *
 * A lookup costs one step per link, so a chain is bounded: past MAX_LINKS links the values are written onto the
 * chain's base with the API's own `setValue` (what every `setValue` cost before) and a new chain starts there.
 */
import type { Context } from '@opentelemetry/api';

/** Values in one chain before it is folded onto its base (a lookup walks at most these and the base's adapter). */
export const MAX_LINKS = 8;

/** Key of the link that only adapts a non-linked parent (holds no value). */
const NO_KEY = Symbol('agent-otel-bridge.linked-context.base');

class LinkedContext implements Context {
  constructor(
    readonly parent: Context,
    readonly key: symbol,
    readonly value: unknown,
    readonly depth: number,
  ) {}

  getValue(key: symbol): unknown {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- walks up from this link
    let ctx: Context = this;
    while (ctx instanceof LinkedContext) {
      if (ctx.key === key) return ctx.value;
      ctx = ctx.parent;
    }
    return ctx.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return link(this, key, value);
  }

  // An undefined value reads as absent, which is all `deleteValue` promises (getValue → undefined).
  deleteValue(key: symbol): Context {
    return link(this, key, undefined);
  }
}

/** `parent` as a linked context (itself when it already is one), so that `setValue` on it links. */
export function linkable(parent: Context): Context {
  return parent instanceof LinkedContext ? parent : new LinkedContext(parent, NO_KEY, undefined, 0);
}

/** `parent.setValue(key, value)`, without copying `parent` unless the chain is full. */
function link(parent: Context, key: symbol, value: unknown): Context {
  const depth = parent instanceof LinkedContext ? parent.depth + 1 : 1;
  if (depth <= MAX_LINKS) return new LinkedContext(parent, key, value, depth);
  return fold(parent as LinkedContext).setValue(key, value);
}

/** The chain's values written onto its base with the base's own `setValue`, oldest first (later ones win). */
function fold(top: LinkedContext): Context {
  const links: LinkedContext[] = [];
  let ctx: Context = top;
  while (ctx instanceof LinkedContext) {
    links.push(ctx);
    ctx = ctx.parent;
  }
  for (let i = links.length - 1; i >= 0; i--) {
    const l = links[i]!;
    if (l.key !== NO_KEY) ctx = ctx.setValue(l.key, l.value);
  }
  return ctx;
}
