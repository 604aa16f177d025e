/**
 * Sharing workouts from a vault (docs/sharing.md, DESIGN.md §7): links (read-only or
 * read-write, with an expiry) and shares with a known rider, a list of each workout's
 * shares, and revocation that rotates the documents' keys so whatever is written afterwards
 * is unreadable to the revoked party. What they saw before cannot be unseen: the app must
 * say so.
 *
 * The link secret of every share is kept in the (end-to-end encrypted) library document,
 * so any of the rider's devices can revoke, and a rotation can seal the keyrings of the
 * shares that remain with the new keys — their holders read on without a new link.
 */

import type { AccountLookup } from "../account/account-client.js";
import { toBase64Url } from "../account/account-json.js";
import {
  createDocumentKeys,
  type DocumentKeys,
  deriveAccessSecret,
  hashAccessSecret,
} from "../crypto/document-keys.js";
import { loadSodium, type Sodium } from "../crypto/sodium.js";
import { encodeDocumentKeys } from "../keys/encode-document-keys.js";
import { err, ok, type Result } from "../result.js";
import type { Clock, Random } from "../runtime.js";
import type { GrantInfo, ShareClient } from "../sharing/share-client.js";
import {
  buildKeyring,
  MAX_SHARED_DOCUMENTS,
  type ShareMode,
  sealKeyring,
} from "../sharing/share-keyring.js";
import { createShareSecret, deriveShareKeys, formatShareLink } from "../sharing/share-link.js";
import { shareProofMessage, signShareProof } from "../sharing/share-proof.js";
import type { DocHandle } from "../storage/doc-store.js";
import type { LibraryDoc, ListOptions, StoredShare } from "./library.js";
import { decodeGenerations, newestKeys } from "./share-keys.js";

/** A sharing operation that failed: a local reason or the relay's code. */
export interface ShareError {
  /**
   * `not-synced` (the workout has not reached the relay yet), `not-writer` (this device
   * cannot sign for it), `unknown-share`, `invalid-share`, or the relay's code
   * (`not-found`, `bad-proof`, `stale-generation`, `network`, …).
   */
  readonly code: string;
  readonly message: string;
}

/** What to share, how, and with whom. */
export interface CreateShareOptions {
  /** The workouts to share… */
  readonly workoutIds?: readonly string[];
  /**
   * …and/or those the library lists with these filters at the time of sharing (all rides
   * tagged X, a date range); later rides are not added.
   */
  readonly select?: ListOptions;
  readonly mode: ShareMode;
  /** Ms since the epoch; null or absent: until revoked. */
  readonly expiresAt?: number | null;
  /** A known rider (from `AccountClient.lookupAccount`); absent: a link anyone holding it can use. */
  readonly recipient?: AccountLookup;
  /** The app's address the link opens (`<baseUrl>#share=…`); absent: the bare token. */
  readonly baseUrl?: string;
}

/** A share as this rider's devices list it. */
export interface ShareInfo {
  readonly grantId: string;
  readonly workoutIds: readonly string[];
  readonly mode: ShareMode;
  readonly expiresAt: number | null;
  readonly createdAt: number;
  /** The rider it was made for, or null for a link. */
  readonly recipient: { readonly accountId: string; readonly email: string | null } | null;
  /** The link again (links only), to copy once more; null for a rider. */
  readonly link: string | null;
  /** When a holder last used it, when the relay was asked (`list({ client })`). */
  readonly lastUsedAt: number | null;
}

/** @internal What `VaultShares` needs from its vault. */
export interface VaultSharesParts {
  readonly library: DocHandle<LibraryDoc>;
  readonly flush: () => Promise<void>;
  readonly clock: Clock;
  readonly random: Random;
  readonly list: (options: ListOptions) => readonly { readonly id: string }[];
}

/** The shares a rider makes of their own workouts. */
export class VaultShares {
  readonly #parts: VaultSharesParts;

  /** @internal Use `vault.shares`. */
  constructor(parts: VaultSharesParts) {
    this.#parts = parts;
  }

  /**
   * Shares workouts through `client`'s relay: a link (returned) or, with `recipient`, a rider
   * who finds it among their incoming shares. The workouts must have synced once.
   */
  async create(
    client: ShareClient,
    options: CreateShareOptions,
  ): Promise<Result<ShareInfo, ShareError>> {
    const sodium = await loadSodium();
    const { mode, recipient } = options;
    const expiresAt = options.expiresAt ?? null;
    const selected = options.select ? this.#parts.list(options.select).map((e) => e.id) : [];
    const docIds = [...new Set([...(options.workoutIds ?? []), ...selected])];
    if (docIds.length === 0 || docIds.length > MAX_SHARED_DOCUMENTS)
      return err(invalid(`share 1–${MAX_SHARED_DOCUMENTS} workouts at a time`));
    if (expiresAt !== null && expiresAt <= this.#parts.clock.now())
      return err(invalid("the expiry is in the past"));
    const keysByDocId = new Map<string, Map<number, DocumentKeys>>();
    for (const docId of docIds) {
      const keys = this.#ownKeys(docId);
      if (keys.size === 0) return err(notSynced(docId));
      keysByDocId.set(docId, keys);
    }
    const secret = createShareSecret(this.#parts.random);
    const { capability, keyringKey, grantId } = deriveShareKeys(sodium, secret);
    const capabilityHash = hashAccessSecret(sodium, capability);
    const keyring = sealKeyring(sodium, {
      keyring: buildKeyring(mode, keysByDocId),
      keyringKey,
      grantId,
      random: this.#parts.random,
    });
    const proofs = new Map<string, Uint8Array>();
    for (const [docId, keys] of keysByDocId) {
      const signer = newestKeys(keys.values())?.writeKey;
      if (!signer) return err(notWriter(docId));
      const message = shareProofMessage("create-grant", docId, [
        grantId,
        toBase64Url(capabilityHash),
        mode,
        expiresAt,
        recipient?.accountId ?? null,
      ]);
      proofs.set(docId, signShareProof(sodium, message, signer.secretKey));
    }
    const stored: StoredShare = {
      secret,
      docIds,
      mode,
      expiresAt,
      createdAt: this.#parts.clock.now(),
      recipient: recipient?.accountId ?? null,
      recipientEmail: recipient?.email ?? null,
    };
    // Kept before the relay hears of it, so no grant exists that this rider cannot revoke.
    this.#parts.library.change((d) => {
      d.shares ??= {};
      d.shares[grantId] = stored;
    });
    await this.#parts.flush();
    const created = await client.createGrant({
      grantId,
      capabilityHash,
      docIds,
      mode,
      expiresAt,
      recipient: recipient?.accountId ?? null,
      keyring,
      sealedSecret: recipient ? sodium.crypto_box_seal(secret, recipient.sharePublicKey) : null,
      proofs,
    });
    if (!created.ok) {
      this.#parts.library.change((d) => {
        delete d.shares?.[grantId];
      });
      await this.#parts.flush();
      return err({ code: created.error.code, message: created.error.message });
    }
    return ok(this.#info(sodium, grantId, stored, null, options.baseUrl));
  }

  /**
   * This rider's active shares (of `workoutId`, or all), newest first. With a `client`, each
   * shared workout's grants are asked of the relay too, for when holders last used them.
   */
  async list(
    options: { workoutId?: string; client?: ShareClient; baseUrl?: string } = {},
  ): Promise<ShareInfo[]> {
    const sodium = await loadSodium();
    const shares = Object.entries(this.#parts.library.doc().shares ?? {}).filter(
      ([, share]) => options.workoutId === undefined || share.docIds.includes(options.workoutId),
    );
    const used = new Map<string, number | null>();
    if (options.client) {
      const docIds = new Set(shares.flatMap(([, share]) => share.docIds));
      for (const docId of docIds) {
        for (const grant of await this.#relayGrants(sodium, options.client, docId))
          used.set(grant.grantId, grant.lastUsedAt);
      }
    }
    return shares
      .map(([grantId, share]) =>
        this.#info(sodium, grantId, share, used.get(grantId) ?? null, options.baseUrl),
      )
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  /**
   * Revokes shares: the relay forgets their grants and every workout they opened gets new
   * keys, so what is written from now on is unreadable to their holders (what they already
   * fetched stays theirs). The rider's other shares of those workouts keep working.
   */
  async revoke(
    client: ShareClient,
    grantIds: readonly string[],
  ): Promise<Result<void, ShareError>> {
    const shares = this.#parts.library.doc().shares ?? {};
    for (const grantId of grantIds)
      if (!shares[grantId])
        return err({ code: "unknown-share", message: `no share ${grantId} here` });
    const docIds = new Set(grantIds.flatMap((id) => shares[id]?.docIds ?? []));
    const rotated = await this.#rotate(client, [...docIds], grantIds);
    if (!rotated.ok) return rotated;
    this.#parts.library.change((d) => {
      for (const grantId of grantIds) delete d.shares?.[grantId];
    });
    await this.#parts.flush();
    return ok(undefined);
  }

  /** Revokes every share of a workout ("revoke all"). */
  async revokeAll(client: ShareClient, workoutId: string): Promise<Result<void, ShareError>> {
    const grantIds = Object.entries(this.#parts.library.doc().shares ?? {})
      .filter(([, share]) => share.docIds.includes(workoutId))
      .map(([grantId]) => grantId);
    if (grantIds.length === 0) return ok(undefined);
    return this.revoke(client, grantIds);
  }

  /**
   * New keys for `docIds`, revoking `revoke`: made and kept as pending first, then the relay
   * switches (and re-seals the remaining shares' keyrings), then they become current.
   */
  async #rotate(
    client: ShareClient,
    docIds: readonly string[],
    revoke: readonly string[],
  ): Promise<Result<void, ShareError>> {
    const sodium = await loadSodium();
    const next = new Map<string, { current: DocumentKeys; next: DocumentKeys }>();
    for (const docId of docIds) {
      const current = newestKeys(this.#ownKeys(docId).values());
      if (!current) return err(notSynced(docId));
      if (!current.writeKey) return err(notWriter(docId));
      const pending = newestKeys(
        decodeGenerations(this.#parts.library.doc().pendingKeys?.[docId]).values(),
      );
      next.set(docId, {
        current,
        next:
          pending && pending.generation > current.generation
            ? pending
            : createDocumentKeys(sodium, current.generation + 1, this.#parts.random),
      });
    }
    this.#parts.library.change((d) => {
      d.pendingKeys ??= {};
      for (const [docId, keys] of next)
        d.pendingKeys[docId] = { [String(keys.next.generation)]: encodeDocumentKeys(keys.next) };
    });
    await this.#parts.flush();
    const remaining = Object.entries(this.#parts.library.doc().shares ?? {}).filter(
      ([grantId]) => !revoke.includes(grantId),
    );
    const keysAfter = (docId: string): Map<number, DocumentKeys> => {
      const keys = this.#ownKeys(docId);
      const rotated = next.get(docId)?.next;
      if (rotated) keys.set(rotated.generation, rotated);
      return keys;
    };
    for (const [docId, { current, next: keys }] of next) {
      const keyrings = remaining
        .filter(([, share]) => share.docIds.includes(docId))
        .map(([grantId, share]) => {
          const { keyringKey } = deriveShareKeys(sodium, share.secret);
          const byDoc = new Map(share.docIds.map((id) => [id, keysAfter(id)] as const));
          return {
            grantId,
            keyring: sealKeyring(sodium, {
              keyring: buildKeyring(share.mode, byDoc),
              keyringKey,
              grantId,
              random: this.#parts.random,
            }),
          };
        });
      const accessHash = hashAccessSecret(sodium, deriveAccessSecret(sodium, keys.readKey));
      const message = shareProofMessage("rotate", docId, [
        keys.generation,
        toBase64Url(keys.writePublicKey),
        toBase64Url(accessHash),
        revoke.join(","),
        keyrings.map((k) => k.grantId).join(","),
      ]);
      const rotated = await client.rotate({
        docId,
        generation: keys.generation,
        writePublicKey: keys.writePublicKey,
        accessHash,
        revoke,
        keyrings,
        signature: signShareProof(
          sodium,
          message,
          (current.writeKey as { secretKey: Uint8Array }).secretKey,
        ),
      });
      if (!rotated.ok) return err({ code: rotated.error.code, message: rotated.error.message });
      this.#parts.library.change((d) => {
        d.keys ??= {};
        d.keys[docId] ??= {};
        (d.keys[docId] as Record<string, Uint8Array>)[String(keys.generation)] =
          encodeDocumentKeys(keys);
        delete d.pendingKeys?.[docId];
      });
      await this.#parts.flush();
    }
    return ok(undefined);
  }

  async #relayGrants(sodium: Sodium, client: ShareClient, docId: string): Promise<GrantInfo[]> {
    const signer = newestKeys(this.#ownKeys(docId).values())?.writeKey;
    if (!signer) return [];
    const signedAt = this.#parts.clock.now();
    const message = shareProofMessage("list-grants", docId, [signedAt]);
    const listed = await client.listGrants(
      docId,
      signedAt,
      signShareProof(sodium, message, signer.secretKey),
    );
    return listed.ok ? listed.value : [];
  }

  #ownKeys(docId: string): Map<number, DocumentKeys> {
    return decodeGenerations(this.#parts.library.doc().keys?.[docId]);
  }

  #info(
    sodium: Sodium,
    grantId: string,
    share: StoredShare,
    lastUsedAt: number | null,
    baseUrl: string | undefined,
  ): ShareInfo {
    return {
      grantId,
      workoutIds: [...share.docIds],
      mode: share.mode,
      expiresAt: share.expiresAt,
      createdAt: share.createdAt,
      recipient:
        share.recipient === null
          ? null
          : { accountId: share.recipient, email: share.recipientEmail },
      link: share.recipient === null ? formatShareLink(sodium, share.secret, baseUrl) : null,
      lastUsedAt,
    };
  }
}

function invalid(message: string): ShareError {
  return { code: "invalid-share", message };
}

function notSynced(docId: string): ShareError {
  return {
    code: "not-synced",
    message: `workout ${docId} has not reached the relay yet: wait until sync says synced, then share it`,
  };
}

function notWriter(docId: string): ShareError {
  return {
    code: "not-writer",
    message: `this device cannot sign for workout ${docId} (it was shared with you): only its owner can share or revoke it`,
  };
}
