/**
 * Workouts other riders shared with this rider (docs/sharing.md): opened from a link, or
 * accepted from the relay's incoming shares when shared with this rider's account. The
 * shares live in the library document (so each of the rider's devices sees them), the
 * workouts in the vault's document store like the rider's own, listed apart (their entries
 * in `sharedEntries`). A read-only share's workouts refuse edits (`read-only`); the sync
 * engine subscribes with the share's capability and never registers them.
 *
 * When the owner rotates a document's keys (revoking someone else), an envelope arrives
 * that the held keys cannot open: `refreshKeys` fetches the share's keyring again, sealed by
 * the owner with the new keys. A revoked or expired share is marked ended, with the reason.
 */
import type { DocumentKeys } from "../crypto/document-keys.js";
import { loadSodium, type Sodium } from "../crypto/sodium.js";
import { err, ok, type Result } from "../result.js";
import type { Clock } from "../runtime.js";
import type { FetchedGrant, ShareClient } from "../sharing/share-client.js";
import { openKeyring, type ShareMode } from "../sharing/share-keyring.js";
import { deriveShareKeys, parseShareLink } from "../sharing/share-link.js";
import type { DocHandle } from "../storage/doc-store.js";
import {
  entryFromStored,
  type LibraryDoc,
  type LibraryEntry,
  type StoredIncomingShare,
} from "./library.js";
import { decodeGenerations, encodeGenerations } from "./share-keys.js";
import type { ShareError } from "./shares.js";

/** A share this rider holds, as the app lists it. */
export interface IncomingShareInfo {
  readonly grantId: string;
  readonly mode: ShareMode;
  readonly expiresAt: number | null;
  /** Who shared it (an account id and email, when the relay knows them). */
  readonly owner: { readonly accountId: string; readonly email: string | null } | null;
  readonly addedAt: number;
  /** The workouts it opens; entries appear once their documents have synced. */
  readonly workoutIds: readonly string[];
  readonly workouts: readonly LibraryEntry[];
  /** Set when the relay stopped serving the share: revoked, or expired. */
  readonly ended: { readonly at: number; readonly reason: string } | null;
}

/** A document of a share, as sync needs it. */
export interface SharedDocument {
  readonly docId: string;
  readonly keys: ReadonlyMap<number, DocumentKeys>;
  /** The share's capability: presented to the relay instead of an access secret. */
  readonly accessSecret: Uint8Array;
}

/** @internal What `SharedWithMe` needs from its vault. */
export interface SharedWithMeParts {
  readonly library: DocHandle<LibraryDoc>;
  readonly flush: () => Promise<void>;
  readonly clock: Clock;
}

/** The shares this rider holds. */
export class SharedWithMe {
  readonly #parts: SharedWithMeParts;

  /** @internal Use `vault.sharedWithMe`. */
  constructor(parts: SharedWithMeParts) {
    this.#parts = parts;
  }

  /** Adds the share of a link (`https://…#share=rvshare1…` or the token alone). */
  async open(client: ShareClient, link: string): Promise<Result<IncomingShareInfo, ShareError>> {
    const sodium = await loadSodium();
    const secret = parseShareLink(sodium, link);
    if (!secret.ok) return secret;
    return this.#add(sodium, client, secret.value, null);
  }

  /**
   * Adds the shares other riders made for this rider's account that are not here yet;
   * `shareKeys` is the account's sharing key pair, `emailOf` names an owner if it can.
   */
  async acceptIncoming(
    client: ShareClient,
    shareKeys: { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array },
    emailOf: (accountId: string) => Promise<string | null> = async () => null,
  ): Promise<Result<IncomingShareInfo[], ShareError>> {
    const sodium = await loadSodium();
    const incoming = await client.incoming();
    if (!incoming.ok) return err({ code: incoming.error.code, message: incoming.error.message });
    const held = this.#parts.library.doc().sharedWithMe ?? {};
    const added: IncomingShareInfo[] = [];
    for (const grant of incoming.value) {
      if (held[grant.grantId]) continue;
      let secret: Uint8Array;
      try {
        secret = sodium.crypto_box_seal_open(
          grant.sealedSecret,
          shareKeys.publicKey,
          shareKeys.secretKey,
        );
      } catch {
        continue; // Sealed to another key (an older sharing key): the owner must share again.
      }
      const email = grant.createdBy === null ? null : await emailOf(grant.createdBy);
      const result = await this.#add(sodium, client, secret, { accountId: grant.createdBy, email });
      if (result.ok) added.push(result.value);
    }
    return ok(added);
  }

  /** The shares this rider holds, newest first. */
  list(): IncomingShareInfo[] {
    const doc = this.#parts.library.doc();
    return Object.entries(doc.sharedWithMe ?? {})
      .map(([grantId, share]) => info(grantId, share, doc))
      .sort((a, b) => b.addedAt - a.addedAt);
  }

  /** Stops holding a share on every device of this rider (the owner's grant stays). */
  async leave(grantId: string): Promise<void> {
    this.#parts.library.change((d) => {
      const share = d.sharedWithMe?.[grantId];
      if (!share) return;
      delete d.sharedWithMe?.[grantId];
      const still = new Set(Object.values(d.sharedWithMe ?? {}).flatMap((s) => s.docIds));
      for (const docId of share.docIds) if (!still.has(docId)) delete d.sharedEntries?.[docId];
    });
    await this.#parts.flush();
  }

  /**
   * How `docId` is shared with this rider: the most a live share allows, or undefined when
   * no share holds it (or it is the rider's own workout).
   */
  mode(docId: string): ShareMode | undefined {
    const doc = this.#parts.library.doc();
    if (doc.workouts?.[docId]) return undefined;
    let mode: ShareMode | undefined;
    for (const share of Object.values(doc.sharedWithMe ?? {})) {
      if (share.docIds.includes(docId) && share.endedAt === null) {
        if (share.mode === "write") return "write";
        mode = "read";
      }
    }
    return mode;
  }

  /** The library entry of a shared workout, once it has synced. */
  entry(docId: string): LibraryEntry | undefined {
    const stored = this.#parts.library.doc().sharedEntries?.[docId];
    return stored && entryFromStored(stored);
  }

  /** The documents sync should follow: every document of a live share, with its keys. */
  async documents(): Promise<SharedDocument[]> {
    const sodium = await loadSodium();
    const doc = this.#parts.library.doc();
    const out = new Map<string, SharedDocument & { mode: ShareMode }>();
    for (const share of Object.values(doc.sharedWithMe ?? {})) {
      if (share.endedAt !== null) continue;
      const { capability } = deriveShareKeys(sodium, share.secret);
      for (const docId of share.docIds) {
        if (doc.workouts?.[docId]) continue;
        const keys = decodeGenerations(share.keys[docId]);
        const known = out.get(docId);
        if (keys.size === 0 || (known && (known.mode === "write" || share.mode === "read")))
          continue;
        out.set(docId, { docId, keys, accessSecret: capability, mode: share.mode });
      }
    }
    return [...out.values()].map(({ docId, keys, accessSecret }) => ({
      docId,
      keys,
      accessSecret,
    }));
  }

  /**
   * Fetches the keyrings of the shares holding `docId` again (after the owner rotated its
   * keys); a share the relay no longer serves is marked ended.
   */
  async refreshKeys(client: ShareClient, docId: string): Promise<void> {
    const sodium = await loadSodium();
    const shares = Object.entries(this.#parts.library.doc().sharedWithMe ?? {}).filter(
      ([, share]) => share.docIds.includes(docId) && share.endedAt === null,
    );
    for (const [grantId, share] of shares) {
      const keys = deriveShareKeys(sodium, share.secret);
      const fetched = await client.fetchGrant(keys.capability);
      if (!fetched.ok) {
        if (fetched.error.code === "not-found" || fetched.error.code === "share-expired") {
          this.#parts.library.change((d) => {
            const held = d.sharedWithMe?.[grantId];
            if (!held) return;
            held.endedAt = this.#parts.clock.now();
            held.endedReason = fetched.error.message;
          });
        }
        continue;
      }
      const opened = openKeyring(sodium, {
        sealed: fetched.value.keyring,
        keyringKey: keys.keyringKey,
        grantId,
      });
      if (!opened.ok) continue;
      this.#parts.library.change((d) => {
        const held = d.sharedWithMe?.[grantId];
        if (!held) return;
        for (const [id, generations] of opened.value.keysByDocId)
          held.keys[id] = encodeGenerations(generations);
      });
    }
    await this.#parts.flush();
  }

  async #add(
    sodium: Sodium,
    client: ShareClient,
    secret: Uint8Array,
    owner: { accountId: string | null; email: string | null } | null,
  ): Promise<Result<IncomingShareInfo, ShareError>> {
    const { capability, keyringKey, grantId } = deriveShareKeys(sodium, secret);
    const fetched = await client.fetchGrant(capability);
    if (!fetched.ok) {
      return err({
        code: fetched.error.code,
        message:
          fetched.error.code === "not-found"
            ? "this share does not work any more: it was revoked, or it is for another rider (log in as them)"
            : fetched.error.message,
      });
    }
    const grant: FetchedGrant = fetched.value;
    if (grant.grantId !== grantId)
      return err({ code: "invalid-share", message: "the relay answered with another share" });
    const opened = openKeyring(sodium, { sealed: grant.keyring, keyringKey, grantId });
    if (!opened.ok) return opened;
    const keys: Record<string, Record<string, Uint8Array>> = {};
    for (const [docId, generations] of opened.value.keysByDocId)
      keys[docId] = encodeGenerations(generations);
    const stored: StoredIncomingShare = {
      secret,
      docIds: [...grant.docIds],
      mode: opened.value.mode,
      expiresAt: grant.expiresAt,
      owner: owner?.accountId ?? grant.createdBy,
      ownerEmail: owner?.email ?? null,
      addedAt: this.#parts.clock.now(),
      keys,
      endedAt: null,
      endedReason: null,
    };
    this.#parts.library.change((d) => {
      d.sharedWithMe ??= {};
      d.sharedWithMe[grantId] = stored;
    });
    await this.#parts.flush();
    return ok(info(grantId, stored, this.#parts.library.doc()));
  }
}

function info(grantId: string, share: StoredIncomingShare, doc: LibraryDoc): IncomingShareInfo {
  const workouts = share.docIds.flatMap((id) => {
    const stored = doc.sharedEntries?.[id];
    return stored ? [entryFromStored(stored)] : [];
  });
  return {
    grantId,
    mode: share.mode,
    expiresAt: share.expiresAt,
    owner: share.owner === null ? null : { accountId: share.owner, email: share.ownerEmail },
    addedAt: share.addedAt,
    workoutIds: [...share.docIds],
    workouts,
    ended:
      share.endedAt === null ? null : { at: share.endedAt, reason: share.endedReason ?? "ended" },
  };
}
