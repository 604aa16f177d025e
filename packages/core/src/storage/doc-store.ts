/**
 * Automerge documents kept in a `StorageAdapter`: load, change, save, remove.
 *
 * Storage layout (the same keys automerge-repo uses, so its adapters fit): a document is
 * a snapshot (`[id, "snapshot", heads]`, a full `save()`) plus incremental chunks
 * (`[id, "incremental", heads]`, `saveSince` the last save). Once the incrementals outweigh
 * the snapshot they are compacted into a new snapshot.
 *
 * Why not automerge-repo's `Repo` (docs/decisions.md): it loads every document with
 * `loadIncremental(init(), bytes)`, which replays each change — 34 ms for a 4-hour ride
 * where `load(bytes)` takes 4 ms — and its flush/shutdown fail on deleted handles. This store
 * is small, loads with `load`, and resolves `flush` only when the bytes are stored.
 */
import * as Automerge from "@automerge/automerge";
import { concatBytes } from "../bytes.js";
import type { Random } from "../runtime.js";
import type { StorageAdapter, StorageKey } from "./storage-adapter.js";

/** Receives notice that a document changed (locally or by merged changes). */
export type ChangeListener = () => void;

interface ChunkInfo {
  readonly key: StorageKey;
  readonly type: "snapshot" | "incremental";
  readonly size: number;
}

/** One loaded document: its current state, its change listeners and its save bookkeeping. */
export class DocHandle<T> {
  readonly documentId: string;
  #doc: Automerge.Doc<T>;
  readonly #listeners = new Set<ChangeListener>();
  readonly #onChange: (handle: DocHandle<T>, loadedFrom?: Uint8Array) => void;

  /** @internal Handles come from a `DocStore`. */
  constructor(
    documentId: string,
    doc: Automerge.Doc<T>,
    onChange: (handle: DocHandle<T>, loadedFrom?: Uint8Array) => void,
  ) {
    this.documentId = documentId;
    this.#doc = doc;
    this.#onChange = onChange;
  }

  /** The current document (immutable). */
  doc(): Automerge.Doc<T> {
    return this.#doc;
  }

  /** Makes one Automerge change. */
  change(callback: Automerge.ChangeFn<T>): void {
    this.update((doc) => Automerge.change(doc, callback));
  }

  /** Replaces the document by `callback(doc)` (e.g. after merging changes). */
  update(callback: (doc: Automerge.Doc<T>) => Automerge.Doc<T>): void {
    this.#replace(callback(this.#doc));
  }

  /**
   * Merges `changes` (changes or a whole saved document, e.g. from sync) into the document;
   * throws when they are not valid Automerge bytes, leaving the document as it was. Into an
   * empty document the bytes are loaded as they are and later stored as they are, sparing
   * the `Automerge.save` (compression and hashing) a fresh device would otherwise pay for
   * every document it catches up on.
   */
  merge(changes: Uint8Array): void {
    if (Automerge.getHeads(this.#doc).length === 0) {
      this.#replace(Automerge.load<T>(changes), changes);
    } else {
      this.#replace(Automerge.loadIncremental(Automerge.clone(this.#doc), changes));
    }
  }

  #replace(next: Automerge.Doc<T>, loadedFrom?: Uint8Array): void {
    const before = Automerge.getHeads(this.#doc);
    this.#doc = next;
    const after = Automerge.getHeads(this.#doc);
    if (before.length === after.length && before.every((h, i) => h === after[i])) return;
    this.#onChange(this, loadedFrom);
    for (const listener of this.#listeners) listener();
  }

  /** Calls `listener` after every change; returns an unsubscribe. */
  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

interface SaveState {
  savedHeads: string[] | undefined;
  /** Bytes the document was loaded from, with its heads then: stored as they are if unchanged. */
  loadedFrom: { readonly heads: string[]; readonly bytes: Uint8Array } | undefined;
  chunks: ChunkInfo[];
  queue: Promise<void>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Options of a `DocStore`. */
export interface DocStoreOptions {
  readonly random: Random;
  /** Changes are saved this long after the last one, unless flushed earlier (default 100 ms). */
  readonly saveDelayMs?: number;
}

/** Loads and saves Automerge documents by id. */
export class DocStore {
  readonly #storage: StorageAdapter;
  readonly #options: DocStoreOptions;
  readonly #handles = new Map<string, DocHandle<unknown>>();
  readonly #saves = new Map<string, SaveState>();

  constructor(storage: StorageAdapter, options: DocStoreOptions) {
    this.#storage = storage;
    this.#options = options;
  }

  /** Creates a new document with a fresh random id. */
  create<T>(initial: T): DocHandle<T> {
    const id = base58(this.#options.random.bytes(16));
    const doc = Automerge.from(initial as Record<string, unknown>) as Automerge.Doc<T>;
    return this.#register(id, doc, undefined, []);
  }

  /**
   * Loads a document, or returns the one already loaded. Resolves `undefined` when storage
   * has nothing for `id`; rejects when the stored bytes are damaged.
   */
  async find<T>(id: string): Promise<DocHandle<T> | undefined> {
    const loaded = this.#handles.get(id);
    if (loaded) return loaded as DocHandle<T>;
    const snapshots = await this.#storage.loadRange([id, "snapshot"]);
    const incrementals = await this.#storage.loadRange([id, "incremental"]);
    const chunks: ChunkInfo[] = [];
    const parts: Uint8Array[] = [];
    for (const [type, list] of [
      ["snapshot", snapshots],
      ["incremental", incrementals],
    ] as const) {
      for (const { key, data } of list) {
        if (!data) continue;
        chunks.push({ key, type, size: data.length });
        parts.push(data);
      }
    }
    if (parts.length === 0) return undefined;
    const raced = this.#handles.get(id);
    if (raced) return raced as DocHandle<T>;
    const doc = Automerge.load<T>(concatBytes(parts));
    return this.#register(id, doc, Automerge.getHeads(doc), chunks);
  }

  /**
   * The document `id`: loaded, or — when storage has nothing — an empty one to merge into
   * (a document another device made, arriving through sync).
   */
  async ensure<T>(id: string): Promise<DocHandle<T>> {
    const found = await this.find<T>(id);
    return found ?? this.#register(id, Automerge.init<T>(), [], []);
  }

  /** Adds a document made elsewhere under its id, or merges it into the loaded one. */
  async import<T>(id: string, bytes: Uint8Array): Promise<DocHandle<T>> {
    const existing = await this.find<T>(id);
    if (existing) {
      existing.update((doc) => Automerge.loadIncremental(doc, bytes));
      return existing;
    }
    return this.#register(id, Automerge.load<T>(bytes), undefined, []);
  }

  /** Every loaded document. */
  handles(): DocHandle<unknown>[] {
    return [...this.#handles.values()];
  }

  /** Resolves once the current state of the documents (all loaded ones by default) is stored. */
  async flush(ids?: readonly string[]): Promise<void> {
    await Promise.all((ids ?? [...this.#handles.keys()]).map((id) => this.#save(id)));
  }

  /** Forgets a document and deletes everything stored for it. */
  async remove(id: string): Promise<void> {
    const state = this.#saves.get(id);
    if (state?.timer !== undefined) clearTimeout(state.timer);
    await state?.queue;
    this.#handles.delete(id);
    this.#saves.delete(id);
    await this.#storage.removeRange([id]);
  }

  #register<T>(
    id: string,
    doc: Automerge.Doc<T>,
    savedHeads: string[] | undefined,
    chunks: ChunkInfo[],
  ): DocHandle<T> {
    const handle = new DocHandle<T>(id, doc, (changed, loadedFrom) => {
      const state = this.#saves.get(id);
      if (state) {
        state.loadedFrom = loadedFrom && {
          heads: Automerge.getHeads(changed.doc()),
          bytes: loadedFrom,
        };
      }
      this.#scheduleSave(id);
    });
    this.#handles.set(id, handle as DocHandle<unknown>);
    this.#saves.set(id, {
      savedHeads,
      loadedFrom: undefined,
      chunks,
      queue: Promise.resolve(),
      timer: undefined,
    });
    if (!savedHeads) this.#scheduleSave(id);
    return handle;
  }

  #scheduleSave(id: string): void {
    const state = this.#saves.get(id);
    if (!state || state.timer !== undefined) return;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      this.#save(id).catch(() => undefined);
    }, this.#options.saveDelayMs ?? 100);
    (state.timer as { unref?: () => void }).unref?.();
  }

  /** Saves what changed since the last save, one save at a time per document. */
  #save(id: string): Promise<void> {
    const state = this.#saves.get(id);
    const handle = this.#handles.get(id);
    if (!state || !handle) return Promise.resolve();
    if (state.timer !== undefined) {
      clearTimeout(state.timer);
      state.timer = undefined;
    }
    state.queue = state.queue.catch(() => undefined).then(() => this.#saveNow(id, state, handle));
    return state.queue;
  }

  async #saveNow(id: string, state: SaveState, handle: DocHandle<unknown>): Promise<void> {
    if (!this.#handles.has(id)) return;
    const doc = handle.doc();
    const heads = Automerge.getHeads(doc);
    const saved = state.savedHeads;
    if (saved && sameHeads(saved, heads)) return;
    const snapshotSize = sum(state.chunks, "snapshot");
    const compact =
      !saved || snapshotSize < 1024 || sum(state.chunks, "incremental") >= snapshotSize;
    if (compact) {
      const loaded = state.loadedFrom;
      const bytes = loaded && sameHeads(loaded.heads, heads) ? loaded.bytes : Automerge.save(doc);
      state.loadedFrom = undefined;
      const key = [id, "snapshot", headsKey(heads)];
      await this.#storage.save(key, bytes);
      for (const old of state.chunks) {
        if (old.key.join("/") !== key.join("/")) await this.#storage.remove(old.key);
      }
      state.chunks = [{ key, type: "snapshot", size: bytes.length }];
    } else {
      const bytes = Automerge.saveSince(doc, saved);
      const key = [id, "incremental", headsKey(heads)];
      await this.#storage.save(key, bytes);
      state.chunks.push({ key, type: "incremental", size: bytes.length });
    }
    state.savedHeads = heads;
  }
}

function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((h, i) => h === b[i]);
}

function sum(chunks: readonly ChunkInfo[], type: ChunkInfo["type"]): number {
  return chunks.reduce((total, c) => (c.type === type ? total + c.size : total), 0);
}

function headsKey(heads: readonly string[]): string {
  return (
    [...heads]
      .sort()
      .map((h) => h.slice(0, 16))
      .join("-") || "empty"
  );
}

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** Base58 (Bitcoin alphabet) of `bytes`: compact ids without look-alike characters. */
export function base58(bytes: Uint8Array): string {
  let value = 0n;
  for (const byte of bytes) value = value * 256n + BigInt(byte);
  let out = "";
  while (value > 0n) {
    out = ALPHABET[Number(value % 58n)] + out;
    value /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}
