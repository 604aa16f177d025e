/**
 * Decoders of the account endpoints' JSON bodies: each field is checked for type, length and
 * range (bytes travel as base64url), never cast. A failure names the field.
 */
import { err, ok, type Result } from "@ridevault/core/protocol";
import { type AccountError, badRequest } from "../accounts/account-errors.js";
import type {
  ChangePasswordInput,
  LoginProof,
  RegisterInput,
} from "../accounts/account-service.js";
import { type KdfParams, normalizeEmail } from "../accounts/account-store.js";
import { type ClaimRequest, MAX_CLAIMS_PER_REQUEST } from "../accounts/document-claims.js";

/** The largest key bundle the relay stores. */
export const MAX_BUNDLE_BYTES = 64 * 1024;

type Body = Record<string, unknown>;
type Decoded<T> = Result<T, AccountError>;

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Base64url bytes of a length in [min, max]. */
export function bytesField(
  body: Body,
  name: string,
  min: number,
  max: number,
): Decoded<Uint8Array> {
  const value = body[name];
  if (
    typeof value !== "string" ||
    !BASE64URL.test(value) ||
    value.length > Math.ceil((max * 4) / 3)
  )
    return err(badRequest(`${name} must be base64url`));
  const bytes = new Uint8Array(Buffer.from(value, "base64url"));
  if (bytes.length < min || bytes.length > max)
    return err(badRequest(`${name} must have ${min === max ? min : `${min}–${max}`} bytes`));
  return ok(bytes);
}

function stringField(body: Body, name: string, max: number): Decoded<string> {
  const value = body[name];
  if (typeof value !== "string" || value.length === 0 || value.length > max)
    return err(badRequest(`${name} must be a string of 1–${max} characters`));
  return ok(value);
}

function integerField(body: Body, name: string, min: number, max: number): Decoded<number> {
  const value = body[name];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max)
    return err(badRequest(`${name} must be an integer from ${min} to ${max}`));
  return ok(value);
}

/** A normalized email. */
export function emailField(body: Body): Decoded<string> {
  const email = typeof body.email === "string" ? normalizeEmail(body.email) : undefined;
  return email === undefined ? err(badRequest("email must be an email address")) : ok(email);
}

/** Argon2id parameters: the relay only checks sanity; devices enforce their own minimum. */
export function kdfField(body: Body): Decoded<KdfParams> {
  const kdf = body.kdf;
  if (typeof kdf !== "object" || kdf === null || Array.isArray(kdf))
    return err(badRequest("kdf must be an object"));
  const k = kdf as Body;
  if (k.algorithm !== "argon2id13") return err(badRequest("kdf.algorithm must be argon2id13"));
  const salt = bytesField(k, "salt", 16, 16);
  if (!salt.ok) return salt;
  const opsLimit = integerField(k, "opsLimit", 1, 64);
  if (!opsLimit.ok) return opsLimit;
  const memLimit = integerField(k, "memLimit", 8192, 4 * 1024 ** 3);
  if (!memLimit.ok) return memLimit;
  return ok({
    algorithm: "argon2id13",
    salt: salt.value,
    opsLimit: opsLimit.value,
    memLimit: memLimit.value,
  });
}

/** A login proof. */
export function proofField(body: Body): Decoded<LoginProof> {
  const challengeId = stringField(body, "challengeId", 64);
  if (!challengeId.ok) return challengeId;
  const signature = bytesField(body, "signature", 64, 64);
  if (!signature.ok) return signature;
  const method = body.method ?? "password";
  if (method !== "password" && method !== "recovery")
    return err(badRequest('method must be "password" or "recovery"'));
  return ok({ challengeId: challengeId.value, signature: signature.value, method });
}

/** The body of `POST /v1/accounts/register`. */
export function decodeRegister(body: Body): Decoded<RegisterInput> {
  const email = emailField(body);
  if (!email.ok) return email;
  const loginPublicKey = bytesField(body, "loginPublicKey", 32, 32);
  if (!loginPublicKey.ok) return loginPublicKey;
  const recovery =
    body.recoveryPublicKey === undefined || body.recoveryPublicKey === null
      ? ok(null)
      : bytesField(body, "recoveryPublicKey", 32, 32);
  if (!recovery.ok) return recovery;
  const kdf = kdfField(body);
  if (!kdf.ok) return kdf;
  const bundle = bytesField(body, "bundle", 1, MAX_BUNDLE_BYTES);
  if (!bundle.ok) return bundle;
  const share =
    body.sharePublicKey === undefined || body.sharePublicKey === null
      ? ok(null)
      : bytesField(body, "sharePublicKey", 32, 32);
  if (!share.ok) return share;
  return ok({
    email: email.value,
    loginPublicKey: loginPublicKey.value,
    recoveryPublicKey: recovery.value,
    kdf: kdf.value,
    bundle: bundle.value,
    sharePublicKey: share.value,
  });
}

/** The body of `PUT /v1/accounts/me/share-key`: an X25519 public key. */
export function decodeShareKey(body: Body): Decoded<Uint8Array> {
  return bytesField(body, "publicKey", 32, 32);
}

// As the sync protocol's document ids (base58, 16–64 characters).
const DOC_ID = /^[1-9A-HJ-NP-Za-km-z]{16,64}$/;

/** The body of `POST /v1/documents/claim`: 1–500 documents, each with a signature. */
export function decodeClaims(body: Body): Decoded<ClaimRequest[]> {
  const documents = body.documents;
  if (
    !Array.isArray(documents) ||
    documents.length === 0 ||
    documents.length > MAX_CLAIMS_PER_REQUEST
  )
    return err(badRequest(`documents must be a list of 1–${MAX_CLAIMS_PER_REQUEST} claims`));
  const claims: ClaimRequest[] = [];
  for (const [i, item] of documents.entries()) {
    if (typeof item !== "object" || item === null || Array.isArray(item))
      return err(badRequest(`documents[${i}] must be an object`));
    const entry = item as Body;
    if (typeof entry.docId !== "string" || !DOC_ID.test(entry.docId))
      return err(badRequest(`documents[${i}].docId must be a document id`));
    const signature = bytesField(entry, "signature", 64, 64);
    if (!signature.ok) return err(badRequest(`documents[${i}].${signature.error.message}`));
    claims.push({ docId: entry.docId, signature: signature.value });
  }
  return ok(claims);
}

/** The body of `POST /v1/accounts/password`. */
export function decodeChangePassword(body: Body): Decoded<ChangePasswordInput> {
  const proof = proofField(body);
  if (!proof.ok) return proof;
  const loginPublicKey = bytesField(body, "loginPublicKey", 32, 32);
  if (!loginPublicKey.ok) return loginPublicKey;
  const kdf = kdfField(body);
  if (!kdf.ok) return kdf;
  const bundle = bytesField(body, "bundle", 1, MAX_BUNDLE_BYTES);
  if (!bundle.ok) return bundle;
  const version = integerField(body, "expectedBundleVersion", 1, Number.MAX_SAFE_INTEGER);
  if (!version.ok) return version;
  return ok({
    proof: proof.value,
    loginPublicKey: loginPublicKey.value,
    kdf: kdf.value,
    bundle: bundle.value,
    expectedBundleVersion: version.value,
  });
}

/** The body of `PUT /v1/accounts/bundle`. */
export function decodePutBundle(
  body: Body,
): Decoded<{ bundle: Uint8Array; expectedVersion: number }> {
  const bundle = bytesField(body, "bundle", 1, MAX_BUNDLE_BYTES);
  if (!bundle.ok) return bundle;
  const version = integerField(body, "expectedVersion", 1, Number.MAX_SAFE_INTEGER);
  if (!version.ok) return version;
  return ok({ bundle: bundle.value, expectedVersion: version.value });
}

/** A pairing mailbox id: 16 bytes, base64url. */
export function mailboxIdField(body: Body): Decoded<string> {
  const id = bytesField(body, "mailboxId", 16, 16);
  return id.ok ? ok(body.mailboxId as string) : id;
}

/** The body of `POST /v1/accounts/pairing`. */
export function decodeMailbox(body: Body): Decoded<{ mailboxId: string; sealed: Uint8Array }> {
  const mailboxId = mailboxIdField(body);
  if (!mailboxId.ok) return mailboxId;
  const sealed = bytesField(body, "sealed", 1, MAX_BUNDLE_BYTES);
  if (!sealed.ok) return sealed;
  return ok({ mailboxId: mailboxId.value, sealed: sealed.value });
}

/** A refresh token field. */
export function decodeRefresh(body: Body): Decoded<string> {
  return stringField(body, "refreshToken", 128);
}
