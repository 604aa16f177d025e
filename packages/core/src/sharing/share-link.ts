/**
 * Share links (docs/sharing.md): one 32-byte random **link secret**, carried only in a URL
 * fragment (`#share=rvshare1.<secret>.<check>`, base64url), which browsers never send to a
 * server. Everything else is derived from it with keyed BLAKE2b under separate contexts:
 *
 * - the **capability** the holder presents to the relay (the relay stores only its hash);
 * - the **keyring key** that opens the document keys the relay keeps for the grant;
 * - the **grant id** that names the grant in the owner's requests.
 *
 * So the relay, which sees the capability and the grant id, can derive neither the keyring
 * key nor the secret. The 4-byte check catches a mistyped or truncated link locally, with a
 * clear error, before anything is asked of the relay.
 */
import type { Sodium } from "../crypto/sodium.js";
import { bytesToHex } from "../ids.js";
import { err, ok, type Result } from "../result.js";
import type { Random } from "../runtime.js";

/** The token's prefix: format version 1. */
export const SHARE_LINK_PREFIX = "rvshare1";
/** Bytes of a link secret. */
export const SHARE_SECRET_BYTES = 32;
const CHECK_BYTES = 4;

/** A share link that cannot be read. */
export interface ShareLinkError {
  readonly code: "share-link-invalid";
  readonly message: string;
}

/** What a link secret gives. */
export interface ShareKeys {
  /** What the holder presents to the relay as a document's access secret (32 bytes). */
  readonly capability: Uint8Array;
  /** Opens the grant's keyring (32 bytes, never sent). */
  readonly keyringKey: Uint8Array;
  /** 32 lowercase hex digits. */
  readonly grantId: string;
}

/** A fresh link secret. */
export function createShareSecret(random: Random): Uint8Array {
  return random.bytes(SHARE_SECRET_BYTES);
}

/** The keys derived from a link secret. Throws for a secret of the wrong length. */
export function deriveShareKeys(sodium: Sodium, secret: Uint8Array): ShareKeys {
  if (secret.length !== SHARE_SECRET_BYTES)
    throw new RangeError(`a share secret has ${SHARE_SECRET_BYTES} bytes, not ${secret.length}`);
  const derive = (context: string, bytes: number) =>
    sodium.crypto_generichash(bytes, sodium.from_string(`ridevault/share/${context}/v1`), secret);
  return {
    capability: derive("capability", 32),
    keyringKey: derive("keyring", 32),
    grantId: bytesToHex(derive("grant-id", 16)),
  };
}

/**
 * The token for `secret` (`rvshare1.<secret>.<check>`), or a full link when `baseUrl` is
 * given: `<baseUrl>#share=<token>` (any fragment of `baseUrl` is replaced).
 */
export function formatShareLink(sodium: Sodium, secret: Uint8Array, baseUrl?: string): string {
  const token = `${SHARE_LINK_PREFIX}.${base64Url(sodium, secret)}.${base64Url(sodium, check(sodium, secret))}`;
  if (baseUrl === undefined) return token;
  const hash = baseUrl.indexOf("#");
  return `${hash === -1 ? baseUrl : baseUrl.slice(0, hash)}#share=${token}`;
}

/**
 * The secret of a share link: a full URL whose fragment holds `share=<token>`, or the token
 * alone. Never throws: anything else is a `share-link-invalid` error saying what is wrong.
 */
export function parseShareLink(sodium: Sodium, link: string): Result<Uint8Array, ShareLinkError> {
  const invalid = (why: string) =>
    err({
      code: "share-link-invalid" as const,
      message: `this is not a working share link: ${why}; ask for the link again and copy it whole`,
    });
  let token = link.trim();
  const hash = token.indexOf("#");
  if (hash !== -1) {
    const fragment = new URLSearchParams(token.slice(hash + 1));
    const shared = fragment.get("share");
    if (shared === null) return invalid("the link has no share in it");
    token = shared.trim();
  }
  const parts = token.split(".");
  if (parts[0] !== SHARE_LINK_PREFIX) {
    return invalid(
      parts[0]?.startsWith("rvshare")
        ? `format ${parts[0]} is newer than this app understands: update the app`
        : "it does not start with rvshare1",
    );
  }
  if (parts.length !== 3) return invalid("it is cut short or has extra parts");
  const secret = fromBase64Url(sodium, parts[1] as string);
  const sum = fromBase64Url(sodium, parts[2] as string);
  if (secret?.length !== SHARE_SECRET_BYTES || sum?.length !== CHECK_BYTES) {
    return invalid("it is cut short or damaged");
  }
  if (!sodium.memcmp(check(sodium, secret), sum)) return invalid("its check digits do not match");
  return ok(secret);
}

function check(sodium: Sodium, secret: Uint8Array): Uint8Array {
  return sodium.crypto_generichash(
    CHECK_BYTES,
    secret,
    sodium.from_string("ridevault/share/check/v1"),
  );
}

function base64Url(sodium: Sodium, bytes: Uint8Array): string {
  return sodium.to_base64(bytes, sodium.base64_variants.URLSAFE_NO_PADDING);
}

function fromBase64Url(sodium: Sodium, text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    return sodium.from_base64(text, sodium.base64_variants.URLSAFE_NO_PADDING);
  } catch {
    return undefined;
  }
}
