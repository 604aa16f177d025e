/**
 * Serving a built single-page app (the example PWA) from a directory, as the relay server's
 * `fallback`. Paths are resolved safely: the decoded URL path is normalised, must stay inside
 * the root (no `..`, no encoded separators, no NUL) and may not name a dotfile. Hashed build
 * assets (`/assets/…`) are cached for a year as immutable; `index.html`, the service worker and
 * the manifest must always be revalidated, so a new build reaches riders. A navigation
 * request (a GET that accepts HTML, for a path without a file extension) that names no file
 * gets `index.html`, so the app's own routes survive a reload.
 */
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";

/** Content types by file extension; anything else is `application/octet-stream`. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
};

/** Files that must never be served from an HTTP cache without revalidation. */
const NO_CACHE_FILES = new Set(["index.html", "sw.js", "manifest.webmanifest"]);
const IMMUTABLE = "public, max-age=31536000, immutable";
const NO_CACHE = "no-cache";

/** Where a request path leads. */
export type StaticTarget =
  | { readonly kind: "file"; readonly relative: string }
  | { readonly kind: "rejected"; readonly status: 400 | 404; readonly reason: string };

/**
 * Turns a URL path (`/assets/x.js?v=1`) into a path relative to the root, or says why it
 * cannot be served. Pure: it never touches the file system.
 */
export function resolveStaticPath(urlPath: string): StaticTarget {
  const pathname = urlPath.split(/[?#]/, 1)[0] ?? "/";
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { kind: "rejected", status: 400, reason: "malformed percent-encoding" };
  }
  if (decoded.includes("\0") || decoded.includes("\\")) {
    return { kind: "rejected", status: 400, reason: "forbidden character in path" };
  }
  if (!decoded.startsWith("/")) return { kind: "rejected", status: 400, reason: "relative path" };
  const segments = decoded.split("/").filter((segment) => segment !== "");
  if (segments.some((segment) => segment === ".." || segment === ".")) {
    return { kind: "rejected", status: 400, reason: "dot segment in path" };
  }
  if (segments.some((segment) => segment.startsWith("."))) {
    return { kind: "rejected", status: 404, reason: "hidden file" };
  }
  const relative = segments.length === 0 ? "index.html" : segments.join("/");
  return { kind: "file", relative };
}

/** The `cache-control` header for a file relative to the root. */
export function cacheControlFor(relative: string): string {
  if (NO_CACHE_FILES.has(relative)) return NO_CACHE;
  if (relative.startsWith("assets/")) return IMMUTABLE;
  return NO_CACHE;
}

/** The content type of a file name. */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";
}

/** True for a browser navigation: GET/HEAD, accepting HTML, to a path without an extension. */
export function isNavigation(request: IncomingMessage, relative: string): boolean {
  const accept = request.headers.accept ?? "";
  return (
    (request.method === "GET" || request.method === "HEAD") &&
    accept.includes("text/html") &&
    path.extname(relative) === ""
  );
}

/** Options of `createStaticFiles`. */
export interface StaticFilesOptions {
  /** The directory to serve (a built app with an `index.html`). */
  readonly root: string;
}

/**
 * A request handler that serves `options.root`, for `startRelayServer({ fallback })`. Answers
 * 405 to methods other than GET and HEAD, 404 to missing files (after the SPA fallback).
 */
export function createStaticFiles(
  options: StaticFilesOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const rootPromise = realpath(path.resolve(options.root));
  return (request, response) => {
    void serve(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, "internal error");
      else response.destroy();
    });
  };

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("allow", "GET, HEAD");
      send(response, 405, "method not allowed");
      return;
    }
    const target = resolveStaticPath(request.url ?? "/");
    if (target.kind === "rejected") {
      send(response, target.status, target.status === 404 ? "not found" : "bad request");
      return;
    }
    const root = await rootPromise;
    let found = await findFile(root, target.relative);
    let relative = target.relative;
    if (!found && isNavigation(request, relative)) {
      relative = "index.html";
      found = await findFile(root, relative);
    }
    if (!found) {
      send(response, 404, "not found");
      return;
    }
    response.writeHead(200, {
      "content-type": contentTypeOf(relative),
      "content-length": found.size,
      "cache-control": cacheControlFor(relative),
      "x-content-type-options": "nosniff",
    });
    if (request.method === "HEAD") {
      response.end();
      return;
    }
    createReadStream(found.file)
      .on("error", () => response.destroy())
      .pipe(response);
  }
}

/** The real path and size of `relative` under `root` when it is a regular file inside it. */
async function findFile(
  root: string,
  relative: string,
): Promise<{ file: string; size: number } | undefined> {
  try {
    // realpath follows symlinks, so a link pointing out of the root is refused too.
    const file = await realpath(path.join(root, relative));
    if (file !== root && !file.startsWith(root + path.sep)) return undefined;
    const info = await stat(file);
    return info.isFile() ? { file, size: info.size } : undefined;
  } catch {
    return undefined;
  }
}

function send(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  response.end(`${message}\n`);
}
