/**
 * Recovery codes (DESIGN.md §3): 20 random bytes (160 bits) shown once as 32 Crockford
 * base32 characters in groups of four, e.g. `7K3Q-…`. The code is a second way to the
 * account key: it derives its own login key pair (the relay stores the public half) and
 * its own wrapping key, through keyed BLAKE2b — no Argon2id is needed, since 160 random
 * bits cannot be guessed. Reading is forgiving: case, dashes and spaces do not matter, and
 * O/I/L read as 0/1/1.
 */
import type { Sodium } from "../crypto/sodium.js";
import type { Random } from "../runtime.js";
import { type DerivedAccountKeys, splitMasterSecret } from "./account-kdf.js";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_BYTES = 20;

/** A new recovery code: show it once, never store it. */
export function createRecoveryCode(random: Random): string {
  const bytes = random.bytes(CODE_BYTES);
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return (out.match(/.{4}/g) as string[]).join("-");
}

/** The 20 bytes of a recovery code, or undefined when it is not one. */
export function parseRecoveryCode(code: string): Uint8Array | undefined {
  const clean = code.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  if (clean.length !== 32) return undefined;
  const out = new Uint8Array(CODE_BYTES);
  let bits = 0;
  let value = 0;
  let index = 0;
  for (const char of clean) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) return undefined;
    value = ((value << 5) | digit) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out[index++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  return out;
}

/** The recovery login key pair and wrapping key of a parsed code. */
export function deriveRecoveryKeys(sodium: Sodium, codeBytes: Uint8Array): DerivedAccountKeys {
  const master = sodium.crypto_generichash(
    32,
    sodium.from_string("ridevault/account/recovery/v1"),
    codeBytes,
  );
  const keys = splitMasterSecret(sodium, master);
  sodium.memzero(master);
  return keys;
}
