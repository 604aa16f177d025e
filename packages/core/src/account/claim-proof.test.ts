/** The claim message binds the action, the document and the account: no signature moves. */
import { describe, expect, it } from "vitest";
import { loadSodium } from "../crypto/sodium.js";
import { CLAIM_PROOF_CONTEXT, claimProofMessage } from "./claim-proof.js";

describe("claim proof", () => {
  it("names the action, document and account, and verifies for those only", async () => {
    const sodium = await loadSodium();
    const message = claimProofMessage("5RtYq8ZnW2kP7mVx3Hc9", "acc-1");
    expect(new TextDecoder().decode(message)).toBe(
      `${CLAIM_PROOF_CONTEXT}\n5RtYq8ZnW2kP7mVx3Hc9\nacc-1`,
    );
    const keys = sodium.crypto_sign_keypair();
    const signature = sodium.crypto_sign_detached(message, keys.privateKey);
    const verifies = (m: Uint8Array) =>
      sodium.crypto_sign_verify_detached(signature, m, keys.publicKey);
    expect(verifies(message)).toBe(true);
    expect(verifies(claimProofMessage("5RtYq8ZnW2kP7mVx3Hc9", "acc-2"))).toBe(false);
    expect(verifies(claimProofMessage("6RtYq8ZnW2kP7mVx3Hc9", "acc-1"))).toBe(false);
  });
});
