/**
 * Runs the real `ridevault-relay` binary (built) as a child process, for integration tests;
 * the cluster and account helpers start theirs here too, with their own flags.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

/** A relay process. */
export interface RelayProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Settles once the process has exited. */
  readonly exited: Promise<void>;
  /** Everything it logged so far. */
  logs(): string;
  /** SIGKILL: no chance to clean up. */
  kill(): Promise<void>;
  /** SIGTERM: graceful shutdown. */
  stop(): Promise<void>;
}

/**
 * Starts the relay on port 0 (or `port`) over `dataDir`, with `flags` besides, and waits
 * until it serves.
 */
export function startRelayProcess(
  dataDir: string,
  port = 0,
  flags: readonly string[] = [],
): Promise<RelayProcess> {
  return spawnRelay(["--data", dataDir, "--port", String(port), "--log-level", "debug", ...flags]);
}

/**
 * Starts `ridevault-relay` with `args` and waits until it prints its ready line; rejects
 * (with what it logged) if it exits first.
 */
async function spawnRelay(args: readonly string[]): Promise<RelayProcess> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let logs = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    logs += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /\{"ready":"([^"]+)"\}/.exec(out);
      if (match) resolve(match[1] as string);
    });
    child.once("exit", (code) =>
      reject(new Error(`relay exited (${code}) before it was ready: ${logs}`)),
    );
  });
  return {
    url,
    child,
    exited,
    logs: () => logs,
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
