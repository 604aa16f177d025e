/** Share proofs: valid only for the exact action, document and fields, by the write key. */
import { beforeAll, describe, expect, it } from "vitest";
import { createDocumentKeys, type DocumentKeys } from "../crypto/document-keys.js";
import { loadSodium, type Sodium } from "../crypto/sodium.js";
import { shareProofMessage, signShareProof, verifyShareProof } from "./share-proof.js";

let sodium: Sodium;
let keys: DocumentKeys;
beforeAll(async () => {
  sodium = await loadSodium();
  keys = createDocumentKeys(sodium);
});

describe("share proof", () => {
  it("verifies for the signed message only", () => {
    const secret = keys.writeKey?.secretKey as Uint8Array;
    const message = shareProofMessage("rotate", "2x8Lib7zWq3vK9ptRmNc", [1, "abc", null]);
    const signature = signShareProof(sodium, message, secret);
    expect(verifyShareProof(sodium, message, signature, keys.writePublicKey)).toBe(true);
    const otherAction = shareProofMessage("create-grant", "2x8Lib7zWq3vK9ptRmNc", [1, "abc", null]);
    expect(verifyShareProof(sodium, otherAction, signature, keys.writePublicKey)).toBe(false);
    const otherField = shareProofMessage("rotate", "2x8Lib7zWq3vK9ptRmNc", [2, "abc", null]);
    expect(verifyShareProof(sodium, otherField, signature, keys.writePublicKey)).toBe(false);
    const otherKey = createDocumentKeys(sodium).writePublicKey;
    expect(verifyShareProof(sodium, message, signature, otherKey)).toBe(false);
    expect(verifyShareProof(sodium, message, signature.slice(0, 10), keys.writePublicKey)).toBe(
      false,
    );
    expect(verifyShareProof(sodium, message, signature, new Uint8Array(5))).toBe(false);
  });
});
