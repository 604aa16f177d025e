/**
 * Login proofs: the device signs the relay's challenge with an Ed25519 key it derives from
 * the password (or from the recovery code); the relay verifies with the public key it
 * stored. The signed message binds the challenge id and bytes under a fixed context, so a
 * signature made for anything else never verifies here. Verification uses `node:crypto`,
 * so the relay needs no libsodium for accounts.
 */
import { createPrivateKey, createPublicKey, verify } from "node:crypto";

/** What the device signs: `"ridevault/login/v1\n" · challengeId · "\n" · challenge`. */
export function loginMessage(challengeId: string, challenge: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`ridevault/login/v1\n${challengeId}\n`);
  const out = new Uint8Array(prefix.length + challenge.length);
  out.set(prefix);
  out.set(challenge, prefix.length);
  return out;
}

// The DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it.
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** True when `signature` (64 bytes) over `message` verifies under the raw 32-byte `publicKey`. */
export function verifyLoginSignature(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = createPublicKey({
      key: Buffer.concat([SPKI_PREFIX, publicKey]),
      format: "der",
      type: "spki",
    });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

// The DER prefix of an Ed25519 PKCS#8 private key; the 32-byte seed follows it.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * The public key of the Ed25519 key pair with `seed` (32 bytes): a real curve point, so
 * checking a signature against it costs what checking against an account's key costs.
 */
export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return new Uint8Array(spki.subarray(SPKI_PREFIX.length));
}
