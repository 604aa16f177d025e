/**
 * `@ridevault/relay`: the relay server. Stores opaque encrypted envelopes per document,
 * acknowledges them only after a durable commit, and fans them out to subscribers.
 */
export { type RelayConfig, readConfig } from "./config.js";
export { createEnvelopeInspector } from "./envelope-inspector.js";
export { createLogger, type Logger, type LogLevel, silentLogger } from "./log.js";
export { RelayMetrics } from "./metrics.js";
export {
  type AccessPolicy,
  CLOSE_CODES,
  type ConnectionSink,
  type EnvelopeFacts,
  type EnvelopeInspector,
  type ProtocolStore,
  Relay,
  RelayConnection,
  type RelayOptions,
} from "./relay.js";
export {
  type RelayServer,
  type RelayServerOptions,
  startRelayServer,
} from "./server/relay-server.js";
export { type RunningRelay, type StartRelayOptions, startRelay } from "./start-relay.js";
export { MemoryRelayStore } from "./store/memory-relay-store.js";
export type {
  AppendInput,
  AppendResult,
  DocumentRecord,
  DocumentRegistration,
  ReadInput,
  ReadItem,
  RelayStore,
  StoreStats,
} from "./store/relay-store.js";
export {
  openSqliteRelayStore,
  SqliteRelayStore,
  type SqliteRelayStoreOptions,
} from "./store/sqlite-relay-store.js";
