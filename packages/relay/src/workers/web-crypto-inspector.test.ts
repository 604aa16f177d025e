/**
 * The WebCrypto inspector agrees with the libsodium one the Node relay uses: same facts,
 * same verdicts on signed, tampered and foreign-key envelopes, same access-secret hashes.
 */
import {
  createDocumentKeys,
  deriveAccessSecret,
  hashAccessSecret,
  loadSodium,
  sealEnvelope,
  unwrap,
} from "@ridevault/core";
import { describe, expect, it } from "vitest";
import { createEnvelopeInspector } from "../envelope-inspector.js";
import { createWebCryptoInspector, hashAccessSecretBlake2b } from "./web-crypto-inspector.js";

describe("the WebCrypto envelope inspector", () => {
  it("reads the same facts and gives the same verdicts as the libsodium inspector", async () => {
    const sodium = await loadSodium();
    const keys = createDocumentKeys(sodium);
    const other = createDocumentKeys(sodium);
    const sealed = unwrap(
      sealEnvelope(sodium, {
        header: {
          kind: "change",
          docId: "7vqUq6DKgorSexouEZeEpi",
          generation: keys.generation,
          authorDevice: "0123456789abcdef" as never,
          counter: 7,
        },
        plaintext: new Uint8Array([1, 2, 3]),
        keys,
      }),
    );
    const web = createWebCryptoInspector();
    const node = createEnvelopeInspector(sodium);
    expect(web.inspect(sealed)).toEqual(node.inspect(sealed));
    expect(await web.verify(sealed, keys.writePublicKey)).toBe(true);
    expect(await web.verify(sealed, other.writePublicKey)).toBe(false);
    for (const index of [0, 40, sealed.length - 1]) {
      const tampered = sealed.slice();
      tampered[index] = (tampered[index] as number) ^ 0x40;
      expect(await web.verify(tampered, keys.writePublicKey)).toBe(
        node.verify(tampered, keys.writePublicKey),
      );
      expect(await web.verify(tampered, keys.writePublicKey)).toBe(false);
    }
    expect(await web.verify(sealed, new Uint8Array(31))).toBe(false);
    expect(web.inspect(new Uint8Array([1, 2, 3])).ok).toBe(false);
  });

  it("hashes access secrets exactly as documents register them", async () => {
    const sodium = await loadSodium();
    const secret = deriveAccessSecret(sodium, createDocumentKeys(sodium).readKey);
    expect(hashAccessSecretBlake2b(secret)).toEqual(hashAccessSecret(sodium, secret));
    expect(() => hashAccessSecretBlake2b(new Uint8Array(31))).toThrow(RangeError);
  });
});
