/**
 * `@ridevault/core`: workout documents and the local vault, for browsers and Node.
 *
 * Start with `openNodeVault` (from `@ridevault/core/node`) or `openBrowserVault` (from
 * `@ridevault/core/browser`), or `openVault` with any storage adapter and crash log.
 */
export {
  AccountClient,
  type AccountClientError,
  type AccountClientOptions,
  type AccountLookup,
  type ClaimStatus,
  type DocumentClaim,
  fromBase64Url,
  type LoginChallenge,
  type LoginProof,
  type Registration,
  type SessionTokens,
  toBase64Url,
} from "./account/account-client.js";
export {
  type AccountFlowError,
  type AccountFlowOptions,
  changePassword,
  deleteAccount,
  type InvalidRecoveryCodeError,
  logIn,
  type Registered,
  recoverAccount,
  registerAccount,
  type SignedIn,
} from "./account/account-flows.js";
export {
  AccountSession,
  type AccountSessionOptions,
  SYNC_SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  type WebSocketWithProtocols,
} from "./account/account-session.js";
export {
  type Attached,
  attachAccount,
  CLAIM_BATCH,
  claimVaultDocuments,
  type VaultClaims,
} from "./account/attach-account.js";
export { CLAIM_PROOF_CONTEXT, claimProofMessage } from "./account/claim-proof.js";
export {
  createPairing,
  joinByPairingLink,
  type PairingError,
} from "./account/pairing-flows.js";
export {
  forgetSession,
  persistSession,
  restoreSession,
  type SavedSessionError,
  type SavedSessionState,
  SESSION_STORAGE_KEY,
  type SessionStorageOptions,
} from "./account/saved-session.js";
export {
  type AnalysisSettings,
  analyzeWorkout,
  type WorkoutAnalysis,
} from "./analytics/analyze-workout.js";
export { type LapRange, type LapStats, lapStats } from "./analytics/laps.js";
export {
  type DailyStress,
  dateOf,
  dayNumber,
  type LoadDay,
  type LoadOptions,
  trainingLoad,
} from "./analytics/load.js";
export {
  averagePower,
  efficiencyFactor,
  intensityFactor,
  NP_WINDOW_S,
  normalizedPower,
  trainingStress,
  variabilityIndex,
  workKj,
} from "./analytics/power.js";
export {
  defaultDurations,
  KEY_DURATIONS_S,
  type MeanMaxPoint,
  meanMaxPower,
} from "./analytics/power-curve.js";
export {
  hasValues,
  resampleTo1Hz,
  type Timeline,
  timelineOf,
  timerMsAt,
} from "./analytics/resample.js";
export { type SeasonBestPoint, seasonBest, type WorkoutCurve } from "./analytics/season-best.js";
export {
  HEART_RATE_ZONES,
  POWER_ZONES,
  timeInHeartRateZones,
  timeInPowerZones,
  type ZoneDefinition,
  type ZoneTime,
  zoneOf,
} from "./analytics/zones.js";
export {
  ACCESS_SECRET_BYTES,
  canWrite,
  createDocumentKeys,
  type DocumentKeys,
  deriveAccessSecret,
  hashAccessSecret,
  readOnly,
  type WriteKeyPair,
} from "./crypto/document-keys.js";
export { type OpenedEnvelope, openEnvelope, sealEnvelope } from "./crypto/envelope.js";
export {
  ENVELOPE_ERROR_CODES,
  type EnvelopeError,
  type EnvelopeFormatError,
} from "./crypto/envelope-error.js";
export {
  type DecodedEnvelope,
  decodeEnvelope,
  type EnvelopeHeader,
  type EnvelopeKind,
  MAX_PLAINTEXT_BYTES,
} from "./crypto/envelope-format.js";
export { loadSodium, type Sodium } from "./crypto/sodium.js";
export { verifyEnvelope } from "./crypto/verify-envelope.js";
export {
  type ArchiveProblem,
  LIBRARY_JSON_FORMAT,
  LIBRARY_JSON_VERSION,
  type LibraryJson,
} from "./formats/archive/archive-layout.js";
export {
  type DecodedWorkoutJson,
  WORKOUT_JSON_FORMAT,
  WORKOUT_JSON_VERSION,
  type WorkoutJson,
  type WorkoutJsonError,
  workoutFromJson,
  workoutToJson,
} from "./formats/archive/workout-json.js";
export {
  exportFit,
  FIT_PRODUCT_NAME,
  type FitExportInput,
} from "./formats/fit/export-fit.js";
export { importFit } from "./formats/fit/import-fit.js";
export { exportGpx, type GpxError, type GpxExportInput } from "./formats/gpx/export-gpx.js";
export { importGpx } from "./formats/gpx/import-gpx.js";
export {
  detectFormat,
  IMPORTABLE_EXTENSION,
  type ImportFile,
  importWorkoutFile,
} from "./formats/import/import-file.js";
export type {
  ImportError,
  ImportedLap,
  ImportedPause,
  ImportedWorkout,
  ImportFormat,
} from "./formats/import/imported-workout.js";
export { exportTcx, type TcxExportInput } from "./formats/tcx/export-tcx.js";
export { importTcx } from "./formats/tcx/import-tcx.js";
export {
  bytesToHex,
  createDeviceId,
  type DeviceId,
  isDeviceId,
  isWorkoutId,
  type WorkoutId,
} from "./ids.js";
export {
  type AccountSecrets,
  addShareKeyToBundle,
  type BundleCorruptError,
  type BundleLockedError,
  createAccountBundle,
  createShareKeys,
  type LibraryAccess,
  openAccountBundle,
  rewrapAccountBundle,
  type ShareKeyPair,
} from "./keys/account-bundle.js";
export {
  type AccountKdf,
  checkKdf,
  DEFAULT_KDF,
  type DerivedAccountKeys,
  derivePasswordKeys,
  type KdfRejectedError,
  MAX_KDF,
  MIN_KDF,
  newKdf,
  signLoginChallenge,
  TEST_KDF,
} from "./keys/account-kdf.js";
export { decodeDocumentKeys, encodeDocumentKeys } from "./keys/encode-document-keys.js";
export { createKeyStore, type KeyStore, type KeyStoreOptions } from "./keys/key-store.js";
export type { KeyStoreError } from "./keys/key-store-error.js";
export {
  createPairingLink,
  openPairing,
  type PairingCorruptError,
  type PairingKeys,
  parsePairingLink,
  sealPairing,
} from "./keys/pairing-link.js";
export {
  createRecoveryCode,
  deriveRecoveryKeys,
  parseRecoveryCode,
} from "./keys/recovery-code.js";
export {
  createLivePublisher,
  type LiveChannel,
  type LivePublisher,
  type LiveRideOptions,
  type WatchLiveRideOptions,
  watchLiveRide,
} from "./live/live-ride.js";
export {
  decodeLiveSample,
  encodeLiveSample,
  LIVE_SAMPLE_VERSION,
  type LiveSample,
  type LiveSampleError,
  type LiveState,
} from "./live/live-sample-codec.js";
export { liveValuesToSample, type RecorderLiveValues } from "./live/live-values-to-sample.js";
export { err, ok, type Result, unwrap } from "./result.js";
export {
  type Clock,
  createSeededRandom,
  ManualClock,
  type Random,
  systemClock,
  systemRandom,
} from "./runtime.js";
export {
  type CreateGrantRequest,
  type FetchedGrant,
  type GrantInfo,
  type IncomingGrant,
  type RotateRequest,
  ShareClient,
  type ShareClientError,
  type ShareClientOptions,
} from "./sharing/share-client.js";
export {
  buildKeyring,
  type KeyringError,
  MAX_SHARED_DOCUMENTS,
  openKeyring,
  type ShareKeyring,
  type ShareMode,
  sealKeyring,
} from "./sharing/share-keyring.js";
export {
  createShareSecret,
  deriveShareKeys,
  formatShareLink,
  parseShareLink,
  SHARE_LINK_PREFIX,
  type ShareKeys,
  type ShareLinkError,
} from "./sharing/share-link.js";
export {
  type ShareProofAction,
  shareProofMessage,
  signShareProof,
  verifyShareProof,
} from "./sharing/share-proof.js";
export { SHARE_SUBPROTOCOL, shareHolderWebSocket } from "./sharing/share-socket.js";
export { createCheckedStorage, StorageCorruptError } from "./storage/checked-storage.js";
export {
  type CrashLog,
  type CrashLogKey,
  crashLogName,
  frameRecord,
  MemoryCrashLog,
  parseCrashLogName,
  unframeRecords,
} from "./storage/crash-log.js";
export {
  type Chunk,
  MemoryStorageAdapter,
  type StorageAdapter,
  type StorageKey,
} from "./storage/storage-adapter.js";
export {
  type ClientMessage,
  ERROR_CODES,
  type ErrorCode,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  type RelayMessage,
} from "./sync/protocol.js";
export { type StartSyncOptions, startSync } from "./sync/start-sync.js";
export { SyncEngine, type SyncOptions } from "./sync/sync-engine.js";
export type { SyncedDocument, SyncSource } from "./sync/sync-source.js";
export type { SyncStatus } from "./sync/sync-status.js";
export {
  type Connection,
  type ConnectionEvents,
  type Transport,
  type WebSocketClass,
  type WebSocketLike,
  webSocketTransport,
} from "./sync/transport.js";
export {
  type BulkImportOptions,
  type FileImportResult,
  type ImportProgress,
  type ImportSource,
  MAX_UNZIPPED_FILE_BYTES,
  zipSources,
} from "./vault/bulk-import.js";
export type {
  AlreadyRecordingError,
  NotFoundError,
  NotSyncedError,
  OpenError,
  VaultError,
  WorkoutCorruptError,
} from "./vault/errors.js";
export type { VaultEvent, VaultListener } from "./vault/events.js";
export type { ExportAllOptions } from "./vault/export-all.js";
export type { ImportOutcome, ImportStoreError } from "./vault/import-workout.js";
export type { LibraryAnalytics, LibraryEntry, ListOptions } from "./vault/library.js";
export type { RecoveryReport } from "./vault/recovery.js";
export type { IncomingShareInfo, SharedDocument, SharedWithMe } from "./vault/shared-with-me.js";
export type { CreateShareOptions, ShareError, ShareInfo, VaultShares } from "./vault/shares.js";
export { openVault, Vault, type VaultOptions } from "./vault/vault.js";
export type { Workouts } from "./vault/workouts.js";
export {
  type ChunkError,
  type ChunkHeader,
  decodeChunk,
  encodeChunk,
  readChunkHeader,
} from "./workout/chunk.js";
export {
  columnsToSamples,
  mergeColumns,
  type SampleColumns,
  samplesToColumns,
} from "./workout/columns.js";
export {
  type AnalyticsSettings,
  LAP_TRIGGERS,
  type Lap,
  type LapTrigger,
  type MetadataError,
  type MetadataPatch,
  type RecordingDevice,
  SPORTS,
  type Sport,
  SUB_SPORTS,
  type SubSport,
  type WorkoutMetadata,
} from "./workout/metadata.js";
export {
  type AppendReport,
  Recording,
  type RecordingClosedError,
  type RecordingOptions,
} from "./workout/recording.js";
export {
  type DroppedField,
  MAX_TIME,
  MIN_TIME,
  type Sample,
  type SampleError,
  SCALAR_FIELDS,
  type ScalarField,
  validateSample,
} from "./workout/sample.js";
export {
  MAX_GAP_MS,
  MOVING_SPEED,
  summarize,
  summarizeLap,
  type WorkoutSummary,
} from "./workout/summary.js";
export {
  type ChangesError,
  type ChunkProblem,
  type SamplesRead,
  type TimeRange,
  Workout,
} from "./workout/workout.js";
