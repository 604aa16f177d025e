import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cacheControlFor,
  contentTypeOf,
  createStaticFiles,
  resolveStaticPath,
} from "./static-files.js";

describe("resolveStaticPath", () => {
  it("maps / to index.html and strips the query", () => {
    expect(resolveStaticPath("/")).toEqual({ kind: "file", relative: "index.html" });
    expect(resolveStaticPath("/assets/a-1.js?v=2#x")).toEqual({
      kind: "file",
      relative: "assets/a-1.js",
    });
  });

  it.each([
    "/../secret",
    "/assets/../../secret",
    "/%2e%2e/secret",
    "/assets/%2E%2E%2Fsecret",
    "/a/%2e/b",
    "/..%5csecret",
    "/a%00b",
    "/%zz",
  ])("refuses %s", (url) => {
    expect(resolveStaticPath(url).kind).toBe("rejected");
  });

  it("hides dotfiles", () => {
    expect(resolveStaticPath("/.env")).toMatchObject({ kind: "rejected", status: 404 });
  });
});

describe("headers", () => {
  it("knows the app's content types", () => {
    expect(contentTypeOf("index.html")).toBe("text/html; charset=utf-8");
    expect(contentTypeOf("assets/x.JS")).toBe("text/javascript; charset=utf-8");
    expect(contentTypeOf("a.wasm")).toBe("application/wasm");
    expect(contentTypeOf("manifest.webmanifest")).toContain("application/manifest+json");
    expect(contentTypeOf("icon.svg")).toBe("image/svg+xml");
    expect(contentTypeOf("blob.bin")).toBe("application/octet-stream");
  });

  it("caches hashed assets for long and revalidates the shell", () => {
    expect(cacheControlFor("assets/index-abc123.js")).toContain("immutable");
    expect(cacheControlFor("index.html")).toBe("no-cache");
    expect(cacheControlFor("sw.js")).toBe("no-cache");
    expect(cacheControlFor("icon.svg")).toBe("no-cache");
  });
});

describe("createStaticFiles over HTTP", () => {
  let dir: string;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "static-files-"));
    const root = path.join(dir, "app");
    await mkdir(path.join(root, "assets"), { recursive: true });
    await writeFile(path.join(root, "index.html"), "<!doctype html><title>app</title>");
    await writeFile(path.join(root, "sw.js"), "self.x = 1;");
    await writeFile(path.join(root, "assets", "main-1a2b.js"), "console.log(1);");
    await writeFile(path.join(dir, "secret.txt"), "do not serve");
    await symlink(path.join(dir, "secret.txt"), path.join(root, "link.txt"));
    const handler = createStaticFiles({ root });
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  /** A raw request, so traversal paths reach the server unnormalised. */
  function get(
    urlPath: string,
    init: { method?: string; accept?: string } = {},
  ): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port,
          path: urlPath,
          method: init.method ?? "GET",
          headers: { accept: init.accept ?? "*/*" },
        },
        (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => {
            body += chunk.toString();
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  it("serves files with their type and cache policy", async () => {
    const index = await get("/");
    expect(index.status).toBe(200);
    expect(index.body).toContain("<title>app</title>");
    expect(index.headers["cache-control"]).toBe("no-cache");
    const asset = await get("/assets/main-1a2b.js");
    expect(asset.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(asset.headers["cache-control"]).toContain("max-age=31536000");
    expect((await get("/sw.js")).headers["cache-control"]).toBe("no-cache");
  });

  it("falls back to index.html for navigations only", async () => {
    const page = await get("/workouts/abc", { accept: "text/html,application/xhtml+xml" });
    expect(page.status).toBe(200);
    expect(page.body).toContain("<title>app</title>");
    expect((await get("/workouts/abc")).status).toBe(404);
    expect((await get("/assets/missing.js", { accept: "text/html" })).status).toBe(404);
  });

  it("refuses traversal, symlinks out of the root and other methods", async () => {
    for (const attempt of [
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/assets/..%2f..%2fsecret.txt",
    ]) {
      const response = await get(attempt, { accept: "text/html" });
      expect(response.status, attempt).toBe(400);
      expect(response.body).not.toContain("do not serve");
    }
    const link = await get("/link.txt");
    expect(link.status).toBe(404);
    expect(link.body).not.toContain("do not serve");
    const post = await get("/", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
  });

  it("answers HEAD with headers and no body", async () => {
    const head = await get("/index.html", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(Number(head.headers["content-length"])).toBeGreaterThan(0);
    expect(head.body).toBe("");
  });
});
