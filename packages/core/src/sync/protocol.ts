/**
 * The wire protocol between devices and the relay (DESIGN.md §4, docs/protocol.md): binary
 * frames, one WebSocket per vault multiplexing all documents. Every frame is `protocol
 * version u8 (=3) · message type u8 · fields…`, integers as LEB128 varints, strings and
 * bytes length-prefixed. Version 2 dropped the document id from `push` and `ephemeral` (the
 * envelope's header names it); version 3 added live viewing (`watch`, `watchers`) and the
 * sharing codes `read-only` and `key-rotated`. Messages are discriminated unions split by
 * direction; `decodeClientMessage`/`decodeRelayMessage` validate every field and never
 * throw: a bad frame is a `ProtocolError` value. No key here, nothing decrypted; the relay
 * imports it.
 */

import { ByteReader, ByteWriter, DecodeError } from "../bytes.js";
import { err, ok, type Result } from "../result.js";

/** The protocol version this library speaks. */
export const PROTOCOL_VERSION = 3;
/** The largest frame either side accepts (an envelope of up to 1 MiB plus framing). */
export const MAX_FRAME_BYTES = 1024 * 1024 + 4096;

/** Messages a device sends. `id` correlates the relay's `ack`/`error`. */
export type ClientMessage =
  | {
      readonly type: "hello";
      readonly id: number;
      readonly deviceId: string;
      readonly token: string | null;
    }
  | {
      readonly type: "register";
      readonly id: number;
      readonly docId: string;
      readonly writePublicKey: Uint8Array;
      readonly accessHash: Uint8Array;
    }
  | {
      readonly type: "subscribe";
      readonly id: number;
      readonly docId: string;
      readonly afterSeq: number;
      readonly accessSecret: Uint8Array;
    }
  | { readonly type: "unsubscribe"; readonly id: number; readonly docId: string }
  | {
      readonly type: "push";
      readonly id: number;
      /**
       * The document the envelope's header names: not sent separately. Decoding gives ""
       * when the header is unreadable, so the relay can answer with the message's id.
       */
      readonly docId: string;
      readonly envelope: Uint8Array;
    }
  | {
      readonly type: "ephemeral";
      readonly id: number;
      /** As for `push`: taken from the envelope's header. */
      readonly docId: string;
      readonly envelope: Uint8Array;
    }
  | {
      /**
       * Starts (`on`) or stops watching a subscribed document's live (ephemeral) messages: a
       * coach watching a ride. The relay counts watchers and tells the document's
       * subscribers, so a recording device sends its live ride only while watched; the
       * messages go to every subscriber of the document (the rider's other devices too).
       */
      readonly type: "watch";
      readonly id: number;
      readonly docId: string;
      readonly on: boolean;
    };

/** Messages the relay sends. */
export type RelayMessage =
  | {
      readonly type: "welcome";
      readonly id: number;
      readonly protocol: number;
      readonly serverTime: number;
    }
  | {
      readonly type: "ack";
      readonly id: number;
      readonly docId: string;
      readonly seq: number;
      readonly duplicate: boolean;
    }
  | {
      readonly type: "envelope";
      readonly docId: string;
      readonly seq: number;
      readonly envelope: Uint8Array;
    }
  | {
      readonly type: "caught-up";
      readonly id: number;
      readonly docId: string;
      readonly seq: number;
    }
  | { readonly type: "ephemeral"; readonly docId: string; readonly envelope: Uint8Array }
  | {
      /** How many connections watch the document now; sent to its subscribers on change. */
      readonly type: "watchers";
      readonly docId: string;
      readonly count: number;
    }
  | {
      readonly type: "error";
      readonly id: number;
      readonly code: ErrorCode;
      readonly message: string;
      readonly docId: string | null;
    };

/** Error codes the relay sends, each with a documented meaning (docs/protocol.md). */
export const ERROR_CODES = [
  "bad-frame",
  "unsupported-version",
  "not-authenticated",
  "forbidden",
  "unknown-document",
  "document-exists",
  "bad-signature",
  "stale-counter",
  "too-large",
  "rate-limited",
  "quota-exceeded",
  "read-only",
  "key-rotated",
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A frame that could not be decoded. */
export interface ProtocolError {
  readonly code: "bad-frame" | "unsupported-version" | "too-large";
  readonly message: string;
}

const CLIENT_TYPES = [
  "hello",
  "register",
  "subscribe",
  "unsubscribe",
  "push",
  "ephemeral",
  "watch",
] as const;
const RELAY_TYPES = [
  "welcome",
  "ack",
  "envelope",
  "caught-up",
  "ephemeral",
  "error",
  "watchers",
] as const;
const DOC_ID = /^[1-9A-HJ-NP-Za-km-z]{16,64}$/;
const DEVICE_ID = /^[0-9a-f]{16}$/;

/** Encodes a device's message. */
export function encodeClientMessage(message: ClientMessage): Uint8Array {
  const w = header(CLIENT_TYPES.indexOf(message.type));
  w.uint(message.id);
  switch (message.type) {
    case "hello":
      text(w, message.deviceId);
      text(w, message.token ?? "");
      break;
    case "register":
      text(w, message.docId);
      w.blob(message.writePublicKey);
      w.blob(message.accessHash);
      break;
    case "subscribe":
      text(w, message.docId);
      w.uint(message.afterSeq);
      w.blob(message.accessSecret);
      break;
    case "unsubscribe":
      text(w, message.docId);
      break;
    case "push":
    case "ephemeral":
      if (envelopeDocId(message.envelope) !== message.docId) {
        throw new RangeError(`this envelope does not belong to document ${message.docId}`);
      }
      w.blob(message.envelope);
      break;
    case "watch":
      text(w, message.docId);
      w.byte(message.on ? 1 : 0);
      break;
  }
  return w.finish();
}

/** Encodes a relay message. */
export function encodeRelayMessage(message: RelayMessage): Uint8Array {
  const w = header(RELAY_TYPES.indexOf(message.type));
  switch (message.type) {
    case "welcome":
      w.uint(message.id);
      w.uint(message.protocol);
      w.uint(message.serverTime);
      break;
    case "ack":
      w.uint(message.id);
      text(w, message.docId);
      w.uint(message.seq);
      w.byte(message.duplicate ? 1 : 0);
      break;
    case "envelope":
      text(w, message.docId);
      w.uint(message.seq);
      w.blob(message.envelope);
      break;
    case "caught-up":
      w.uint(message.id);
      text(w, message.docId);
      w.uint(message.seq);
      break;
    case "ephemeral":
      text(w, message.docId);
      w.blob(message.envelope);
      break;
    case "error":
      w.uint(message.id);
      text(w, message.code);
      text(w, message.message);
      text(w, message.docId ?? "");
      break;
    case "watchers":
      text(w, message.docId);
      w.uint(message.count);
      break;
  }
  return w.finish();
}

/** Decodes and validates a frame from a device. */
export function decodeClientMessage(frame: Uint8Array): Result<ClientMessage, ProtocolError> {
  return decode(frame, CLIENT_TYPES, (type, r) => {
    const id = r.uint();
    switch (type) {
      case "hello": {
        const deviceId = readText(r, 16);
        if (!DEVICE_ID.test(deviceId)) throw new DecodeError("deviceId must be 16 hex digits");
        const token = readText(r, 8192);
        return { type, id, deviceId, token: token === "" ? null : token };
      }
      case "register":
        return {
          type,
          id,
          docId: readDocId(r),
          writePublicKey: readKey(r, 32),
          accessHash: readKey(r, 32),
        };
      case "subscribe":
        return { type, id, docId: readDocId(r), afterSeq: r.uint(), accessSecret: readKey(r, 32) };
      case "unsubscribe":
        return { type, id, docId: readDocId(r) };
      case "push":
      case "ephemeral": {
        const envelope = r.blob().slice();
        return { type, id, docId: envelopeDocId(envelope), envelope };
      }
      case "watch": {
        const docId = readDocId(r);
        const on = r.byte();
        if (on > 1) throw new DecodeError("watch must be 0 or 1");
        return { type, id, docId, on: on === 1 };
      }
    }
  });
}

/** Decodes and validates a frame from the relay. */
export function decodeRelayMessage(frame: Uint8Array): Result<RelayMessage, ProtocolError> {
  return decode(frame, RELAY_TYPES, (type, r) => {
    switch (type) {
      case "welcome":
        return { type, id: r.uint(), protocol: r.uint(), serverTime: r.uint() };
      case "ack": {
        const id = r.uint();
        const docId = readDocId(r);
        const seq = r.uint();
        return { type, id, docId, seq, duplicate: r.byte() === 1 };
      }
      case "envelope":
        return { type, docId: readDocId(r), seq: r.uint(), envelope: r.blob().slice() };
      case "caught-up":
        return { type, id: r.uint(), docId: readDocId(r), seq: r.uint() };
      case "ephemeral":
        return { type, docId: readDocId(r), envelope: r.blob().slice() };
      case "error": {
        const id = r.uint();
        const code = readText(r, 64);
        if (!(ERROR_CODES as readonly string[]).includes(code))
          throw new DecodeError(`unknown error code ${code}`);
        const message = readText(r, 4096);
        const docId = readText(r, 64);
        return { type, id, code: code as ErrorCode, message, docId: docId === "" ? null : docId };
      }
      case "watchers":
        return { type, docId: readDocId(r), count: r.uint() };
    }
  });
}

function header(typeIndex: number): ByteWriter {
  const w = new ByteWriter(64);
  w.byte(PROTOCOL_VERSION);
  w.byte(typeIndex);
  return w;
}

function decode<T extends string, M>(
  frame: Uint8Array,
  types: readonly T[],
  read: (type: T, reader: ByteReader) => M,
): Result<M, ProtocolError> {
  if (frame.length > MAX_FRAME_BYTES) {
    return err({
      code: "too-large",
      message: `frame of ${frame.length} bytes exceeds ${MAX_FRAME_BYTES}`,
    });
  }
  if (frame.length < 2) return err({ code: "bad-frame", message: "frame shorter than its header" });
  if (frame[0] !== PROTOCOL_VERSION) {
    return err({
      code: "unsupported-version",
      message: `protocol version ${String(frame[0])} is not supported (this side speaks ${PROTOCOL_VERSION}); update the app or the relay`,
    });
  }
  const type = types[frame[1] as number];
  if (type === undefined)
    return err({ code: "bad-frame", message: `unknown message type ${String(frame[1])}` });
  try {
    const reader = new ByteReader(frame, 2);
    const message = read(type, reader);
    if (!reader.done) throw new DecodeError("trailing bytes");
    return ok(message);
  } catch (error) {
    if (error instanceof DecodeError)
      return err({ code: "bad-frame", message: `bad ${type} frame: ${error.message}` });
    throw error;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function text(w: ByteWriter, value: string): void {
  w.blob(encoder.encode(value));
}

function readText(r: ByteReader, maxBytes: number): string {
  const bytes = r.blob();
  if (bytes.length > maxBytes) throw new DecodeError(`text longer than ${maxBytes} bytes`);
  try {
    return decoder.decode(bytes);
  } catch {
    throw new DecodeError("text is not valid UTF-8");
  }
}

/**
 * The document id in an envelope's header (`version · kind · idLength u8 · id`, see
 * crypto/envelope-format.ts), or "" when it is not readable as one; the relay checks the
 * whole envelope afterwards.
 */
function envelopeDocId(envelope: Uint8Array): string {
  const length = envelope[2];
  if (length === undefined || envelope.length < 3 + length) return "";
  try {
    const docId = decoder.decode(envelope.subarray(3, 3 + length));
    return DOC_ID.test(docId) ? docId : "";
  } catch {
    return "";
  }
}

function readDocId(r: ByteReader): string {
  const docId = readText(r, 64);
  if (!DOC_ID.test(docId)) throw new DecodeError("docId is not a document id");
  return docId;
}

function readKey(r: ByteReader, length: number): Uint8Array {
  const key = r.blob();
  if (key.length !== length)
    throw new DecodeError(`expected a ${length}-byte key, got ${key.length}`);
  return key.slice();
}
