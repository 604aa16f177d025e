import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ClientMessage,
  decodeClientMessage,
  decodeRelayMessage,
  ERROR_CODES,
  encodeClientMessage,
  encodeRelayMessage,
  MAX_FRAME_BYTES,
  type RelayMessage,
} from "./protocol.js";

const docId = fc.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{16,40}$/);
const key = fc.uint8Array({ minLength: 32, maxLength: 32 });
const id = fc.nat();
const seq = fc.nat();
const envelope = fc.uint8Array({ maxLength: 600 });
/** Bytes that start like an envelope of `docId` (version, kind, id length, id), then anything. */
const envelopeOf = (id: string) =>
  fc
    .uint8Array({ maxLength: 600 })
    .map((rest) => Uint8Array.from([1, 0, id.length, ...new TextEncoder().encode(id), ...rest]));
const pushOf = <T extends "push" | "ephemeral">(type: T) =>
  fc
    .record({ id, docId })
    .chain(({ id, docId }) => envelopeOf(docId).map((envelope) => ({ type, id, docId, envelope })));

const clientMessage: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record({
    type: fc.constant("hello" as const),
    id,
    deviceId: fc.stringMatching(/^[0-9a-f]{16}$/),
    token: fc.option(fc.string({ minLength: 1, maxLength: 200 }), { nil: null }),
  }),
  fc.record({
    type: fc.constant("register" as const),
    id,
    docId,
    writePublicKey: key,
    accessHash: key,
  }),
  fc.record({
    type: fc.constant("subscribe" as const),
    id,
    docId,
    afterSeq: seq,
    accessSecret: key,
  }),
  fc.record({ type: fc.constant("unsubscribe" as const), id, docId }),
  pushOf("push"),
  pushOf("ephemeral"),
);

const relayMessage: fc.Arbitrary<RelayMessage> = fc.oneof(
  fc.record({
    type: fc.constant("welcome" as const),
    id,
    protocol: fc.nat(255),
    serverTime: fc.nat(),
  }),
  fc.record({ type: fc.constant("ack" as const), id, docId, seq, duplicate: fc.boolean() }),
  fc.record({ type: fc.constant("envelope" as const), docId, seq, envelope }),
  fc.record({ type: fc.constant("caught-up" as const), id, docId, seq }),
  fc.record({ type: fc.constant("ephemeral" as const), docId, envelope }),
  fc.record({
    type: fc.constant("error" as const),
    id,
    code: fc.constantFrom(...ERROR_CODES),
    message: fc.string({ maxLength: 200 }),
    docId: fc.option(docId, { nil: null }),
  }),
);

describe("wire protocol", () => {
  it("decode(encode(m)) = m for every client message", () => {
    fc.assert(
      fc.property(clientMessage, (m) => {
        expect(decodeClientMessage(encodeClientMessage(m))).toEqual({ ok: true, value: m });
      }),
      { numRuns: 500 },
    );
  });

  it("decode(encode(m)) = m for every relay message", () => {
    fc.assert(
      fc.property(relayMessage, (m) => {
        expect(decodeRelayMessage(encodeRelayMessage(m))).toEqual({ ok: true, value: m });
      }),
      { numRuns: 500 },
    );
  });

  it("takes a push's document from its envelope, and refuses to encode a mismatch", () => {
    const a = "4d3h4UghPqkj6TuVHYXfgr";
    const b = "7xKqLr2ZyWmN8pQvTbHcDs";
    const envelope = Uint8Array.from([1, 0, a.length, ...new TextEncoder().encode(a), 9, 9]);
    const frame = encodeClientMessage({ type: "push", id: 7, docId: a, envelope });
    expect(frame.length).toBe(2 + 1 + 1 + envelope.length);
    expect(decodeClientMessage(frame)).toEqual({
      ok: true,
      value: { type: "push", id: 7, docId: a, envelope },
    });
    expect(() => encodeClientMessage({ type: "push", id: 7, docId: b, envelope })).toThrow(
      RangeError,
    );
    // An unreadable header still decodes, with no document, so the relay can answer by id.
    const garbled = encodeClientMessage({
      type: "push",
      id: 8,
      docId: "",
      envelope: new Uint8Array([1]),
    });
    expect(decodeClientMessage(garbled)).toEqual({
      ok: true,
      value: { type: "push", id: 8, docId: "", envelope: new Uint8Array([1]) },
    });
  });

  it("rejects every truncation with bad-frame, never a throw", () => {
    fc.assert(
      fc.property(clientMessage, fc.nat(), (m, cut) => {
        const frame = encodeClientMessage(m);
        const decoded = decodeClientMessage(frame.subarray(0, cut % frame.length));
        expect(decoded.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on garbage", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const a = decodeClientMessage(bytes);
        const b = decodeRelayMessage(bytes);
        if (!a.ok) expect(["bad-frame", "unsupported-version"]).toContain(a.error.code);
        if (!b.ok) expect(["bad-frame", "unsupported-version"]).toContain(b.error.code);
      }),
      { numRuns: 2000 },
    );
  });

  it("names a protocol version mismatch and an oversized frame", () => {
    const frame = encodeClientMessage({
      type: "unsubscribe",
      id: 1,
      docId: "2VU1ULPhzqnoYdHke9wC87",
    });
    frame[0] = 1; // the version before this one
    const decoded = decodeClientMessage(frame);
    expect(decoded.ok ? "" : decoded.error.code).toBe("unsupported-version");
    const big = decodeClientMessage(new Uint8Array(MAX_FRAME_BYTES + 1));
    expect(big.ok ? "" : big.error.code).toBe("too-large");
  });

  it("refuses malformed fields: a short key, a bad document id, trailing bytes", () => {
    const register = encodeClientMessage({
      type: "register",
      id: 1,
      docId: "2VU1ULPhzqnoYdHke9wC87",
      writePublicKey: new Uint8Array(32),
      accessHash: new Uint8Array(32),
    });
    const short = register.slice(0, register.length - 1);
    short[short.length - 32] = 31;
    expect(decodeClientMessage(short).ok).toBe(false);
    const badId = encodeClientMessage({ type: "unsubscribe", id: 1, docId: "0OIl-not-base58!!" });
    expect(decodeClientMessage(badId).ok).toBe(false);
    const trailing = new Uint8Array([
      ...encodeClientMessage({ type: "unsubscribe", id: 1, docId: "2VU1ULPhzqnoYdHke9wC87" }),
      0,
    ]);
    const decoded = decodeClientMessage(trailing);
    expect(decoded.ok ? "" : decoded.error.message).toContain("trailing");
  });
});
