/**
 * A Vite plugin that writes `sw.js`, the app's service worker: the template in
 * `build/service-worker.js`, preceded by the build's version and the list of files to
 * precache (every emitted file except source maps and the worker itself). The version is a
 * hash of that list's contents, so any change to the app makes a new worker that replaces the
 * old cache.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Plugin } from "vite";

const TEMPLATE = new URL("./service-worker.js", import.meta.url);

/** Emits `sw.js` with the app shell to precache. */
export function serviceWorkerPlugin(): Plugin {
  return {
    name: "ridevault-service-worker",
    apply: "build",
    generateBundle(_options, bundle) {
      const hash = createHash("sha256");
      const files: string[] = [];
      for (const [fileName, output] of Object.entries(bundle).sort(([a], [b]) =>
        a.localeCompare(b),
      )) {
        if (fileName.endsWith(".map")) continue;
        files.push(`/${fileName}`);
        hash.update(fileName);
        hash.update(output.type === "chunk" ? output.code : output.source);
      }
      // index.html and the public files are not in the bundle yet; they are cached by name.
      const shell = ["/", "/manifest.webmanifest", "/icon.svg", "/icon-192.png", "/icon-512.png"];
      const build = { version: hash.digest("hex").slice(0, 16), files: [...shell, ...files] };
      this.emitFile({
        type: "asset",
        fileName: "sw.js",
        source: `self.RIDEVAULT_BUILD = ${JSON.stringify(build)};\n${readFileSync(TEMPLATE, "utf8")}`,
      });
    },
  };
}
