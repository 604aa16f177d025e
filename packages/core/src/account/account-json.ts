/**
 * The JSON shapes of the account endpoints as the device reads and writes them: base64url
 * bytes, KDF parameters, login proofs and token answers, each decoded and checked (never
 * cast). Shared by `AccountClient` (and, for the two types the relay also speaks, `SessionTokens`
 * and `LoginProof`, by the relay); the relay's side is `http/account-requests.ts`.
 */
import type { AccountKdf } from "../keys/account-kdf.js";
import { err, ok, type Result } from "../result.js";

/** A failed account request. */
export interface AccountClientError {
  /** The relay's code (e.g. `invalid-credentials`, `rate-limited`), or `network`, `bad-response`. */
  readonly code: string;
  readonly message: string;
  /** The HTTP status; 0 when the relay could not be reached. */
  readonly status: number;
}

/** Tokens from register, login and refresh (the relay's answer and the device's copy). */
export interface SessionTokens {
  readonly accountId: string;
  readonly accessToken: string;
  /** Seconds the access token lives. */
  readonly expiresIn: number;
  /** Opaque; the relay stores only its hash. Rotates on every use. */
  readonly refreshToken: string;
}

/** A signature over a login challenge, by the password's login key or the recovery key. */
export interface LoginProof {
  readonly challengeId: string;
  readonly signature: Uint8Array;
  readonly method: "password" | "recovery";
}

/** A JSON object as the relay sends it. */
export type Json = Record<string, unknown>;

/** The error of an answer that is not what a ridevault relay sends. */
export const badResponse = (what: string, status: number): AccountClientError => ({
  code: "bad-response",
  status,
  message: `the relay sent an unexpected answer (${what}); is this a ridevault relay?`,
});

/** Base64url without padding, as the relay speaks it. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The inverse of `toBase64Url`; undefined for anything else. */
export function fromBase64Url(text: unknown): Uint8Array | undefined {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    return Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) =>
      c.charCodeAt(0),
    );
  } catch {
    return undefined;
  }
}

/** The claim statuses a relay answers (see `ClaimStatus`). */
export const CLAIM_STATUSES: readonly string[] = [
  "claimed",
  "already",
  "taken",
  "unknown",
  "bad-signature",
];

/** Tokens from an answer's body. */
export function decodeTokens(
  body: Json,
  status: number,
): Result<SessionTokens, AccountClientError> {
  const { accountId, accessToken, expiresIn, refreshToken } = body;
  if (
    typeof accountId !== "string" ||
    typeof accessToken !== "string" ||
    typeof expiresIn !== "number" ||
    typeof refreshToken !== "string"
  )
    return err(badResponse("tokens", status));
  return ok({ accountId, accessToken, expiresIn, refreshToken });
}

/** KDF parameters as JSON. */
export function kdfJson(kdf: AccountKdf): Json {
  return { ...kdf, salt: toBase64Url(kdf.salt) };
}

/** A login proof as JSON. */
export function proofJson(proof: LoginProof): Json {
  return {
    challengeId: proof.challengeId,
    signature: toBase64Url(proof.signature),
    method: proof.method,
  };
}

/** KDF parameters from JSON; undefined when malformed. */
export function decodeKdf(value: unknown): AccountKdf | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const k = value as Json;
  const salt = fromBase64Url(k.salt);
  if (
    k.algorithm !== "argon2id13" ||
    !salt ||
    typeof k.opsLimit !== "number" ||
    typeof k.memLimit !== "number"
  )
    return undefined;
  return { algorithm: "argon2id13", salt, opsLimit: k.opsLimit, memLimit: k.memLimit };
}
