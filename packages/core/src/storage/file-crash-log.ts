/**
 * The crash log on a file system (Node): one append-only file per chunk, each record framed
 * with its length and CRC-32. A record is written with one `write` system call before
 * `append` resolves, so it survives the process being killed (the operating system holds
 * it); a record torn by a power loss fails its checksum and is left out on reading.
 */
import { closeSync, promises as fs, openSync, writeSync } from "node:fs";
import path from "node:path";
import {
  type CrashLog,
  type CrashLogKey,
  crashLogName,
  frameRecord,
  parseCrashLogName,
  unframeRecords,
} from "./crash-log.js";

const SUFFIX = ".log";

/** Keeps crash logs as files in `directory`. */
export class FileCrashLog implements CrashLog {
  readonly #dir: string;
  readonly #fds = new Map<string, number>();
  #ready: Promise<void> | undefined;

  constructor(directory: string) {
    this.#dir = path.resolve(directory);
  }

  async append(key: CrashLogKey, record: Uint8Array): Promise<void> {
    this.#ready ??= fs.mkdir(this.#dir, { recursive: true }).then(() => undefined);
    await this.#ready;
    const name = crashLogName(key);
    let fd = this.#fds.get(name);
    if (fd === undefined) {
      fd = openSync(this.#file(name), "a");
      this.#fds.set(name, fd);
    }
    const framed = frameRecord(record);
    let written = 0;
    while (written < framed.length) written += writeSync(fd, framed, written);
  }

  async keys(): Promise<CrashLogKey[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.#dir);
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return [];
      throw error;
    }
    return names
      .filter((n) => n.endsWith(SUFFIX))
      .flatMap((n) => parseCrashLogName(n.slice(0, -SUFFIX.length)) ?? []);
  }

  async read(key: CrashLogKey): Promise<Uint8Array[]> {
    try {
      return unframeRecords(new Uint8Array(await fs.readFile(this.#file(crashLogName(key)))));
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return [];
      throw error;
    }
  }

  async remove(key: CrashLogKey): Promise<void> {
    const name = crashLogName(key);
    this.#closeFd(name);
    await fs.rm(this.#file(name), { force: true });
  }

  async close(): Promise<void> {
    for (const name of [...this.#fds.keys()]) this.#closeFd(name);
  }

  #closeFd(name: string): void {
    const fd = this.#fds.get(name);
    if (fd !== undefined) closeSync(fd);
    this.#fds.delete(name);
  }

  #file(name: string): string {
    return path.join(this.#dir, `${name}${SUFFIX}`);
  }
}
