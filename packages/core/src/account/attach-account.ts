/**
 * Anonymous → account: a vault used without an account — locally only, or synced with
 * document capabilities alone — attaches to a new account without losing or duplicating
 * anything. The account is registered with a bundle that wraps this vault's existing
 * library keys (nothing is re-encrypted, nothing uploaded again), then the account claims
 * the documents the vault registered without an owner: for each, a signature by the
 * document's current write key over `claimProofMessage(docId, accountId)`, so only a writer
 * can claim it. Claimed documents are the account's from then on: they count against its
 * quota and go when it is deleted. Documents the relay does not know yet (never synced)
 * answer `unknown` and become the account's when the device next syncs signed in.
 */
import { canWrite, type DocumentKeys } from "../crypto/document-keys.js";
import { loadSodium } from "../crypto/sodium.js";
import { ok, type Result } from "../result.js";
import type { Vault } from "../vault/vault.js";
import type {
  AccountClient,
  AccountClientError,
  ClaimStatus,
  DocumentClaim,
} from "./account-client.js";
import {
  type AccountFlowOptions,
  type Flow,
  type Registered,
  registerAccount,
} from "./account-flows.js";
import type { AccountSession } from "./account-session.js";
import { claimProofMessage } from "./claim-proof.js";

/** Documents per claim request (the relay's limit). */
export const CLAIM_BATCH = 500;

/** Each document's claim by id: the relay's answer (`ClaimStatus`), or `read-only` (not claimed). */
export type VaultClaims = ReadonlyMap<string, ClaimStatus | "read-only">;

/** What attaching did: the new account, and each document's claim. */
export interface Attached extends Registered {
  readonly claims: VaultClaims;
  /**
   * Why claiming stopped (e.g. `network`), or null. The account exists either way: call
   * `claimVaultDocuments` again later.
   */
  readonly claimError: AccountClientError | null;
}

/**
 * Registers a new account for `vault` (email and password, as `registerAccount`) and claims
 * the vault's documents for it. Afterwards sync the vault through `session.webSocket(…)`.
 * A claim refused (e.g. `taken`) leaves that document as it was; check `claims`.
 */
export async function attachAccount(
  options: AccountFlowOptions & {
    vault: Vault;
    email: string;
    password: string;
    /** A vault key the device has already (default: a new one). */
    vaultKey?: Uint8Array;
  },
): Flow<Attached> {
  const library = await options.vault.libraryAccess();
  const registered = await registerAccount({ ...options, library });
  if (!registered.ok) return registered;
  const claimed = await claimVaultDocuments({ ...options, session: registered.value.session });
  return ok({
    ...registered.value,
    claims: claimed.ok ? claimed.value : new Map(),
    claimError: claimed.ok ? null : claimed.error,
  });
}

/**
 * Claims every document of `vault` the device can write for `session`'s account, in
 * batches of `CLAIM_BATCH`. Safe to repeat: documents claimed before answer `already`.
 */
export async function claimVaultDocuments(options: {
  readonly client: AccountClient;
  readonly session: AccountSession;
  readonly vault: Vault;
}): Promise<Result<VaultClaims, AccountClientError>> {
  const sodium = await loadSodium();
  const { session } = options;
  const claims = new Map<string, ClaimStatus | "read-only">();
  const signed: DocumentClaim[] = [];
  for (const doc of await options.vault.syncSource().documents()) {
    const current = newest(doc.keys);
    if (!current || !canWrite(current)) {
      claims.set(doc.docId, "read-only");
      continue;
    }
    const message = claimProofMessage(doc.docId, session.accountId);
    const signature = sodium.crypto_sign_detached(message, current.writeKey.secretKey);
    signed.push({ docId: doc.docId, signature });
  }
  for (let start = 0; start < signed.length; start += CLAIM_BATCH) {
    const token = await session.accessToken();
    if (!token.ok) return token;
    const batch = signed.slice(start, start + CLAIM_BATCH);
    const answered = await options.client.claimDocuments(token.value, batch);
    if (!answered.ok) return answered;
    for (const result of answered.value) claims.set(result.docId, result.status);
  }
  return ok(claims);
}

function newest(keys: ReadonlyMap<number, DocumentKeys>): DocumentKeys | undefined {
  let best: DocumentKeys | undefined;
  for (const value of keys.values()) if (!best || value.generation > best.generation) best = value;
  return best;
}
