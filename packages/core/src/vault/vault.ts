/**
 * The vault: everything of one rider on one device — Automerge documents (`DocStore`) over a
 * checksummed storage adapter, the library document, the crash log and this device's id.
 * Local-only use is the whole product here: nothing needs a server. Open one with
 * `openVault` (any storage), `openNodeVault` (`@ridevault/core/node`) or `openBrowserVault`
 * (`@ridevault/core/browser`).
 */

import { createDocumentKeys } from "../crypto/document-keys.js";
import { loadSodium } from "../crypto/sodium.js";
import type { ImportFile } from "../formats/import/import-file.js";
import type { ImportError } from "../formats/import/imported-workout.js";
import { createDeviceId, type DeviceId, isDeviceId } from "../ids.js";
import type { LibraryAccess } from "../keys/account-bundle.js";
import { decodeDocumentKeys, encodeDocumentKeys } from "../keys/encode-document-keys.js";
import { err, ok, type Result } from "../result.js";
import { type Clock, type Random, systemClock, systemRandom } from "../runtime.js";
import type { ShareClient } from "../sharing/share-client.js";
import { createCheckedStorage } from "../storage/checked-storage.js";
import type { CrashLog } from "../storage/crash-log.js";
import { type DocHandle, DocStore } from "../storage/doc-store.js";
import type { StorageAdapter } from "../storage/storage-adapter.js";
import type { SyncSource } from "../sync/sync-source.js";
import type { RecordingOptions } from "../workout/recording.js";
import {
  type BulkImportOptions,
  type FileImportResult,
  type ImportSource,
  importSources,
} from "./bulk-import.js";
import type { VaultError } from "./errors.js";
import { diffLibrary, type VaultListener } from "./events.js";
import { type ExportAllOptions, exportAll } from "./export-all.js";
import { importArchive } from "./import-archive.js";
import {
  type ImportContext,
  type ImportOutcome,
  type ImportStoreError,
  importFileIntoVault,
} from "./import-workout.js";
import { entryFromStored, type LibraryDoc, type LibraryEntry } from "./library.js";
import { type RecoveryReport, recoverCrashLogs } from "./recovery.js";
import { SharedWithMe } from "./shared-with-me.js";
import { VaultShares } from "./shares.js";
import { base64ToBytes, bytesToBase64, createVaultSyncSource } from "./sync-source.js";
import { Workouts } from "./workouts.js";

/** Options of `openVault`. */
export interface VaultOptions {
  /** Where documents live; the vault adds a checksum to every stored value. */
  readonly storage: StorageAdapter;
  /** Where unsealed samples wait (see `CrashLog`). */
  readonly crashLog: CrashLog;
  /** A name for this device, stored with the chunks it records (default "ridevault"). */
  readonly deviceName?: string;
  /** Defaults for recordings started in this vault. */
  readonly recording?: RecordingOptions;
  /**
   * Join the vault of another device of the same rider (`vault.invite()` there, or the
   * library access `logIn` returns from the account): this vault adopts that library and
   * receives everything through sync. Only when creating a vault.
   */
  readonly join?: string | LibraryAccess;
  /** Delay before a workout's library summary is refreshed after new samples (default 2 s). */
  readonly summaryDelayMs?: number;
  /**
   * …but at most once per this many ms while samples keep coming (default 15 minutes: each
   * refresh is a ~460-byte library change synced to every device, and `finish` refreshes at
   * once).
   */
  readonly summaryIntervalMs?: number;
  readonly clock?: Clock;
  readonly random?: Random;
}

const MANIFEST_KEY = ["ridevault", "vault"];
const MANIFEST_VERSION = 1;
const DEFAULT_DEVICE_NAME = "ridevault";

interface Manifest {
  readonly version: number;
  readonly libraryId: string;
  readonly deviceId: DeviceId;
  /** The library's keys (base64 of `encodeDocumentKeys`), once sync has made them. */
  readonly libraryKeys?: string;
}

/**
 * Opens (or creates, the first time) the vault kept in `options.storage`, and recovers any
 * samples a crash left in the crash log into their workouts.
 */
export async function openVault(options: VaultOptions): Promise<Result<Vault, VaultError>> {
  const storage = createCheckedStorage(options.storage);
  const random = options.random ?? systemRandom;
  const docs = new DocStore(storage, { random });

  let manifest: Manifest;
  let library: DocHandle<LibraryDoc>;
  try {
    const stored = await storage.load(MANIFEST_KEY);
    if (stored) {
      const parsed = parseManifest(stored);
      if (!parsed.ok) return parsed;
      manifest = parsed.value;
      const found = await docs.find<LibraryDoc>(manifest.libraryId);
      if (!found) throw new Error("the library document is missing");
      library = found;
    } else {
      const invite =
        options.join === undefined
          ? undefined
          : typeof options.join === "string"
            ? parseInvite(options.join)
            : accessToInvite(options.join);
      if (invite && !invite.ok) return invite;
      library = invite
        ? await docs.ensure<LibraryDoc>(invite.value.libraryId)
        : docs.create<LibraryDoc>({ type: "ridevault/library", schema: 1, workouts: {}, keys: {} });
      manifest = {
        version: MANIFEST_VERSION,
        libraryId: library.documentId,
        deviceId: createDeviceId(random),
        ...(invite && { libraryKeys: invite.value.libraryKeys }),
      };
      await docs.flush([library.documentId]);
      await storage.save(MANIFEST_KEY, encodeManifest(manifest));
    }
  } catch (error) {
    return err({
      code: "library-corrupt",
      message: `the vault's library could not be loaded: ${(error as Error).message}. Restore the vault from a backup or another device.`,
    });
  }
  const vault = new Vault({ docs, storage, library, manifest, options, random });
  await vault.recover();
  return ok(vault);
}

function encodeManifest(manifest: Manifest): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(manifest));
}

const INVITE_PREFIX = "ridevault-invite-1.";

// Library access from an account's key bundle (`logIn`), in the invite's form.
function accessToInvite(
  access: LibraryAccess,
): Result<{ libraryId: string; libraryKeys: string }, VaultError> {
  return ok({
    libraryId: access.libraryId,
    libraryKeys: bytesToBase64(encodeDocumentKeys(access.libraryKeys)),
  });
}

function parseInvite(
  invite: string,
): Result<{ libraryId: string; libraryKeys: string }, VaultError> {
  try {
    if (!invite.startsWith(INVITE_PREFIX)) throw new Error("not an invite");
    const value = JSON.parse(atob(invite.slice(INVITE_PREFIX.length))) as Record<string, unknown>;
    if (typeof value.libraryId === "string" && typeof value.libraryKeys === "string") {
      return ok({ libraryId: value.libraryId, libraryKeys: value.libraryKeys });
    }
  } catch {
    // Reported below.
  }
  return err({
    code: "invalid-invite",
    message:
      "the invite is not a ridevault invite; copy it again from the other device (vault.invite())",
  });
}

function parseManifest(bytes: Uint8Array): Result<Manifest, VaultError> {
  let value: Partial<Manifest>;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes)) as Partial<Manifest>;
  } catch {
    return err({ code: "library-corrupt", message: "the vault manifest is not valid JSON" });
  }
  if (value.version !== MANIFEST_VERSION) {
    return err({
      code: "vault-version",
      message: `this vault has format version ${String(value.version)}; this library reads version ${MANIFEST_VERSION}. Update @ridevault/core.`,
    });
  }
  if (typeof value.libraryId !== "string" || !isDeviceId(value.deviceId)) {
    return err({ code: "library-corrupt", message: "the vault manifest is incomplete" });
  }
  return ok(value as Manifest);
}

/** One rider's data on this device. */
export class Vault {
  /** This device's id; the chunks it records carry it. */
  readonly deviceId: DeviceId;
  /** Create, open, list, edit, delete and record workouts. */
  readonly workouts: Workouts;
  /** Share this rider's workouts by link or with a known rider; list and revoke shares. */
  readonly shares: VaultShares;
  /** Workouts other riders shared with this rider. */
  readonly sharedWithMe: SharedWithMe;
  readonly #library: DocHandle<LibraryDoc>;
  readonly #docs: DocStore;
  readonly #storage: StorageAdapter;
  #manifest: Manifest;
  readonly #options: VaultOptions;
  readonly #listeners = new Set<VaultListener>();
  #snapshot: Map<string, LibraryEntry>;
  #recovered: RecoveryReport = { recovered: [], problems: [] };
  #closed = false;
  readonly #imports: ImportContext;

  /** @internal Use `openVault`. */
  constructor(parts: {
    docs: DocStore;
    storage: StorageAdapter;
    library: DocHandle<LibraryDoc>;
    manifest: Manifest;
    options: VaultOptions;
    random: Random;
  }) {
    this.#library = parts.library;
    this.#docs = parts.docs;
    this.#storage = parts.storage;
    this.#manifest = parts.manifest;
    this.#options = parts.options;
    this.deviceId = parts.manifest.deviceId;
    this.#snapshot = this.#readLibrary();
    this.#library.onChange(() => this.#emitChanges());
    const clock = parts.options.clock ?? systemClock;
    const flushLibrary = () => parts.docs.flush([parts.library.documentId]);
    this.sharedWithMe = new SharedWithMe({ library: parts.library, flush: flushLibrary, clock });
    this.shares = new VaultShares({
      library: parts.library,
      flush: flushLibrary,
      clock,
      random: parts.random,
      list: (options) => this.workouts.list(options),
    });
    const sharedWithMe = this.sharedWithMe;
    this.workouts = new Workouts({
      docs: parts.docs,
      library: parts.library,
      crashLog: parts.options.crashLog,
      deviceId: this.deviceId,
      deviceName: parts.options.deviceName ?? DEFAULT_DEVICE_NAME,
      clock: parts.options.clock ?? systemClock,
      random: parts.random,
      recording: parts.options.recording ?? {},
      summaryDelayMs: parts.options.summaryDelayMs ?? 2000,
      summaryIntervalMs: parts.options.summaryIntervalMs ?? 15 * 60_000,
      entries: () => this.#snapshot,
      shared: (id) => {
        const mode = sharedWithMe.mode(id);
        return mode && { mode, entry: sharedWithMe.entry(id) };
      },
    });
    this.#imports = {
      workouts: this.workouts,
      deviceId: this.deviceId,
      clock: parts.options.clock ?? systemClock,
      random: parts.random,
    };
  }

  /**
   * Imports a FIT, TCX or GPX file (gzipped or not) as a new workout with its library
   * summary, all or nothing; a ride already in the vault (same start time and samples) is
   * not added twice (`status: "duplicate"`). See vault/import-workout.ts.
   */
  importFile(file: ImportFile): Promise<Result<ImportOutcome, ImportError | ImportStoreError>> {
    return importFileIntoVault(this.#imports, file);
  }

  /** Imports many files one by one with progress; a bad file never stops the rest. */
  importFiles(
    sources: readonly ImportSource[],
    options: BulkImportOptions = {},
  ): Promise<FileImportResult[]> {
    return importSources(this.#imports, sources, options);
  }

  /**
   * Restores an archive from `exportAll` (from its lossless JSON), or bulk-imports a zip of
   * FIT/TCX/GPX files. Fails only when the zip itself is unreadable.
   */
  importArchive(
    bytes: Uint8Array,
    options: BulkImportOptions = {},
  ): Promise<Result<FileImportResult[], ImportError>> {
    return importArchive(this.#imports, bytes, options);
  }

  /** "All my data": every workout as JSON and FIT, the library and a README, in one zip. */
  exportAll(options: ExportAllOptions = {}): Promise<Uint8Array> {
    return exportAll(this.workouts, this.#imports.clock, options);
  }

  /** Samples recovered from the crash log when the vault opened, and logs it could not use. */
  get recovery(): RecoveryReport {
    return this.#recovered;
  }

  /**
   * Calls `listener` for every change to the list of workouts (created, updated, removed,
   * restored, purged), whether made here or merged from elsewhere. Returns an unsubscribe.
   */
  subscribe(listener: VaultListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** @internal Seals samples left in the crash log by a crash (run by `openVault`). */
  async recover(): Promise<void> {
    this.#recovered = await recoverCrashLogs({
      crashLog: this.#options.crashLog,
      workouts: this.workouts,
      device: { id: this.deviceId, name: this.#options.deviceName ?? DEFAULT_DEVICE_NAME },
    });
  }

  /**
   * The library's id and keys, for an account's key bundle (`registerAccount`): a device
   * that opens the bundle joins this vault with `openVault({ join: access })`.
   */
  async libraryAccess(): Promise<LibraryAccess> {
    const keys = decodeDocumentKeys(base64ToBytes(await this.#libraryKeys()));
    if (typeof keys === "string") throw new Error(`the vault's library keys are damaged: ${keys}`);
    return { libraryId: this.#library.documentId, libraryKeys: keys };
  }

  /**
   * An invite for another device of this rider: `openVault({ join: invite })` there makes a
   * vault that receives this library and every workout through sync. It carries the
   * library's keys — treat it like a password. Resolves once sync keys exist.
   */
  async invite(): Promise<string> {
    const keys = await this.#libraryKeys();
    return `${INVITE_PREFIX}${btoa(JSON.stringify({ libraryId: this.#library.documentId, libraryKeys: keys }))}`;
  }

  /**
   * @internal What the sync engine needs from this vault; `shareClient` fetches shares'
   * keys again after their owner rotates them.
   */
  syncSource(options: { shareClient?: ShareClient } = {}): SyncSource {
    return createVaultSyncSource({
      sharedWithMe: this.sharedWithMe,
      ...(options.shareClient && { shareClient: options.shareClient }),
      deviceId: this.deviceId,
      storage: this.#storage,
      docs: this.#docs,
      library: this.#library,
      workouts: this.workouts,
      libraryKeys: () => this.#libraryKeys(),
    });
  }

  /** The library's keys, made (and kept in the manifest) the first time sync needs them. */
  async #libraryKeys(): Promise<string> {
    if (this.#manifest.libraryKeys) return this.#manifest.libraryKeys;
    const sodium = await loadSodium();
    const encoded = bytesToBase64(encodeDocumentKeys(createDocumentKeys(sodium)));
    this.#manifest = { ...this.#manifest, libraryKeys: encoded };
    await this.#storage.save(MANIFEST_KEY, encodeManifest(this.#manifest));
    return encoded;
  }

  /** Writes everything to storage and releases it. Unfinished recordings stay recoverable. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.workouts.settle();
    await this.#options.crashLog.close();
    this.#listeners.clear();
  }

  #readLibrary(): Map<string, LibraryEntry> {
    const doc = this.#library.doc();
    return new Map(
      Object.entries(doc.workouts ?? {}).map(([id, stored]) => [id, entryFromStored(stored)]),
    );
  }

  #emitChanges(): void {
    const next = this.#readLibrary();
    const events = diffLibrary(this.#snapshot, next);
    this.#snapshot = next;
    for (const event of events) {
      for (const listener of this.#listeners) listener(event);
    }
  }
}
