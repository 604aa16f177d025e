/**
 * Vite configuration of the example PWA. Two browser-specific details:
 * - Automerge: `@ridevault/core` imports `@automerge/automerge`, whose browser entry expects a
 *   bundler with WebAssembly ESM integration. We alias it to the `/slim` entry (the same
 *   module instance everywhere) and `src/main.tsx` initialises it from the `.wasm` file, which
 *   Vite emits as a hashed asset, compiled by streaming.
 * - The service worker (`build/service-worker-plugin.ts`) is generated after bundling, with
 *   the list of every emitted file to precache.
 */
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { serviceWorkerPlugin } from "./build/service-worker-plugin.ts";

export default defineConfig({
  plugins: [react(), serviceWorkerPlugin()],
  resolve: {
    alias: [{ find: /^@automerge\/automerge$/, replacement: "@automerge/automerge/slim" }],
  },
  build: {
    target: "es2022",
    chunkSizeWarningLimit: 4096,
    assetsInlineLimit: 0,
  },
  // The dev server forwards sync to a relay started with `npm start` (or `--port 8787`).
  server: {
    host: "127.0.0.1",
    proxy: { "/sync": { target: "ws://127.0.0.1:8787", ws: true } },
  },
});
