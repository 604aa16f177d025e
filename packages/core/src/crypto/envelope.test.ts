import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createDeviceId, type DeviceId } from "../ids.js";
import { unwrap } from "../result.js";
import { createSeededRandom } from "../runtime.js";
import { createDocumentKeys, type DocumentKeys, readOnly } from "./document-keys.js";
import { openEnvelope, sealEnvelope } from "./envelope.js";
import { ENVELOPE_ERROR_CODES } from "./envelope-error.js";
import {
  decodeEnvelope,
  type EnvelopeHeader,
  encodeEnvelopeHeader,
  layOutEnvelope,
  MAX_PLAINTEXT_BYTES,
} from "./envelope-format.js";
import { loadSodium } from "./sodium.js";
import { verifyEnvelope } from "./verify-envelope.js";

const sodium = await loadSodium();
const keys = createDocumentKeys(sodium);
const authorDevice: DeviceId = createDeviceId(createSeededRandom(42));
const change: EnvelopeHeader = {
  kind: "change",
  docId: "4NMNnkH1Xh3Sy8pMTa5Lw6wZAuLG",
  generation: 0,
  authorDevice,
  counter: 17,
};
// A flip that changes the key generation (or the layout before it) names a generation the
// reader does not hold; without those keys nobody can tell tampering from a rotation.
const FLIP_ERRORS = ["tampered", "malformed", "truncated", "unknown-version", "unknown-generation"];

function seal(
  plaintext: Uint8Array,
  header: EnvelopeHeader = change,
  with_: DocumentKeys = keys,
): Uint8Array {
  return unwrap(sealEnvelope(sodium, { header, plaintext, keys: with_ }));
}

function codeOf(bytes: Uint8Array, with_: DocumentKeys | Map<number, DocumentKeys> = keys) {
  const opened = openEnvelope(sodium, bytes, with_);
  return opened.ok ? "ok" : opened.error.code;
}

const bytesArb = (max: number) =>
  fc.oneof(
    fc.uint8Array({ maxLength: 600 }),
    fc
      .tuple(fc.nat({ max }), fc.integer())
      .map(([length, seed]) => createSeededRandom(seed).bytes(length)),
  );
const headerArb: fc.Arbitrary<EnvelopeHeader> = fc
  .record({
    kind: fc.constantFrom("change" as const, "snapshot" as const, "ephemeral" as const),
    docId: fc.string({ minLength: 1, maxLength: 40 }),
    counter: fc.integer({ min: 1, max: 2 ** 40 }),
    coversSeq: fc.nat(),
    device: fc.uint8Array({ minLength: 8, maxLength: 8 }),
  })
  .map(({ kind, coversSeq, device, ...rest }): EnvelopeHeader => {
    const fields = {
      ...rest,
      generation: 0,
      authorDevice: createDeviceId({ bytes: () => device }),
    };
    return kind === "snapshot" ? { kind, ...fields, coversSeq } : { kind, ...fields };
  });

describe("sealEnvelope and openEnvelope", () => {
  it("open ∘ seal is the identity for any plaintext (0–100 KB), header and kind", () => {
    fc.assert(
      fc.property(bytesArb(100_000), headerArb, (plaintext, header) => {
        const opened = openEnvelope(sodium, seal(plaintext, header), keys);
        expect(opened.ok).toBe(true);
        if (!opened.ok) return;
        expect(opened.value.header).toEqual(header);
        // toEqual walks 100 KB element by element (~0.3 s); Buffer.equals is a memcmp.
        expect(Buffer.from(opened.value.plaintext).equals(plaintext)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("uses a fresh nonce every time, or the injected randomness", () => {
    const plaintext = sodium.from_string("same content");
    expect(seal(plaintext)).not.toEqual(seal(plaintext));
    const sealWith = (seed: number) =>
      unwrap(
        sealEnvelope(sodium, { header: change, plaintext, keys, random: createSeededRandom(seed) }),
      );
    expect(sealWith(3)).toEqual(sealWith(3));
  });

  it("gives an error, never a throw, for every single-bit flip of an envelope", () => {
    const sealed = seal(createSeededRandom(9).bytes(300), {
      ...change,
      kind: "snapshot",
      coversSeq: 9,
    });
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const flipped = sealed.slice();
      flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      const code = codeOf(flipped);
      if (!FLIP_ERRORS.includes(code)) throw new Error(`bit ${bit} gave ${code}`);
      const decoded = decodeEnvelope(flipped);
      if (decoded.ok)
        expect(verifyEnvelope(sodium, decoded.value, keys.writePublicKey)).toBe(false);
    }
  });

  it("detects a flipped bit anywhere in random envelopes", () => {
    fc.assert(
      fc.property(bytesArb(5000), headerArb, fc.nat(), (plaintext, header, position) => {
        const flipped = seal(plaintext, header);
        const bit = position % (flipped.length * 8);
        flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        expect(FLIP_ERRORS).toContain(codeOf(flipped));
      }),
      { numRuns: 300 },
    );
  });

  it("gives an error for every truncation", () => {
    const sealed = seal(createSeededRandom(5).bytes(700));
    for (let length = 0; length < sealed.length; length++) {
      expect(codeOf(sealed.subarray(0, length))).toBe("truncated");
    }
    fc.assert(
      fc.property(bytesArb(100_000), fc.nat(), (plaintext, cut) => {
        const sealed = seal(plaintext);
        expect(codeOf(sealed.subarray(0, cut % sealed.length))).toBe("truncated");
      }),
      { numRuns: 100 },
    );
  });

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        expect(ENVELOPE_ERROR_CODES).toContain(codeOf(bytes));
        expect(ENVELOPE_ERROR_CODES).toContain(codeOf(Uint8Array.of(1, ...bytes)));
      }),
      { numRuns: 2000 },
    );
  });

  it("says wrong-key when the signature verifies but the read key does not fit", () => {
    const sealed = seal(sodium.from_string("ride"));
    const otherReadKey = { ...keys, readKey: createDocumentKeys(sodium).readKey };
    const opened = openEnvelope(sodium, sealed, otherReadKey);
    expect(opened.ok ? "ok" : opened.error).toMatchObject({ code: "wrong-key", generation: 0 });
  });

  it("says tampered for another document's keys", () => {
    expect(codeOf(seal(sodium.from_string("ride")), createDocumentKeys(sodium))).toBe("tampered");
  });

  it("binds the header to the content: a writer cannot move content under another header", () => {
    const decoded = unwrap(decodeEnvelope(seal(sodium.from_string("ride"))));
    const moved = unwrap(encodeEnvelopeHeader({ ...change, counter: change.counter + 1 }));
    const envelope = layOutEnvelope(moved, decoded.nonce, decoded.ciphertext);
    const secretKey = keys.writeKey?.secretKey ?? new Uint8Array(0);
    envelope.signature.set(sodium.crypto_sign_detached(envelope.signedBytes, secretKey));
    expect(codeOf(envelope.bytes)).toBe("wrong-key");
  });

  it("lets a read-only holder open, never seal", () => {
    const reader = readOnly(keys);
    const opened = openEnvelope(sodium, seal(sodium.from_string("ride")), reader);
    expect(opened.ok && sodium.to_string(opened.value.plaintext)).toBe("ride");
    const sealed = sealEnvelope(sodium, {
      header: change,
      plaintext: new Uint8Array(1),
      keys: reader,
    });
    expect(sealed.ok ? "ok" : sealed.error.code).toBe("read-only");
  });

  it("opens each generation with its keys and names a missing generation", () => {
    const next = createDocumentKeys(sodium, 1);
    const old = seal(sodium.from_string("old"));
    const fresh = seal(sodium.from_string("new"), { ...change, generation: 1 }, next);
    const keysByGeneration = new Map([
      [0, keys],
      [1, next],
    ]);
    expect(codeOf(old, keysByGeneration)).toBe("ok");
    expect(codeOf(fresh, keysByGeneration)).toBe("ok");
    expect(codeOf(fresh, keys)).toBe("unknown-generation");
    const opened = openEnvelope(sodium, fresh, new Map([[0, keys]]));
    expect(opened.ok ? "ok" : opened.error).toMatchObject({
      code: "unknown-generation",
      generation: 1,
    });
    const sealed = sealEnvelope(sodium, {
      header: change,
      plaintext: new Uint8Array(1),
      keys: next,
    });
    expect(sealed.ok ? "ok" : sealed.error.code).toBe("unknown-generation");
  });

  it("refuses plaintexts over the limit and seals the largest allowed", () => {
    const largest = new Uint8Array(MAX_PLAINTEXT_BYTES);
    expect(codeOf(seal(largest))).toBe("ok");
    const over = sealEnvelope(sodium, {
      header: change,
      plaintext: new Uint8Array(MAX_PLAINTEXT_BYTES + 1),
      keys,
    });
    expect(over.ok ? "ok" : over.error.code).toBe("too-large");
  });

  it("refuses an invalid header", () => {
    const sealed = sealEnvelope(sodium, {
      header: { ...change, counter: 0 },
      plaintext: new Uint8Array(1),
      keys,
    });
    expect(sealed.ok ? "ok" : sealed.error.code).toBe("malformed");
  });
});

describe("padding", () => {
  // Random bytes do not compress, so these measure padding and framing alone.
  const noise = (length: number) => createSeededRandom(length).bytes(length);

  it("hides exact sizes: 300 and 310 bytes seal to the same length", () => {
    expect(seal(noise(300)).length).toBe(seal(noise(310)).length);
    // One byte of content coding goes inside the padding.
    expect(seal(noise(0)).length).toBe(seal(noise(62)).length);
    expect(seal(noise(63)).length).toBeGreaterThan(seal(noise(62)).length);
  });

  it("costs little for typical sizes: 500 B changes and 60 KB snapshots", () => {
    const overhead = (length: number) => seal(noise(length)).length - length;
    // Header (42 B with a 28-character id), nonce, length, tag and signature are ~150 B.
    expect(overhead(500)).toBe(12 + 148);
    expect(overhead(60_000)).toBeLessThanOrEqual(1440 + 150);
    expect(overhead(61_440)).toBeLessThanOrEqual(2048 + 150);
  });

  it("deflates content that compresses, and opens it to the same bytes", () => {
    const repetitive = new Uint8Array(2000).map((_, i) => i % 7);
    const sealed = seal(repetitive);
    expect(sealed.length).toBeLessThan(seal(noise(2000)).length / 4);
    const opened = openEnvelope(sodium, sealed, keys);
    expect(opened.ok && opened.value.plaintext).toEqual(repetitive);
  });
});
