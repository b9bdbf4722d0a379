/**
 * Root sampling by rules from the config file: the first rule whose every given field matches the span decides
 * the ratio; otherwise the default ratio applies. Each ratio is the SDK's TraceIdRatioBasedSampler (AlwaysOn /
 * AlwaysOff at exactly 1 / 0, which decide the same), so a trace's decision stays a pure function of its trace id
 * (consistent with the DSC's sample_rand).
 */
import { AlwaysOffSampler, AlwaysOnSampler, TraceIdRatioBasedSampler, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import type { SamplingRule } from '../config.js';
import { ATTR_AGENT_SPAN_TYPE } from '../agent/attributes.js';
import { ATTR_GEN_AI_AGENT_NAME } from '@opentelemetry/semantic-conventions/incubating';
import { ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';

interface CompiledRule {
  rule: SamplingRule;
  sampler: Sampler;
}

export class RuleSampler implements Sampler {
  private readonly rules: CompiledRule[];
  private readonly fallback: Sampler;

  constructor(rootRate: number, rules: readonly SamplingRule[]) {
    this.fallback = ratioSampler(rootRate);
    this.rules = rules.map((rule) => ({ rule, sampler: ratioSampler(rule.rate) }));
  }

  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    for (const { rule, sampler } of this.rules) {
      if (matches(rule, spanName, attributes)) return sampler.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    }
    return this.fallback.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `Rules{${this.rules.length} rules, default=${this.fallback.toString()}}`;
  }
}

function matches(rule: SamplingRule, spanName: string, attributes: Attributes): boolean {
  if (rule.spanName !== undefined && rule.spanName !== spanName) return false;
  if (rule.httpRoute !== undefined && attributes[ATTR_HTTP_ROUTE] !== rule.httpRoute) return false;
  if (rule.agent !== undefined && attributes[ATTR_GEN_AI_AGENT_NAME] !== rule.agent) return false;
  if (rule.spanType !== undefined && attributes[ATTR_AGENT_SPAN_TYPE] !== rule.spanType) return false;
  return true;
}

/**
 * The SDK's ratio sampler, except at the ends: at 1 (or 0) it would still hash the trace id of every span to
 * reach a foregone decision, which showed in the per-span profile.
 */
export function ratioSampler(ratio: number): Sampler {
  if (ratio >= 1) return new AlwaysOnSampler();
  if (ratio <= 0) return new AlwaysOffSampler();
  return new TraceIdRatioBasedSampler(ratio);
}
