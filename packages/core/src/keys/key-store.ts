/**
 * The key store: every generation of every document's keys for one vault, encrypted at rest
 * under a 32-byte vault key (itself wrapped by the account key; DESIGN.md §3). It sits on any
 * `StorageAdapter`, one value per (document, generation) at `["ridevault-keys", docId,
 * generation]` — a first key part no document id can have, so it can share a vault's storage.
 * Each value is sealed by `vault-lock.ts`, bound to its document id and generation.
 *
 * Values are authenticated already, so give the store the plain adapter; a checksummed one's
 * `storage-corrupt` errors are mapped to `key-store-corrupt` all the same.
 */
import type { DocumentKeys } from "../crypto/document-keys.js";
import type { Sodium } from "../crypto/sodium.js";
import { err, ok, type Result } from "../result.js";
import { type Random, systemRandom } from "../runtime.js";
import { StorageCorruptError } from "../storage/checked-storage.js";
import type { StorageAdapter } from "../storage/storage-adapter.js";
import {
  type KeyStoreCorruptError,
  type KeyStoreError,
  keyStoreCorrupt,
} from "./key-store-error.js";
import { createVaultLock } from "./vault-lock.js";

/** The first part of every storage key the key store writes. */
export const KEY_STORE_PREFIX = "ridevault-keys";

// The generation part of a storage key: canonical decimal, so each generation has one key.
const GENERATION = /^(0|[1-9][0-9]{0,15})$/;

/** What `createKeyStore` needs. */
export interface KeyStoreOptions {
  readonly storage: StorageAdapter;
  /** 32 secret bytes; a different key cannot read what this one wrote. */
  readonly vaultKey: Uint8Array;
  readonly sodium: Sodium;
  /** Nonces; `crypto.getRandomValues` unless a test injects another source. */
  readonly random?: Random;
}

/** Every readable key in the store, and the values that could not be read. */
export interface KeyStoreContents {
  readonly keysByDocId: Map<string, Map<number, DocumentKeys>>;
  readonly damaged: KeyStoreCorruptError[];
}

/** One vault's document keys, encrypted at rest. Storage failures reject the promises. */
export interface KeyStore {
  /** Stores (or replaces) one generation of a document's keys. */
  put(docId: string, keys: DocumentKeys): Promise<void>;
  /** The document's newest generation, or undefined when it has none. */
  get(docId: string): Promise<Result<DocumentKeys | undefined, KeyStoreError>>;
  /** One generation of the document's keys, or undefined when it is not stored. */
  getGeneration(
    docId: string,
    generation: number,
  ): Promise<Result<DocumentKeys | undefined, KeyStoreError>>;
  /** Every stored generation of the document, as `openEnvelope` takes them. */
  generations(docId: string): Promise<Result<Map<number, DocumentKeys>, KeyStoreError>>;
  /**
   * Every document's keys. A wrong vault key fails the whole call (`key-store-locked`);
   * damaged values are listed in `damaged` and the rest are returned.
   */
  all(): Promise<Result<KeyStoreContents, KeyStoreError>>;
  /** Forgets every generation of the document's keys. */
  remove(docId: string): Promise<void>;
}

/**
 * A key store over `storage`, locked with `vaultKey`. Reads never throw for bad data: a
 * wrong vault key gives `key-store-locked`, a damaged or swapped value `key-store-corrupt`.
 * A damaged newest generation is an error, never a silent fall-back to an older one (which
 * would seal with keys a revoked reader still holds). Throws if `vaultKey` is not 32 bytes.
 */
export function createKeyStore(options: KeyStoreOptions): KeyStore {
  const { storage, sodium, random = systemRandom } = options;
  const lock = createVaultLock(sodium, options.vaultKey, random);

  const openDocument = async (
    docId: string,
  ): Promise<Result<Map<number, DocumentKeys>, KeyStoreError>> => {
    const values = await loadDocument(storage, docId);
    if (!values.ok) return values;
    const keysByGeneration = new Map<number, DocumentKeys>();
    for (const [generation, value] of values.value) {
      const keys = lock.open(docId, generation, value);
      if (!keys.ok) return keys;
      keysByGeneration.set(generation, keys.value);
    }
    return ok(keysByGeneration);
  };

  return {
    async put(docId, keys) {
      checkDocId(docId);
      await storage.save(storageKey(docId, keys.generation), lock.seal(docId, keys));
    },

    async get(docId) {
      checkDocId(docId);
      const values = await loadDocument(storage, docId);
      if (!values.ok) return values;
      const newest = Math.max(-1, ...values.value.keys());
      const value = values.value.get(newest);
      return value === undefined ? ok(undefined) : lock.open(docId, newest, value);
    },

    async getGeneration(docId, generation) {
      checkDocId(docId);
      if (!Number.isSafeInteger(generation) || generation < 0) return ok(undefined);
      let value: Uint8Array | undefined;
      try {
        value = await storage.load(storageKey(docId, generation));
      } catch (error) {
        return mapStorageCorrupt(error, docId);
      }
      return value === undefined ? ok(undefined) : lock.open(docId, generation, value);
    },

    async generations(docId) {
      checkDocId(docId);
      return openDocument(docId);
    },

    async all() {
      const loaded = await loadRange(storage, [KEY_STORE_PREFIX]);
      if (!loaded.ok) return loaded;
      const keysByDocId = new Map<string, Map<number, DocumentKeys>>();
      const damaged: KeyStoreCorruptError[] = [];
      for (const { key, data } of loaded.value) {
        const [, docId, part] = key;
        if (docId === undefined || key.length !== 3) continue;
        const generation = parseGeneration(part);
        const keys =
          generation === undefined
            ? err(keyStoreCorrupt(docId, null, "a bad storage key"))
            : lock.open(docId, generation, data);
        if (keys.ok) {
          const byGeneration = keysByDocId.get(docId) ?? new Map<number, DocumentKeys>();
          keysByDocId.set(docId, byGeneration.set(keys.value.generation, keys.value));
        } else if (keys.error.code === "key-store-locked") {
          return keys;
        } else {
          damaged.push(keys.error);
        }
      }
      return ok({ keysByDocId, damaged });
    },

    async remove(docId) {
      checkDocId(docId);
      await storage.removeRange([KEY_STORE_PREFIX, docId]);
    },
  };
}

/** The stored values of one document's generations. */
async function loadDocument(
  storage: StorageAdapter,
  docId: string,
): Promise<Result<Map<number, Uint8Array>, KeyStoreError>> {
  const loaded = await loadRange(storage, [KEY_STORE_PREFIX, docId]);
  if (!loaded.ok) return loaded;
  const valuesByGeneration = new Map<number, Uint8Array>();
  for (const { key, data } of loaded.value) {
    if (key.length !== 3 || key[1] !== docId) continue;
    const generation = parseGeneration(key[2]);
    if (generation === undefined) return err(keyStoreCorrupt(docId, null, "a bad storage key"));
    valuesByGeneration.set(generation, data);
  }
  return ok(valuesByGeneration);
}

function storageKey(docId: string, generation: number): string[] {
  return [KEY_STORE_PREFIX, docId, String(generation)];
}

function parseGeneration(part: string | undefined): number | undefined {
  if (part === undefined || !GENERATION.test(part)) return undefined;
  const generation = Number(part);
  return Number.isSafeInteger(generation) ? generation : undefined;
}

function checkDocId(docId: string): void {
  if (typeof docId !== "string" || docId.length === 0) {
    throw new RangeError("a document id is a non-empty string");
  }
}

async function loadRange(
  storage: StorageAdapter,
  prefix: string[],
): Promise<Result<{ key: string[]; data: Uint8Array }[], KeyStoreError>> {
  try {
    const chunks = await storage.loadRange(prefix);
    return ok(chunks.flatMap(({ key, data }) => (data === undefined ? [] : [{ key, data }])));
  } catch (error) {
    return mapStorageCorrupt(error, prefix[1] ?? "");
  }
}

// A checksummed adapter throws `StorageCorruptError` for damaged bytes: that is a damaged
// key, not a failing disk. Anything else is rethrown.
function mapStorageCorrupt(error: unknown, docId: string): Result<never, KeyStoreError> {
  if (!(error instanceof StorageCorruptError)) throw error;
  return err(keyStoreCorrupt(error.key[1] ?? docId, null, "its storage checksum does not match"));
}
