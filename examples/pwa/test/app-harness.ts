/**
 * What the app's browser tests run against: the app built by Vite into a temporary
 * directory, a real relay process (the built `ridevault-relay`) serving it on port 0 over a
 * temporary SQLite directory, and Debian's Chromium driven by playwright-core. Each browser
 * context is one device (its own IndexedDB, service worker and network switch).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { build } from "vite";

const APP_ROOT = fileURLToPath(new URL("..", import.meta.url));
const RELAY_MAIN = fileURLToPath(new URL("../../../packages/relay/dist/main.js", import.meta.url));

/** Where the tests look for Chromium (what `npm test` installs on Debian). */
export const CHROMIUM_PATH = process.env.RIDEVAULT_CHROMIUM ?? "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** A built app served by a running relay. */
export interface ServedApp {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** What the relay logged so far. */
  logs(): string;
  /** Stops the relay and removes the temporary directories (once; later calls wait). */
  close(): Promise<void>;
}

/** Options of `serveApp`. */
export interface ServeAppOptions {
  /** The relay's `--accounts` mode (default: the relay's own, `optional` on 127.0.0.1). */
  readonly accounts?: "required" | "optional" | "off";
  /** More relay flags, e.g. `["--login-rate", "60"]`. */
  readonly relayArgs?: readonly string[];
}

/** Builds the app into a temporary directory and serves it from a relay on port 0. */
export async function serveApp(options: ServeAppOptions = {}): Promise<ServedApp> {
  if (!existsSync(RELAY_MAIN)) {
    throw new Error("the relay is not built: run `npx tsc -b` (or `npm test`) first");
  }
  const dir = await mkdtemp(path.join(tmpdir(), "ridevault-pwa-"));
  const appDir = path.join(dir, "app");
  // Vitest sets NODE_ENV=test, which would make Vite build React's development bundle and
  // leave the service worker out (it registers only in production builds).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      root: APP_ROOT,
      mode: "production",
      logLevel: "error",
      build: { outDir: appDir, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  const child = spawn(
    process.execPath,
    [
      RELAY_MAIN,
      ...["--data", path.join(dir, "data"), "--port", "0", "--app-dir", appDir],
      ...(options.accounts ? ["--accounts", options.accounts] : []),
      ...(options.relayArgs ?? []),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let logs = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    logs += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await readyUrl(child, () => logs);
  let closing: Promise<void> | undefined;
  return {
    origin: new URL(url.replace(/^ws/, "http")).origin,
    logs: () => logs,
    close() {
      closing ??= (async () => {
        child.kill("SIGTERM");
        await exited;
        await rm(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

function readyUrl(child: ChildProcess, logs: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /\{"ready":"([^"]+)"\}/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) =>
      reject(new Error(`relay exited (${code}) before it was ready: ${logs()}`)),
    );
  });
}

/** Launches headless Chromium, or fails saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the app's browser tests need it. ` +
        "Install it (Debian/Ubuntu: sudo apt-get install chromium; `npm test` does this in CI) " +
        "or point RIDEVAULT_CHROMIUM at a Chromium binary.",
    );
  }
  return await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
