/**
 * `@ridevault/core/protocol`: what a relay needs from the core library — the wire protocol
 * and envelope headers — and nothing that can decrypt (DESIGN.md §1).
 */
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
