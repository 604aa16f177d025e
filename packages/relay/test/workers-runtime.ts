/**
 * Runs Workers code locally for tests: bundles an entry module with esbuild (the one
 * wrangler ships) and starts it in workerd through miniflare, on 127.0.0.1, with the
 * relay's Durable Object bindings persisted in a directory so a restart keeps the data.
 */
import { createRequire } from "node:module";
import { Miniflare } from "miniflare";

interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
}

const require = createRequire(import.meta.url);
const esbuild = createRequire(require.resolve("wrangler/package.json"))("esbuild") as Esbuild;

/** The compatibility date the tests and `wrangler.toml` use. */
export const COMPATIBILITY_DATE = "2026-04-01";

/**
 * The compatibility flags of the tests and `wrangler.toml`: `nodejs_compat` gives the account
 * code its `node:crypto` (HMAC, SHA-256, Ed25519 verification) and `Buffer`.
 */
export const COMPATIBILITY_FLAGS = ["nodejs_compat"] as const;

/** The Durable Object bindings (binding → class), as `wrangler.toml` declares them. */
export const RELAY_DURABLE_OBJECTS = {
  DOCUMENTS: "DocumentObject",
  DIRECTORY: "DirectoryObject",
  SESSIONS: "SessionObject",
  METRICS: "MetricsObject",
  ACCOUNTS: "AccountsObject",
} as const;

/** The bindings only the relay Worker has (a store test Worker exports the store's classes). */
const RELAY_ONLY: readonly string[] = ["SESSIONS", "METRICS"];

/** Bundles `entry` (a path) into one ES module for workerd. */
export async function bundleWorker(entry: string): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    external: ["cloudflare:*", "node:*"],
    // The core library's main entry re-exports Automerge, which the relay never runs: its
    // WebAssembly is tree-shaken away, but esbuild still needs a loader to read past it.
    loader: { ".wasm": "empty" },
    logLevel: "error",
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced nothing for ${entry}`);
  return output.text;
}

/** Options of `startWorkerd`. */
export interface WorkerdOptions {
  readonly script: string;
  /** Where Durable Object storage persists (the same directory after a restart). */
  readonly persistDir: string;
  /** 0 picks a free port; give the previous one to restart on the same URL. */
  readonly port?: number;
  readonly bindings?: Record<string, string>;
  /** Binds the connection and metrics objects too (the relay Worker); default true. */
  readonly sessions?: boolean;
}

/** A running workerd. */
export interface Workerd {
  readonly miniflare: Miniflare;
  /** `http://127.0.0.1:<port>` */
  readonly url: URL;
  dispose(): Promise<void>;
}

/** Starts `script` with the relay's Durable Object classes bound. */
export async function startWorkerd(options: WorkerdOptions): Promise<Workerd> {
  const miniflare = new Miniflare({
    modules: true,
    script: options.script,
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: [...COMPATIBILITY_FLAGS],
    host: "127.0.0.1",
    port: options.port ?? 0,
    durableObjects: Object.fromEntries(
      Object.entries(RELAY_DURABLE_OBJECTS)
        .filter(([binding]) => options.sessions !== false || !RELAY_ONLY.includes(binding))
        .map(([binding, className]) => [binding, { className, useSQLite: true }]),
    ),
    durableObjectsPersist: options.persistDir,
    ...(options.bindings && { bindings: options.bindings }),
  });
  const url = await miniflare.ready;
  return { miniflare, url, dispose: () => miniflare.dispose() };
}
