// The parent's side of bench/relay-server.child.mjs: forks the server process and talks to it.
// Also small helpers the relay benchmarks share. Not a benchmark on its own.
import { fork } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Forks a server process; resolves once it is ready. Call `exit()` when done.
 * BENCH_SERVER_EXEC_ARGV passes Node options to it (e.g. "--cpu-prof --cpu-prof-dir=./profiles").
 */
export async function forkServer() {
  const execArgv = (process.env.BENCH_SERVER_EXEC_ARGV ?? "").split(" ").filter(Boolean);
  const child = fork(path.join(here, "relay-server.child.mjs"), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv,
  });
  const waiting = new Map();
  let nextId = 1;
  let exited = false;
  const ready = new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`server process exited early (${code})`)));
    child.on("message", (message) => {
      if (message.ready) resolve();
      const pending = waiting.get(message.id);
      if (!pending) return;
      waiting.delete(message.id);
      if (message.error) pending.reject(new Error(`server process: ${message.error}`));
      else pending.resolve(message);
    });
  });
  child.on("exit", () => {
    exited = true;
    for (const pending of waiting.values()) pending.reject(new Error("server process exited"));
    waiting.clear();
  });
  await ready;
  const call = (cmd, args = {}, timeoutMs = 30_000) =>
    new Promise((resolve, reject) => {
      if (exited) {
        reject(new Error("server process has exited"));
        return;
      }
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`server process: no answer to ${cmd} in ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.send({ id, cmd, ...args });
    });
  return {
    pid: child.pid,
    /**
     * Starts a "relay" (SQLite store in `dir`), a "relay-postgres" (PostgreSQL store at
     * `options.databaseUrl`, with its change feed) or a "bare" ws server; resolves to its URL.
     */
    start: (kind, dir, options = {}) => call("start", { kind, dir, ...options }),
    mark: () => call("mark"),
    stop: () => call("stop"),
    async exit() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once("exit", resolve));
      await call("exit", {}, 5_000).catch(() => undefined);
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** What the server process did between two marks: CPU share of one core, loop busy share. */
export function serverDelta(before, after) {
  const wallMs = after.at - before.at;
  const cpuMs = (after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system) / 1000;
  const active = after.elu.active - before.elu.active;
  const idle = after.elu.idle - before.elu.idle;
  const counters =
    after.counters && before.counters
      ? {
          transactions: after.counters.transactions - before.counters.transactions,
          appends: after.counters.appends - before.counters.appends,
        }
      : null;
  return {
    wallMs,
    cpuShare: cpuMs / wallMs,
    loopBusyShare: active / (active + idle),
    verifyShare: (after.verifyMs - before.verifyMs) / wallMs,
    verifies: after.verifyCount - before.verifyCount,
    counters,
    rssMb: after.rssMb,
    /** Since `before`: slowest commit and checkpoint, event-loop delay. */
    storage: after.since,
    loop: after.loop,
  };
}

/** The q-quantile of ascending-sorted values. */
export function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/**
 * Closes benchmark connections (`{ ws, closed }`) with 1000, terminating any that has not
 * closed after 2 s; resolves when all are closed.
 */
export async function closeConnections(conns) {
  await Promise.all(
    conns.map(
      (c) =>
        new Promise((resolve) => {
          if (c.closed) return resolve();
          const timer = setTimeout(() => {
            c.ws.terminate();
            resolve();
          }, 2000);
          c.ws.once("close", () => {
            clearTimeout(timer);
            resolve();
          });
          c.ws.close(1000, "bench done");
        }),
    ),
  );
}
