import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createDeviceId, type DeviceId } from "../ids.js";
import {
  decodeEnvelope,
  type EnvelopeHeader,
  encodeEnvelopeHeader,
  layOutEnvelope,
  MAX_CIPHERTEXT_BYTES,
  MAX_PLAINTEXT_BYTES,
  NONCE_BYTES,
  SIGNATURE_BYTES,
  TAG_BYTES,
} from "./envelope-format.js";
import { paddedLength } from "./padded-length.js";

// Structure only: these envelopes carry fake ciphertext and zero signatures.
const device = createDeviceId({ bytes: () => Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 255) });
const change: EnvelopeHeader = {
  kind: "change",
  docId: "4NMNnkH1Xh3Sy8pMTa5Lw6wZAuLG",
  generation: 0,
  authorDevice: device,
  counter: 1,
};

const deviceArb = fc
  .uint8Array({ minLength: 8, maxLength: 8 })
  .map((bytes): DeviceId => createDeviceId({ bytes: () => bytes }));
const docIdArb = fc
  .string({ minLength: 1, maxLength: 64, unit: "binary" })
  .filter((id) => new TextEncoder().encode(id).length <= 64);
const counterArb = fc.oneof(
  fc.integer({ min: 1, max: 1000 }),
  fc.maxSafeNat().filter((n) => n > 0),
);
const headerArb: fc.Arbitrary<EnvelopeHeader> = fc.oneof(
  fc.record({
    kind: fc.constantFrom("change" as const, "ephemeral" as const),
    docId: docIdArb,
    generation: fc.oneof(fc.nat(5), fc.maxSafeNat()),
    authorDevice: deviceArb,
    counter: counterArb,
  }),
  fc.record({
    kind: fc.constant("snapshot" as const),
    docId: docIdArb,
    generation: fc.oneof(fc.nat(5), fc.maxSafeNat()),
    authorDevice: deviceArb,
    counter: counterArb,
    coversSeq: fc.oneof(fc.nat(1000), fc.maxSafeNat()),
  }),
);

function fakeEnvelope(header: EnvelopeHeader, plaintextLength = 10): Uint8Array {
  const encoded = encodeEnvelopeHeader(header);
  if (!encoded.ok) throw new Error(encoded.error.message);
  const ciphertext = new Uint8Array(paddedLength(plaintextLength) + TAG_BYTES).fill(7);
  return layOutEnvelope(encoded.value, new Uint8Array(NONCE_BYTES), ciphertext).bytes;
}

function codeOf(bytes: Uint8Array): string {
  const decoded = decodeEnvelope(bytes);
  return decoded.ok ? "ok" : decoded.error.code;
}

describe("envelope format", () => {
  it("decodes every header it encodes, and splits the parts exactly", () => {
    fc.assert(
      fc.property(headerArb, fc.nat({ max: 5000 }), (header, length) => {
        const bytes = fakeEnvelope(header, length);
        const decoded = decodeEnvelope(bytes);
        expect(decoded.ok).toBe(true);
        if (!decoded.ok) return;
        const { headerBytes, nonce, ciphertext, signature, signedBytes } = decoded.value;
        expect(decoded.value.header).toEqual(header);
        expect(nonce).toHaveLength(NONCE_BYTES);
        expect(ciphertext).toHaveLength(paddedLength(length) + TAG_BYTES);
        expect(signature).toHaveLength(SIGNATURE_BYTES);
        expect(signedBytes.length + SIGNATURE_BYTES).toBe(bytes.length);
        expect(bytes.subarray(0, headerBytes.length)).toEqual(headerBytes);
      }),
      { numRuns: 300 },
    );
  });

  it("writes the documented layout", () => {
    const header: EnvelopeHeader = { ...change, kind: "snapshot", coversSeq: 300, docId: "ab" };
    const encoded = encodeEnvelopeHeader({ ...header, generation: 2, counter: 129 });
    expect(encoded.ok && [...encoded.value]).toEqual([
      2, 1, 2, 0x61, 0x62, 2, 1, 2, 3, 4, 5, 6, 7, 255, 0x81, 0x01, 0xac, 0x02,
    ]);
  });

  it("still reads version 1 envelopes, and says which version it read", () => {
    const v2 = fakeEnvelope(change);
    const v1 = v2.slice();
    v1[0] = 1;
    const current = decodeEnvelope(v2);
    expect(current.ok && current.value.version).toBe(2);
    const decoded = decodeEnvelope(v1);
    expect(decoded.ok && decoded.value.version).toBe(1);
  });

  it("refuses to encode invalid headers", () => {
    const bad: EnvelopeHeader[] = [
      { ...change, docId: "" },
      { ...change, docId: "x".repeat(65) },
      { ...change, docId: "é".repeat(33) },
      { ...change, docId: "\ud800" },
      { ...change, counter: 0 },
      { ...change, generation: -1 },
      { ...change, generation: 1.5 },
      { ...change, authorDevice: "not-a-device" as DeviceId },
      { ...change, kind: "snapshot", coversSeq: -1 },
    ];
    for (const header of bad) {
      const encoded = encodeEnvelopeHeader(header);
      expect(encoded.ok ? "ok" : encoded.error.code).toBe("malformed");
    }
    expect(encodeEnvelopeHeader({ ...change, docId: "é".repeat(32) }).ok).toBe(true);
  });

  it("keeps a byte-order mark in a document id", () => {
    const decoded = decodeEnvelope(fakeEnvelope({ ...change, docId: "\ufeffid" }));
    expect(decoded.ok && decoded.value.header.docId).toBe("\ufeffid");
  });

  it("names what is wrong with out-of-format bytes", () => {
    const good = fakeEnvelope(change);
    const at = (index: number, value: number) => good.map((b, i) => (i === index ? value : b));
    expect(codeOf(new Uint8Array(0))).toBe("truncated");
    expect(codeOf(at(0, 3))).toBe("unknown-version");
    expect(codeOf(at(0, 0))).toBe("unknown-version");
    expect(codeOf(at(1, 3))).toBe("malformed");
    expect(codeOf(at(2, 0))).toBe("malformed");
    expect(codeOf(at(2, 65))).toBe("malformed");
    expect(codeOf(at(3, 0xff))).toBe("malformed");
    expect(codeOf(Uint8Array.of(...good, 0))).toBe("malformed");
    const decoded = decodeEnvelope(good);
    if (!decoded.ok) throw new Error("fixture");
    const { headerBytes, nonce, ciphertext } = decoded.value;
    const unpadded = layOutEnvelope(headerBytes, nonce, ciphertext.subarray(1)).bytes;
    expect(codeOf(unpadded)).toBe("malformed");
  });

  it("refuses varints that are not minimal, or too long", () => {
    const prefix = [1, 0, 1, 0x61];
    const rest = [1, 2, 3, 4, 5, 6, 7, 8, 1, 0];
    expect(codeOf(Uint8Array.of(...prefix, 0x80, 0x00, ...rest))).toBe("malformed");
    expect(codeOf(Uint8Array.of(...prefix, ...new Array(8).fill(0xff), 1, ...rest))).toBe(
      "malformed",
    );
    expect(codeOf(Uint8Array.of(...prefix, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10))).toBe(
      "malformed",
    );
  });

  it("refuses a counter of 0 and a change that claims to cover a sequence", () => {
    const encoded = encodeEnvelopeHeader(change);
    if (!encoded.ok) throw new Error("fixture");
    const header = encoded.value;
    const withCounter = (counter: number, coversSeq: number) => {
      const bytes = header.slice();
      bytes[bytes.length - 2] = counter;
      bytes[bytes.length - 1] = coversSeq;
      const ciphertext = new Uint8Array(256 + TAG_BYTES);
      return layOutEnvelope(bytes, new Uint8Array(NONCE_BYTES), ciphertext).bytes;
    };
    expect(codeOf(withCounter(1, 0))).toBe("ok");
    expect(codeOf(withCounter(0, 0))).toBe("malformed");
    expect(codeOf(withCounter(1, 5))).toBe("malformed");
  });

  it("refuses content over the limit before anything else reads it", () => {
    const encoded = encodeEnvelopeHeader(change);
    if (!encoded.ok) throw new Error("fixture");
    const nonce = new Uint8Array(NONCE_BYTES);
    const largest = new Uint8Array(paddedLength(MAX_PLAINTEXT_BYTES) + TAG_BYTES);
    expect(largest.length).toBe(MAX_CIPHERTEXT_BYTES);
    expect(codeOf(layOutEnvelope(encoded.value, nonce, largest).bytes)).toBe("ok");
    const over = new Uint8Array(paddedLength(MAX_PLAINTEXT_BYTES + 40_000) + TAG_BYTES);
    const decoded = decodeEnvelope(layOutEnvelope(encoded.value, nonce, over).bytes);
    expect(decoded.ok ? "ok" : decoded.error).toMatchObject({ code: "too-large" });
  });

  it("gives an error for every truncation", () => {
    const bytes = fakeEnvelope({ ...change, kind: "snapshot", coversSeq: 1_000_000 }, 300);
    for (let length = 0; length < bytes.length; length++) {
      expect(codeOf(bytes.subarray(0, length))).toBe("truncated");
    }
  });

  it("never throws on random bytes", () => {
    const structured = fc
      .tuple(fc.constantFrom(0, 1, 2), fc.nat(70), fc.uint8Array({ maxLength: 400 }))
      .map(([kind, length, rest]) => Uint8Array.of(1, kind, length, ...rest));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 500 }), structured), (bytes) => {
        const decoded = decodeEnvelope(bytes);
        if (!decoded.ok) expect(decoded.error.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 3000 },
    );
    expect(codeOf("not bytes" as unknown as Uint8Array)).toBe("malformed");
  });
});
