/**
 * The vault's side of sync: which documents to sync (the library, then every workout it
 * lists), their keys, and merging what arrives. Workout keys live in the library document
 * (so the rider's other devices learn them); the library's own keys in the vault manifest.
 */
import * as Automerge from "@automerge/automerge";
import { createDocumentKeys, type DocumentKeys } from "../crypto/document-keys.js";
import { loadSodium } from "../crypto/sodium.js";
import type { DeviceId } from "../ids.js";
import { decodeDocumentKeys, encodeDocumentKeys } from "../keys/encode-document-keys.js";
import type { ShareClient } from "../sharing/share-client.js";
import type { DocHandle, DocStore } from "../storage/doc-store.js";
import type { StorageAdapter } from "../storage/storage-adapter.js";
import type { SyncedDocument, SyncSource } from "../sync/sync-source.js";
import type { LibraryDoc } from "./library.js";
import type { SharedWithMe } from "./shared-with-me.js";
import type { Workouts } from "./workouts.js";

/** @internal */
export interface VaultSyncParts {
  readonly deviceId: DeviceId;
  readonly storage: StorageAdapter;
  readonly docs: DocStore;
  readonly library: DocHandle<LibraryDoc>;
  readonly workouts: Workouts;
  readonly libraryKeys: () => Promise<string>;
  readonly sharedWithMe: SharedWithMe;
  /** Where a share's keyring is fetched again after a rotation; none: keys wait for the library. */
  readonly shareClient?: ShareClient;
}

/** @internal The `SyncSource` of a vault. */
export function createVaultSyncSource(parts: VaultSyncParts): SyncSource {
  const { docs, library, workouts } = parts;
  const merging = new Set<string>();

  function synced(
    handle: DocHandle<unknown>,
    keys: ReadonlyMap<number, DocumentKeys>,
    accessSecret?: Uint8Array,
  ): SyncedDocument {
    return {
      docId: handle.documentId,
      keys,
      ...(accessSecret && { accessSecret }),
      heads: () => Automerge.getHeads(handle.doc()),
      changesSince: (heads) => Automerge.saveSince(handle.doc(), [...heads]),
      save: () => Automerge.save(handle.doc()),
      onLocalChange(listener) {
        return handle.onChange(() => {
          if (!merging.has(handle.documentId)) listener();
        });
      },
    };
  }

  async function workoutKeys(id: string): Promise<ReadonlyMap<number, DocumentKeys> | undefined> {
    const stored = library.doc().keys?.[id];
    if (stored && Object.keys(stored).length > 0) {
      const out = new Map<number, DocumentKeys>();
      for (const bytes of Object.values(stored)) {
        const keys = decodeDocumentKeys(bytes);
        if (typeof keys !== "string") out.set(keys.generation, keys);
      }
      return out;
    }
    // Keys are made by the device that has the workout, the first time it syncs.
    if (!(await docs.find(id))) return undefined;
    const keys = createDocumentKeys(await loadSodium());
    library.change((d) => {
      d.keys ??= {};
      d.keys[id] = { [String(keys.generation)]: encodeDocumentKeys(keys) };
    });
    return new Map([[keys.generation, keys]]);
  }

  return {
    deviceId: parts.deviceId,
    storage: parts.storage,
    async documents() {
      const libraryKeys = decodeDocumentKeys(base64ToBytes(await parts.libraryKeys()));
      if (typeof libraryKeys === "string")
        throw new Error(`the vault's library keys are damaged: ${libraryKeys}`);
      const out: SyncedDocument[] = [
        synced(library as DocHandle<unknown>, new Map([[libraryKeys.generation, libraryKeys]])),
      ];
      for (const id of Object.keys(library.doc().workouts ?? {})) {
        const keys = await workoutKeys(id);
        if (!keys) continue;
        out.push(synced((await docs.ensure(id)) as DocHandle<unknown>, keys));
      }
      for (const shared of await parts.sharedWithMe.documents()) {
        const handle = (await docs.ensure(shared.docId)) as DocHandle<unknown>;
        out.push(synced(handle, shared.keys, shared.accessSecret));
      }
      return out;
    },
    async refreshKeys(docId) {
      if (parts.shareClient && parts.sharedWithMe.mode(docId) !== undefined)
        await parts.sharedWithMe.refreshKeys(parts.shareClient, docId);
    },
    persist: (docId) => docs.flush([docId]),
    async merge(docId, changes) {
      // Only the synchronous moment of applying counts as merging: a local change made
      // while this merge awaits must still be sent.
      const apply = <T>(merge: () => T): T => {
        merging.add(docId);
        try {
          return merge();
        } finally {
          merging.delete(docId);
        }
      };
      try {
        if (docId === library.documentId) {
          apply(() => library.merge(changes));
          return { ok: true };
        }
        const merged = await workouts.mergeRemote(docId, changes, apply);
        return merged.ok ? { ok: true } : { ok: false, message: merged.error.message };
      } catch (error) {
        return {
          ok: false,
          message: `changes for ${docId} could not be merged: ${(error as Error).message}`,
        };
      }
    },
    onDocumentsChanged(listener) {
      // New entries need keys (made here for our own workouts); entries whose keys arrive
      // from another device become syncable then.
      // …and documents whose keys rotate (new generations), and shares added or ended.
      const syncable = (): string => {
        const doc = library.doc();
        const generations = (keys: Record<string, Record<string, Uint8Array>> | undefined) =>
          Object.entries(keys ?? {})
            .map(([id, byGeneration]) => `${id}:${Object.keys(byGeneration).sort().join(",")}`)
            .sort();
        return JSON.stringify([
          Object.keys(doc.workouts ?? {}).sort(),
          generations(doc.keys),
          Object.entries(doc.sharedWithMe ?? {})
            .map(([id, share]) => [id, share.endedAt, generations(share.keys)])
            .sort(),
        ]);
      };
      let known = syncable();
      return library.onChange(() => {
        const now = syncable();
        if (now === known) return;
        known = now;
        listener();
      });
    },
  };
}

/** Standard base64 of `bytes`. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The inverse of `bytesToBase64`. */
export function base64ToBytes(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
