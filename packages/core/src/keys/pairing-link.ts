/**
 * Pairing a new device without typing the password (DESIGN.md §3): an existing device makes
 * a one-time **link** (`ridevault-pair-1.<32 random bytes, base64url>`, shown as a QR code)
 * and leaves the library access, sealed to the link's secret, in a mailbox on the relay. The
 * mailbox id and the sealing key are both derived from the secret with keyed BLAKE2b under
 * different contexts, so the relay — which sees only the id — can neither derive the key
 * nor open the mailbox. The relay hands the mailbox out once, for a few minutes.
 */
import type { Sodium } from "../crypto/sodium.js";
import { err, ok, type Result } from "../result.js";
import type { Random } from "../runtime.js";
import type { LibraryAccess } from "./account-bundle.js";
import { decodeDocumentKeys, encodeDocumentKeys } from "./encode-document-keys.js";

const PREFIX = "ridevault-pair-1.";
const CONTEXT = "ridevault/pairing/v1";

/** The link does not open the mailbox, or the mailbox is damaged. */
export interface PairingCorruptError {
  readonly code: "pairing-corrupt";
  readonly message: string;
}

/** What a link's secret gives: the mailbox id (for the relay) and the key (never sent). */
export interface PairingKeys {
  /** 16 bytes, base64url. */
  readonly mailboxId: string;
  readonly key: Uint8Array;
}

/** A new one-time link and its keys. */
export function createPairingLink(sodium: Sodium, random: Random): { link: string } & PairingKeys {
  const secret = random.bytes(32);
  const link = `${PREFIX}${sodium.to_base64(secret, sodium.base64_variants.URLSAFE_NO_PADDING)}`;
  return { link, ...pairingKeys(sodium, secret) };
}

/** The keys of a link, or undefined when it is not a pairing link. */
export function parsePairingLink(sodium: Sodium, link: string): PairingKeys | undefined {
  const text = link.trim();
  if (!text.startsWith(PREFIX)) return undefined;
  try {
    const secret = sodium.from_base64(
      text.slice(PREFIX.length),
      sodium.base64_variants.URLSAFE_NO_PADDING,
    );
    return secret.length === 32 ? pairingKeys(sodium, secret) : undefined;
  } catch {
    return undefined;
  }
}

/** Seals `library` for the mailbox of `keys`. */
export function sealPairing(
  sodium: Sodium,
  random: Random,
  keys: PairingKeys,
  library: LibraryAccess,
): Uint8Array {
  const plaintext = sodium.from_string(
    JSON.stringify({
      libraryId: library.libraryId,
      libraryKeys: sodium.to_base64(encodeDocumentKeys(library.libraryKeys)),
    }),
  );
  const nonce = random.bytes(24);
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    plaintext,
    sodium.from_string(`${CONTEXT}\n${keys.mailboxId}`),
    null,
    nonce,
    keys.key,
  );
  const out = new Uint8Array(24 + ciphertext.length);
  out.set(nonce);
  out.set(ciphertext, 24);
  return out;
}

/** Opens a mailbox's contents with the link's keys. */
export function openPairing(
  sodium: Sodium,
  keys: PairingKeys,
  sealed: Uint8Array,
): Result<LibraryAccess, PairingCorruptError> {
  const corrupt = () =>
    err<PairingCorruptError>({
      code: "pairing-corrupt",
      message: "the pairing mailbox does not open with this link: make a new link and try again",
    });
  if (sealed.length < 24 + 16) return corrupt();
  try {
    const plaintext = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      sealed.subarray(24),
      sodium.from_string(`${CONTEXT}\n${keys.mailboxId}`),
      sealed.subarray(0, 24),
      keys.key,
    );
    const value = JSON.parse(sodium.to_string(plaintext)) as Record<string, unknown>;
    if (typeof value.libraryId !== "string" || typeof value.libraryKeys !== "string")
      return corrupt();
    const libraryKeys = decodeDocumentKeys(sodium.from_base64(value.libraryKeys));
    if (typeof libraryKeys === "string") return corrupt();
    return ok({ libraryId: value.libraryId, libraryKeys });
  } catch {
    return corrupt();
  }
}

function pairingKeys(sodium: Sodium, secret: Uint8Array): PairingKeys {
  const id = sodium.crypto_generichash(16, sodium.from_string(`${CONTEXT}/mailbox-id`), secret);
  const key = sodium.crypto_generichash(32, sodium.from_string(`${CONTEXT}/key`), secret);
  return { mailboxId: sodium.to_base64(id, sodium.base64_variants.URLSAFE_NO_PADDING), key };
}
