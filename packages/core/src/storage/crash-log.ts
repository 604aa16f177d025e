/**
 * The crash log: where samples wait between being appended and being sealed into the
 * workout document. A recording writes every sample here before `append` resolves, and
 * deletes a chunk's log only after the sealed chunk is safely in storage, so a killed
 * process or a closed tab loses nothing; reopening the vault seals what it finds.
 *
 * One log per (workout, device, chunk sequence number). Implementations: `MemoryCrashLog`,
 * `FileCrashLog` (Node), `IndexedDbCrashLog` (browsers); each runs `runCrashLogTests`.
 */
import { crc32 } from "./crc32.js";

/** Which chunk a log belongs to. */
export interface CrashLogKey {
  readonly workoutId: string;
  readonly deviceId: string;
  readonly seq: number;
}

/** Append-only logs of records, one per key. */
export interface CrashLog {
  /** Adds a record; once this resolves the record survives the process being killed. */
  append(key: CrashLogKey, record: Uint8Array): Promise<void>;
  /** Every key that has a log. */
  keys(): Promise<CrashLogKey[]>;
  /** The intact records of a log, in order; a record torn by a crash is left out. */
  read(key: CrashLogKey): Promise<Uint8Array[]>;
  /** Deletes a log. */
  remove(key: CrashLogKey): Promise<void>;
  /** Releases files or connections. */
  close(): Promise<void>;
}

/** `workoutId~deviceId~seq`: a log's name in files and database keys. */
export function crashLogName(key: CrashLogKey): string {
  return `${key.workoutId}~${key.deviceId}~${key.seq}`;
}

/** The inverse of `crashLogName`; undefined for names that are not logs. */
export function parseCrashLogName(name: string): CrashLogKey | undefined {
  const match = /^([^~]+)~([^~]+)~(\d+)$/.exec(name);
  if (!match) return undefined;
  return { workoutId: match[1] as string, deviceId: match[2] as string, seq: Number(match[3]) };
}

/** Frames a record for a byte log: length (u32 LE) · CRC-32 (u32 LE) · bytes. */
export function frameRecord(record: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + record.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, record.length, true);
  view.setUint32(4, crc32(record), true);
  out.set(record, 8);
  return out;
}

/** Splits a byte log into records, stopping at the first torn or damaged one. */
export function unframeRecords(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  while (pos + 8 <= bytes.length) {
    const length = view.getUint32(pos, true);
    const sum = view.getUint32(pos + 4, true);
    if (pos + 8 + length > bytes.length) break;
    const record = bytes.subarray(pos + 8, pos + 8 + length);
    if (crc32(record) !== sum) break;
    out.push(record.slice());
    pos += 8 + length;
  }
  return out;
}

/** Keeps logs in memory: survives nothing, for tests. */
export class MemoryCrashLog implements CrashLog {
  readonly #logs = new Map<string, Uint8Array[]>();

  async append(key: CrashLogKey, record: Uint8Array): Promise<void> {
    const name = crashLogName(key);
    const log = this.#logs.get(name) ?? [];
    log.push(record.slice());
    this.#logs.set(name, log);
  }

  async keys(): Promise<CrashLogKey[]> {
    return [...this.#logs.keys()].flatMap((name) => parseCrashLogName(name) ?? []);
  }

  async read(key: CrashLogKey): Promise<Uint8Array[]> {
    return (this.#logs.get(crashLogName(key)) ?? []).map((r) => r.slice());
  }

  async remove(key: CrashLogKey): Promise<void> {
    this.#logs.delete(crashLogName(key));
  }

  async close(): Promise<void> {}
}
