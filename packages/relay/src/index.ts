/**
 * `@ridevault/relay`: the relay server. Stores opaque encrypted envelopes per document,
 * acknowledges them only after a durable commit, and fans them out to subscribers.
 */
export {
  type AccessClaims,
  type AccessTokens,
  createAccessTokens,
} from "./accounts/access-token.js";
export type { AccountError, AccountErrorCode } from "./accounts/account-errors.js";
export {
  AccountLimits,
  DEFAULT_ACCOUNT_LIMITS,
  type LimitRefusal,
} from "./accounts/account-limits.js";
export { type AccountPolicy, createAccountPolicy } from "./accounts/account-policy.js";
export { AccountService, type SessionTokens } from "./accounts/account-service.js";
export type { AccountRecord, AccountStore, KdfParams } from "./accounts/account-store.js";
export { normalizeEmail } from "./accounts/account-store.js";
export { MemoryAccountStore } from "./accounts/memory-account-store.js";
export {
  openPostgresAccountStore,
  PostgresAccountStore,
} from "./accounts/postgres-account-store.js";
export { type RateLimit, RateLimiter } from "./accounts/rate-limiter.js";
export {
  createRelayAccounts,
  type RelayAccounts,
  type RelayAccountsOptions,
} from "./accounts/relay-accounts.js";
export { openSqliteAccountStore, SqliteAccountStore } from "./accounts/sqlite-account-store.js";
export { type RelayConfig, readConfig } from "./config.js";
export { createEnvelopeInspector } from "./envelope-inspector.js";
export {
  type AccountRateLimits,
  createAccountRoutes,
  DEFAULT_ACCOUNT_RATE_LIMITS,
} from "./http/account-routes.js";
export { SYNC_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from "./http/upgrade-token.js";
export { createLogger, type Logger, type LogLevel, silentLogger } from "./log.js";
export { RelayMetrics } from "./metrics.js";
export {
  type AccessPolicy,
  CLOSE_CODES,
  type ConnectionIdentity,
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
export type { ChangeFeed, ChangeFeedHandlers } from "./store/change-feed.js";
export { MemoryRelayStore } from "./store/memory-relay-store.js";
export {
  type ConfiguredStore,
  openConfiguredStore,
  type StoreConfig,
} from "./store/open-configured-store.js";
export { PostgresChangeFeed } from "./store/postgres/postgres-change-feed.js";
export {
  openPostgresRelayStore,
  type PostgresOpenError,
  PostgresRelayStore,
  type PostgresRelayStoreOptions,
} from "./store/postgres/postgres-relay-store.js";
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
