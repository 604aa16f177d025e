/**
 * `@ridevault/core/protocol`: what a relay needs from the core library — the wire protocol
 * and envelope headers — and nothing that can decrypt (DESIGN.md §1).
 */

export type { LoginProof, SessionTokens } from "./account/account-json.js";
export { CLAIM_PROOF_CONTEXT, claimProofMessage } from "./account/claim-proof.js";
export { hashAccessSecret } from "./crypto/document-keys.js";
export type { EnvelopeFormatError } from "./crypto/envelope-error.js";
export {
  type DecodedEnvelope,
  decodeEnvelope,
  type EnvelopeHeader,
  type EnvelopeKind,
  MAX_PLAINTEXT_BYTES,
} from "./crypto/envelope-format.js";
export { loadSodium, type Sodium } from "./crypto/sodium.js";
export { verifyEnvelope } from "./crypto/verify-envelope.js";
export { bytesToHex } from "./ids.js";
export { err, ok, type Result } from "./result.js";
export {
  type ShareProofAction,
  shareProofMessage,
  verifyShareProof,
} from "./sharing/share-proof.js";
export {
  type ClientMessage,
  decodeClientMessage,
  decodeRelayMessage,
  ERROR_CODES,
  type ErrorCode,
  encodeClientMessage,
  encodeRelayMessage,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  type ProtocolError,
  type RelayMessage,
} from "./sync/protocol.js";
