/**
 * Programmatic entry: `startBridge(options?)` / `shutdownBridge()`. Most users preload
 * `agent-otel-bridge/register` instead and never import this.
 */
export { startBridge, shutdownBridge, type BridgeHandle, type StartBridgeOptions } from './bridge.js';
export { loadConfig, type BridgeConfig, type ConfigProblem, type SamplingRule } from '../src/config.js';
