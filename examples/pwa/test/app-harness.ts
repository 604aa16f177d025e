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
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from "playwright-core";
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

/** One device in a browser test: its own browser context, a page on it, and the errors of its pages. */
export interface AppDevice {
  readonly context: BrowserContext;
  readonly page: Page;
  /** The messages of uncaught errors on the device's pages so far. */
  readonly errors: string[];
}

/** Options of `createAppBrowser`. */
export interface AppBrowserOptions extends ServeAppOptions {
  /** Each page's default timeout for actions and waits, in milliseconds. */
  readonly uiTimeout: number;
  /** Options of every device's browser context, e.g. `{ acceptDownloads: true }`. */
  readonly context?: BrowserContextOptions;
}

/** A test file's served app and the Chromium that opens devices on it. */
export interface AppBrowser {
  /**
   * Serves the app and launches Chromium (call it in `beforeAll`); resolves to the served
   * app. A Chromium that does not start fails each `device()` with why, not this.
   */
  start(): Promise<ServedApp>;
  /** Opens a new device: a fresh browser context (its own storage) and a page on it. */
  device(): Promise<AppDevice>;
  /** Opens another page on `device`'s context, its errors collected with the others. */
  newPage(device: Pick<AppDevice, "context" | "errors">): Promise<Page>;
  /** Throws why Chromium did not start, if it did not. */
  assertLaunched(): void;
  /** Closes every device, Chromium and the relay (call it in `afterAll`). */
  close(): Promise<void>;
}

/** The app and Chromium for one test file; its functions may be destructured. */
export function createAppBrowser(options: AppBrowserOptions): AppBrowser {
  let app: ServedApp | undefined;
  let browser: Browser | undefined;
  let launchError: Error | undefined;
  const contexts: BrowserContext[] = [];
  const launched = (): Browser => {
    if (!browser) throw launchError ?? new Error("Chromium did not start");
    return browser;
  };
  const newPage = async (device: Pick<AppDevice, "context" | "errors">): Promise<Page> => {
    const page = await device.context.newPage();
    page.on("pageerror", (error) => device.errors.push(error.message));
    page.setDefaultTimeout(options.uiTimeout);
    return page;
  };
  return {
    async start() {
      app = await serveApp(options);
      browser = await launchChromium().catch((error: Error) => {
        launchError = error;
        return undefined;
      });
      return app;
    },
    async device() {
      const context = await launched().newContext(options.context);
      contexts.push(context);
      const errors: string[] = [];
      return { context, page: await newPage({ context, errors }), errors };
    },
    newPage,
    assertLaunched() {
      launched();
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser?.close();
      await app?.close();
    },
  };
}
