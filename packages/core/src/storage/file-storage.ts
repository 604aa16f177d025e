/**
 * The vault's storage on a file system (Node). One folder per document (the first key
 * part), one file per remaining key. Unlike automerge-repo's NodeFS adapter, every save is
 * atomic — written to a temporary file, flushed to disk, then renamed over the old one — so a
 * process killed or a machine losing power mid-write leaves either the old value or the new
 * one, never half a file.
 */
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { type Chunk, hasPrefix, type StorageAdapter, type StorageKey } from "./storage-adapter.js";

const EMPTY_REST = "@";

/** Options of `FileStorageAdapter`. */
export interface FileStorageOptions {
  /** Flush each file and its folder to the disk before a save resolves (default true). */
  readonly durable?: boolean;
}

/** Stores the vault's bytes under `directory`. */
export class FileStorageAdapter implements StorageAdapter {
  readonly #dir: string;
  readonly #durable: boolean;

  constructor(directory: string, options: FileStorageOptions = {}) {
    this.#dir = path.resolve(directory);
    this.#durable = options.durable ?? true;
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await fs.readFile(this.#fileOf(key)));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    const file = this.#fileOf(key);
    const folder = path.dirname(file);
    await fs.mkdir(folder, { recursive: true });
    const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
    const handle = await fs.open(temporary, "w");
    try {
      await handle.writeFile(data);
      if (this.#durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, file);
    if (this.#durable) await syncFolder(folder);
  }

  async remove(key: StorageKey): Promise<void> {
    await fs.rm(this.#fileOf(key), { force: true });
  }

  async loadRange(prefix: StorageKey): Promise<Chunk[]> {
    const out: Chunk[] = [];
    for (const key of await this.#keysWithPrefix(prefix)) {
      const data = await this.load(key);
      if (data !== undefined) out.push({ key, data });
    }
    return out;
  }

  async removeRange(prefix: StorageKey): Promise<void> {
    if (prefix.length === 0) throw new RangeError("refusing to remove the whole vault");
    if (prefix.length === 1) {
      await fs.rm(this.#folderOf(prefix[0] as string), { recursive: true, force: true });
      return;
    }
    for (const key of await this.#keysWithPrefix(prefix)) await this.remove(key);
  }

  /** The file that holds `key` (exposed for tests that damage files on purpose). */
  fileOf(key: StorageKey): string {
    return this.#fileOf(key);
  }

  async #keysWithPrefix(prefix: StorageKey): Promise<StorageKey[]> {
    const firsts = prefix.length > 0 ? [prefix[0] as string] : await this.#firstParts();
    const out: StorageKey[] = [];
    for (const first of firsts) {
      let names: string[];
      try {
        names = await fs.readdir(this.#folderOf(first));
      } catch (error) {
        if (isNotFound(error)) continue;
        throw error;
      }
      for (const name of names) {
        if (name.endsWith(".tmp")) continue;
        const rest = name === EMPTY_REST ? [] : name.split(".").map(decodeURIComponent);
        const key = [first, ...rest];
        if (hasPrefix(key, prefix)) out.push(key);
      }
    }
    return out;
  }

  async #firstParts(): Promise<string[]> {
    try {
      return (await fs.readdir(this.#dir)).map(decodeURIComponent);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
  }

  #folderOf(first: string): string {
    return path.join(this.#dir, encodePart(first));
  }

  #fileOf(key: StorageKey): string {
    const [first, ...rest] = key;
    if (first === undefined) throw new RangeError("a storage key needs at least one part");
    const name = rest.length === 0 ? EMPTY_REST : rest.map(encodePart).join(".");
    return path.join(this.#folderOf(first), name);
  }
}

function encodePart(part: string): string {
  return encodeURIComponent(part).replaceAll(".", "%2E").replaceAll("*", "%2A");
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await fs.open(folder, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "ENOENT";
}
