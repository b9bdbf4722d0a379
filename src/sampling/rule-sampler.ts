/**
 * Root sampling by rules from the config file: the first rule whose every given field matches the span decides
 * the rate; otherwise the default rate applies. Each rate is a RateSampler, so the decision stays a pure function
 * of the trace id (consistent with the DSC's sample_rand) and the span records the rate that decided.
 *
 * Rules match what a span has at start, when the sampler runs: its name, `gen_ai.agent.name`, `agent.span.type`
 * and, for HTTP server spans, the request path against a route pattern (`urlPath`, see path-pattern.ts). The old
 * `httpRoute` key could never match (`http.route` arrives when the response ends); it is read as a `urlPath`
 * pattern, with one warning.
 */
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace';
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import type { SamplingRule } from '../config.js';
import { agentSpanTypeOf } from '../agent/span-type.js';
import { ATTR_GEN_AI_AGENT_NAME } from '../agent/semconv-incubating.js';
import { warnOnce } from '../log.js';
import { compilePathPattern, matchesPath, requestPath, type PathPattern } from './path-pattern.js';
import { RateSampler } from './rate-sampler.js';

interface CompiledRule {
  spanName: string | undefined;
  agent: string | undefined;
  spanType: string | undefined;
  path: PathPattern | undefined;
  sampler: Sampler;
}

export class RuleSampler implements Sampler {
  private readonly rules: CompiledRule[];
  private readonly fallback: Sampler;

  constructor(rootRate: number, rules: readonly SamplingRule[]) {
    this.fallback = new RateSampler(rootRate);
    this.rules = rules.map(compileRule);
  }

  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    for (const rule of this.rules) {
      if (matches(rule, spanName, attributes)) return rule.sampler.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    }
    return this.fallback.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `Rules{${this.rules.length} rules, default=${this.fallback.toString()}}`;
  }
}

function compileRule(rule: SamplingRule): CompiledRule {
  let pattern = rule.urlPath;
  if (pattern === undefined && rule.httpRoute !== undefined) {
    warnOnce(
      'sampling-rule-http-route',
      `sampling rule key "httpRoute" is deprecated (http.route is only known after the sampler ran): "${rule.httpRoute}" is matched as a "urlPath" route pattern`,
    );
    pattern = rule.httpRoute;
  }
  return {
    spanName: rule.spanName,
    agent: rule.agent,
    spanType: rule.spanType,
    path: pattern === undefined ? undefined : compilePathPattern(pattern),
    sampler: new RateSampler(rule.rate),
  };
}

function matches(rule: CompiledRule, spanName: string, attributes: Attributes): boolean {
  if (rule.spanName !== undefined && rule.spanName !== spanName) return false;
  if (rule.agent !== undefined && attributes[ATTR_GEN_AI_AGENT_NAME] !== rule.agent) return false;
  if (rule.spanType !== undefined && agentSpanTypeOf(attributes) !== rule.spanType) return false;
  if (rule.path !== undefined) {
    const path = requestPath(attributes);
    if (path === undefined || !matchesPath(rule.path, path)) return false;
  }
  return true;
}
