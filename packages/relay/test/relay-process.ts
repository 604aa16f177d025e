/** Runs the real `ridevault-relay` binary (built) as a child process, for integration tests. */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

/** A relay process on a data directory. */
export interface RelayProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it logged so far. */
  logs(): string;
  /** SIGKILL: no chance to clean up. */
  kill(): Promise<void>;
  /** SIGTERM: graceful shutdown. */
  stop(): Promise<void>;
}

/** Starts the relay on port 0 (or `port`) over `dataDir` and waits until it serves. */
export async function startRelayProcess(dataDir: string, port = 0): Promise<RelayProcess> {
  const child = spawn(
    process.execPath,
    [MAIN, "--data", dataDir, "--port", String(port), "--log-level", "debug"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let logs = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    logs += chunk.toString();
  });
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
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url,
    child,
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
