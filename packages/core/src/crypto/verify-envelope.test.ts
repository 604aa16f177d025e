import { describe, expect, it } from "vitest";
import { createDeviceId, type DeviceId } from "../ids.js";
import { unwrap } from "../result.js";
import { createSeededRandom } from "../runtime.js";
import { createDocumentKeys } from "./document-keys.js";
import { sealEnvelope } from "./envelope.js";
import { decodeEnvelope } from "./envelope-format.js";
import { loadSodium } from "./sodium.js";
import { verifyEnvelope } from "./verify-envelope.js";

const sodium = await loadSodium();
const keys = createDocumentKeys(sodium);
const authorDevice: DeviceId = createDeviceId(createSeededRandom(1));
const sealed = unwrap(
  sealEnvelope(sodium, {
    header: { kind: "change", docId: "doc", generation: 0, authorDevice, counter: 1 },
    plaintext: sodium.from_string("a sealed chunk"),
    keys,
  }),
);
const decoded = unwrap(decodeEnvelope(sealed));

describe("verifyEnvelope", () => {
  it("accepts an envelope signed by the document's write key", () => {
    expect(verifyEnvelope(sodium, decoded, keys.writePublicKey)).toBe(true);
  });

  it("needs only Ed25519 verification (what a relay can hold)", () => {
    const verifier = { crypto_sign_verify_detached: sodium.crypto_sign_verify_detached };
    expect(verifyEnvelope(verifier, decoded, keys.writePublicKey)).toBe(true);
  });

  it("rejects another document's write key", () => {
    const other = createDocumentKeys(sodium);
    expect(verifyEnvelope(sodium, decoded, other.writePublicKey)).toBe(false);
  });

  it("rejects any change to the signed bytes or the signature", () => {
    for (const index of [0, 5, decoded.signedBytes.length - 1, sealed.length - 1]) {
      const altered = sealed.slice();
      altered[index] = (altered[index] ?? 0) ^ 0x01;
      const parsed = decodeEnvelope(altered);
      if (parsed.ok) expect(verifyEnvelope(sodium, parsed.value, keys.writePublicKey)).toBe(false);
    }
  });

  it("throws for a public key of the wrong length (a programming error)", () => {
    expect(() => verifyEnvelope(sodium, decoded, new Uint8Array(31))).toThrow(RangeError);
  });
});
