/**
 * Loads libsodium once per process. We use the `-sumo` build because account keys need
 * Argon2id (`crypto_pwhash`), which the standard build leaves out (REFERENCE.md).
 *
 * How it is imported: `libsodium-wrappers-sumo` 0.8.4 ships a working ESM entry
 * (`dist/modules-sumo-esm/libsodium-wrappers.mjs`, chosen by the `import` condition of its
 * `exports` map) with its own types (`.d.mts`; `@types/libsodium-wrappers-sumo` is only an
 * empty stub). Under Node 20 ESM and TypeScript `NodeNext`, `import sodium from
 * "libsodium-wrappers-sumo"` gives an object whose functions appear only after
 * `await sodium.ready`. Two details matter:
 * - The module starts compiling its WebAssembly as soon as it is evaluated (~20 ms and
 *   ~15 MB here) and throws at evaluation when `globalThis.crypto.getRandomValues` is
 *   missing. We import it dynamically, so code that merely imports `@ridevault/core` (or
 *   the relay, which only verifies) pays nothing until it asks for sodium.
 * - Everything else imports only the type (`import type`), and receives the loaded object as
 *   a parameter, so crypto functions stay synchronous and testable.
 */
import type sodiumModule from "libsodium-wrappers-sumo";

/** The initialised libsodium (sumo) API, as `loadSodium` resolves it. */
export type Sodium = typeof sodiumModule;

let loading: Promise<Sodium> | undefined;

/**
 * Resolves to libsodium once its WebAssembly is ready. Every call returns the same promise,
 * so it is cheap to call wherever sodium is needed. If loading fails (no WebAssembly, no
 * `crypto.getRandomValues`), the promise rejects and the next call tries again.
 */
export function loadSodium(): Promise<Sodium> {
  loading ??= importSodium().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function importSodium(): Promise<Sodium> {
  const { default: sodium } = await import("libsodium-wrappers-sumo");
  await sodium.ready;
  return sodium;
}
