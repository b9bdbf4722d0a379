/**
 * Agent-to-agent messages (agent.span.type `agent.communication`), modelled as messaging so Sentry's Queues
 * insight and any OTel backend understand them:
 * - `sendToAgent`: span `send {to}`, PRODUCER (CLIENT for request–reply), sentry.op `queue.publish`; injects
 *   the send span's context into the message before the callback transmits it;
 * - `receiveFromAgent`: span `process {agent}`, CONSUMER (SERVER for request–reply), sentry.op `queue.process`;
 *   a child of the sender's span when the message carries a valid context.
 */
import { SpanKind, type Context } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_AGENT_ID,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_TYPE,
  MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
  MESSAGING_OPERATION_TYPE_VALUE_SEND,
} from './semconv-incubating.js';
import {
  AGENT_SPAN_TYPE_VALUE_AGENT_COMMUNICATION,
  ATTR_AGENT_COMMUNICATION_SOURCE,
  ATTR_AGENT_COMMUNICATION_TARGET,
  ATTR_AGENT_SPAN_TYPE,
  ATTR_MESSAGING_MESSAGE_RECEIVE_LATENCY,
  ATTR_SENTRY_OP,
  SENTRY_OP_QUEUE_PROCESS,
  SENTRY_OP_QUEUE_PUBLISH,
} from './attributes.js';
import { getCurrentAgent, type AgentIdentity } from './agent-context.js';
import { extractContext, hasValidSpanContext, injectWithSource, readSenderInfo } from './carrier.js';
import { compact, identifier, prop } from './internal.js';
import { runInSpan, SpanHandle, startSpan, type AgentSpan } from './span-handle.js';

export interface SendToAgentOptions<M extends object = object> {
  /** Receiving agent (agent.communication.target, messaging.destination.name). */
  to: string;
  /** The message; its `_otel` field receives the trace context before `fn` runs. */
  message: M;
  /** Sending agent; default: the current agent. */
  from?: string;
  /** messaging.message.id; default: the message's own `id` / `messageId`. */
  messageId?: string;
  /** gen_ai.conversation.id; default: the current agent's. */
  conversationId?: string;
  /** The sender waits for a reply over the same call: CLIENT instead of PRODUCER. */
  requestReply?: boolean;
}

export interface ReceiveFromAgentOptions {
  /** The received message (after deserialisation); its `_otel` field is read. */
  message: unknown;
  /** Receiving agent; becomes the current agent inside `fn`. Default: the current agent. */
  agent?: string;
  /** Sending agent; default: what the sender's `injectContext` recorded in the message. */
  from?: string;
  /** messaging.message.id; default: the message's own `id` / `messageId`. */
  messageId?: string;
  /** gen_ai.conversation.id; default: the current agent's. */
  conversationId?: string;
  /** Handling a request whose caller waits for the reply: SERVER instead of CONSUMER. */
  requestReply?: boolean;
}

export interface CommunicationSpan extends AgentSpan {
  setMessageId(id: string): this;
}

class CommunicationSpanImpl extends SpanHandle implements CommunicationSpan {
  setMessageId(id: string): this {
    const value = identifier(id);
    if (value !== undefined) this.setAttribute(ATTR_MESSAGING_MESSAGE_ID, value);
    return this;
  }
}

/** Longest plausible time in queue; anything else is clock skew or garbage. */
const MAX_RECEIVE_LATENCY_MS = 7 * 24 * 3600 * 1000;

/**
 * Trace sending `message` to agent `to`. The trace context is injected into `message._otel` first, so `fn`
 * only has to transmit the message (serialised any way that keeps the field).
 *
 * @example
 * await sendToAgent({ to: 'researcher', message: task }, () => queue.push(JSON.stringify(task)));
 */
export function sendToAgent<M extends object, T>(options: SendToAgentOptions<M>, fn: (span: CommunicationSpan) => T): T {
  let source: string | undefined;
  const handle = startSpan(
    (active) => {
      const agent = getCurrentAgent(active);
      const target = identifier(prop(options, 'to'));
      source = identifier(prop(options, 'from')) ?? agent?.name;
      const requestReply = prop(options, 'requestReply') === true;
      return {
        name: target === undefined ? 'send' : `send ${target}`,
        kind: requestReply ? SpanKind.CLIENT : SpanKind.PRODUCER,
        attributes: () => compact({
          [ATTR_AGENT_SPAN_TYPE]: AGENT_SPAN_TYPE_VALUE_AGENT_COMMUNICATION,
          [ATTR_SENTRY_OP]: SENTRY_OP_QUEUE_PUBLISH,
          [ATTR_AGENT_COMMUNICATION_SOURCE]: source,
          [ATTR_AGENT_COMMUNICATION_TARGET]: target,
          [ATTR_MESSAGING_DESTINATION_NAME]: target,
          [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_SEND,
          [ATTR_MESSAGING_MESSAGE_ID]: messageIdOf(options),
          [ATTR_GEN_AI_CONVERSATION_ID]: identifier(prop(options, 'conversationId')) ?? agent?.conversationId,
          [ATTR_GEN_AI_AGENT_NAME]: agent?.name,
          [ATTR_GEN_AI_AGENT_ID]: agent?.id,
        }),
      };
    },
    (span, ctx) => new CommunicationSpanImpl(span, ctx),
  );
  injectWithSource(prop(options, 'message'), handle.context, source);
  return runInSpan(handle, fn);
}

/**
 * Trace processing a message received from another agent, continuing the sender's trace when the message
 * carries its context. Without a valid carrier the span is a child of the caller's active span (a new trace
 * at a process entry) — a garbled or hostile carrier never continues anyone's trace, and never throws.
 *
 * @example
 * await receiveFromAgent({ message: JSON.parse(raw), agent: 'researcher' }, (span) => handle(message));
 */
export function receiveFromAgent<T>(options: ReceiveFromAgentOptions, fn: (span: CommunicationSpan) => T): T {
  const handle = startSpan(
    (active) => {
      const message = prop(options, 'message');
      const current = getCurrentAgent(active);
      const name = identifier(prop(options, 'agent')) ?? current?.name;
      const conversationId = identifier(prop(options, 'conversationId')) ?? current?.conversationId;
      const remote = extractContext(message);
      const parent: Context = hasValidSpanContext(remote) ? remote : active;
      const agent: AgentIdentity | undefined =
        name === undefined ? undefined : { name, id: current?.name === name ? current.id : undefined, conversationId };
      const requestReply = prop(options, 'requestReply') === true;
      return {
        name: name === undefined ? 'process' : `process ${name}`,
        kind: requestReply ? SpanKind.SERVER : SpanKind.CONSUMER,
        parent,
        agent,
        attributes: () => {
          const sender = readSenderInfo(message);
          const latency = sender.sentAt === undefined ? undefined : Date.now() - sender.sentAt;
          return compact({
            [ATTR_AGENT_SPAN_TYPE]: AGENT_SPAN_TYPE_VALUE_AGENT_COMMUNICATION,
            [ATTR_SENTRY_OP]: SENTRY_OP_QUEUE_PROCESS,
            [ATTR_AGENT_COMMUNICATION_SOURCE]: identifier(prop(options, 'from')) ?? sender.source,
            [ATTR_AGENT_COMMUNICATION_TARGET]: name,
            [ATTR_MESSAGING_DESTINATION_NAME]: name,
            [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
            [ATTR_MESSAGING_MESSAGE_ID]: messageIdOf(options),
            [ATTR_MESSAGING_MESSAGE_RECEIVE_LATENCY]: latency !== undefined && latency >= 0 && latency <= MAX_RECEIVE_LATENCY_MS ? latency : undefined,
            [ATTR_GEN_AI_CONVERSATION_ID]: conversationId,
            [ATTR_GEN_AI_AGENT_NAME]: name,
            [ATTR_GEN_AI_AGENT_ID]: agent?.id,
          });
        },
      };
    },
    (span, ctx) => new CommunicationSpanImpl(span, ctx),
  );
  return runInSpan(handle, fn);
}

function messageIdOf(options: object): string | undefined {
  const message = prop(options, 'message');
  return identifier(prop(options, 'messageId')) ?? identifier(prop(message, 'id')) ?? identifier(prop(message, 'messageId'));
}
