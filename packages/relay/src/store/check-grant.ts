/**
 * Input checks of the share-grant and key-rotation calls, shared by every relay store. A
 * failed check is a bug in the caller (the relay validates what devices send first), so it
 * throws a `RelayStoreError` (`invalid-grant`, `invalid-rotation`) and the store changes
 * nothing.
 */
import { type GrantRecord, RelayStoreError, type RotateInput } from "./relay-store.js";

/** The most documents one grant may open. */
export const MAX_GRANT_DOCUMENTS = 500;
/** The largest keyring a grant may hold (256 KiB). */
export const MAX_KEYRING_BYTES = 256 * 1024;
/** The length of a capability hash (BLAKE2b-256). */
export const CAPABILITY_HASH_BYTES = 32;

const GRANT_ID = /^[0-9a-f]{32}$/;

function invalidGrant(reason: string): RelayStoreError {
  return new RelayStoreError("invalid-grant", `invalid share grant: ${reason}; check it first`);
}

/** Throws `invalid-grant` unless `grantId` is 32 lowercase hex digits. */
export function checkGrantId(grantId: string): void {
  if (typeof grantId !== "string" || !GRANT_ID.test(grantId)) {
    throw invalidGrant(`grant id "${String(grantId)}" is not 32 lowercase hex digits`);
  }
}

/** Throws `invalid-grant` unless `hash` is 32 bytes. */
export function checkCapabilityHash(hash: Uint8Array): void {
  if (!(hash instanceof Uint8Array) || hash.byteLength !== CAPABILITY_HASH_BYTES) {
    throw invalidGrant(`a capability hash is ${CAPABILITY_HASH_BYTES} bytes`);
  }
}

function checkKeyring(keyring: Uint8Array, fail: (reason: string) => RelayStoreError): void {
  if (!(keyring instanceof Uint8Array) || keyring.byteLength > MAX_KEYRING_BYTES) {
    throw fail(`a keyring is at most ${MAX_KEYRING_BYTES} bytes`);
  }
}

function checkTime(name: string, time: number | null, nullable: boolean): void {
  if (time === null && nullable) return;
  if (!Number.isSafeInteger(time) || (time as number) < 0) {
    throw invalidGrant(`${name} ${time} is not a time in milliseconds`);
  }
}

/** Throws `invalid-grant` when the grant is malformed on its own. */
export function checkGrant(grant: GrantRecord): void {
  checkGrantId(grant.grantId);
  checkCapabilityHash(grant.capabilityHash);
  const { docIds } = grant;
  if (docIds.length < 1 || docIds.length > MAX_GRANT_DOCUMENTS) {
    throw invalidGrant(`it opens ${docIds.length} documents, not 1–${MAX_GRANT_DOCUMENTS}`);
  }
  for (const docId of docIds) {
    if (typeof docId !== "string" || docId.length === 0) throw invalidGrant("an empty document id");
  }
  if (new Set(docIds).size !== docIds.length) throw invalidGrant("a document id repeats");
  if (grant.mode !== "read" && grant.mode !== "write") {
    throw invalidGrant(`mode "${String(grant.mode)}" is neither "read" nor "write"`);
  }
  checkTime("expiresAt", grant.expiresAt, true);
  checkTime("createdAt", grant.createdAt, false);
  checkTime("lastUsedAt", grant.lastUsedAt, true);
  checkKeyring(grant.keyring, invalidGrant);
  if (grant.sealedSecret !== null && !(grant.sealedSecret instanceof Uint8Array)) {
    throw invalidGrant("sealedSecret is neither bytes nor null");
  }
}

/** Throws `invalid-rotation` when the rotation is malformed on its own. */
export function checkRotate(input: RotateInput): void {
  const fail = (reason: string) =>
    new RelayStoreError(
      "invalid-rotation",
      `invalid key rotation of document ${input.docId}: ${reason}; check it first`,
    );
  if (!Number.isSafeInteger(input.generation) || input.generation < 0) {
    throw fail(`generation ${input.generation} is not a non-negative integer`);
  }
  if (!(input.writePublicKey instanceof Uint8Array) || !(input.accessHash instanceof Uint8Array)) {
    throw fail("the write key and access hash must be bytes");
  }
  const named = [...input.revoke, ...input.keyrings.map((entry) => entry.grantId)];
  for (const grantId of named) {
    if (typeof grantId !== "string" || !GRANT_ID.test(grantId)) {
      throw fail(`grant id "${String(grantId)}" is not 32 lowercase hex digits`);
    }
  }
  for (const { keyring } of input.keyrings) checkKeyring(keyring, fail);
}

/** A copy of the grant whose byte arrays are the caller's no longer. */
export function copyGrant(grant: GrantRecord): GrantRecord {
  return {
    ...grant,
    capabilityHash: grant.capabilityHash.slice(),
    docIds: [...grant.docIds],
    keyring: grant.keyring.slice(),
    sealedSecret: grant.sealedSecret?.slice() ?? null,
  };
}
