/**
 * The deployment files cannot drift from the relay: deploy/relay.Dockerfile, deploy/fly.toml,
 * deploy/railway.toml and the compose files are read and checked against the relay's own
 * configuration reader (port, PORT, host, data directory, accounts), its package and its
 * /health endpoint; the Dockerfile gets the checks hadolint would make that matter here
 * (Docker and hadolint do not run on every machine); and the relay is started exactly as the
 * image's ENTRYPOINT and CMD start it, with the image's environment, and smoke-tested —
 * including the HEALTHCHECK command itself.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, promises as fs, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { readConfig } from "../src/config.js";
import {
  type DockerInstruction,
  envOf,
  parseDockerfile,
  parseToml,
  type TomlTable,
  tableAt,
} from "./deploy-files.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");
const DOCKERFILE = "deploy/relay.Dockerfile";
const all = parseDockerfile(read(DOCKERFILE));
const finalStage = Math.max(...all.map((i) => i.stage));
const runtime = all.filter((i) => i.stage === finalStage);
const build = all.filter((i) => i.stage === 0);
const one = (list: readonly DockerInstruction[], name: string) => {
  const found = list.filter((i) => i.name === name);
  expect(found, `exactly one ${name}`).toHaveLength(1);
  return found[0] as DockerInstruction;
};
/** ARG defaults (global and of the final stage). */
const argDefaults = Object.fromEntries(
  all
    .filter((i) => i.name === "ARG" && i.text.includes("="))
    .map((i) => i.text.split("=") as [string, string]),
);
const imageEnv = envOf(runtime);
const workdir = one(runtime, "WORKDIR").text;
const cmd = one(runtime, "CMD").exec ?? [];
const entrypoint = one(runtime, "ENTRYPOINT").exec ?? [];
/** The relay's settings inside the container (flags from CMD, variables from ENV). */
const relayArgs = cmd.slice(cmd.findIndex((arg) => arg.endsWith("main.js")) + 1);
const inImage = (extra: Record<string, string> = {}) => {
  const config = readConfig(relayArgs, { ...imageEnv, ...extra });
  if (!config.ok) throw new Error(config.message);
  return config.value;
};
/** Where a COPY puts its source, by destination. */
const copies = runtime
  .filter((i) => i.name === "COPY")
  .map((i) => {
    const words = i.text.split(/\s+/).filter((w) => !w.startsWith("--"));
    return { from: /--from=(\S+)/.exec(i.text)?.[1], source: words[0] as string, dest: words[1] };
  });
const inContainer = (relative: string) => path.posix.resolve(workdir, relative);
/** `${ARG}` replaced by the ARG's default. */
const withArgs = (text: string) =>
  text.replace(/^\$\{(\w+)\}$/, (whole, arg: string) => argDefaults[arg] ?? whole);

describe("deploy/relay.Dockerfile", () => {
  it("runs the relay as a non-root user on the relay's port, host and data directory", () => {
    const user = withArgs(one(runtime, "USER").text);
    expect(user).toBe("node");
    expect(one(runtime, "EXPOSE").text).toBe(String(inImage().port));
    expect(inImage().port).toBe(8787);
    // No RIDEVAULT_PORT in the image: the PORT a platform sets (Railway) wins.
    expect(inImage({ PORT: "4321" }).port).toBe(4321);
    expect(inImage().host).toBe("0.0.0.0");
    expect(inImage().accounts).toBe("required");
    expect(inImage().dataDir).toBe("/data");
    expect(runtime.some((i) => i.name === "RUN" && i.text.includes("chown node:node /data"))).toBe(
      true,
    );
  });

  it("starts the built relay and serves the example app built in the first stage", () => {
    const bin = JSON.parse(read("packages/relay/package.json")).bin["ridevault-relay"];
    const main = cmd.find((arg) => arg.endsWith("main.js")) as string;
    const relayCopy = copies.find((c) => c.source === "/out/relay");
    expect(inContainer(main)).toBe(path.posix.join(relayCopy?.dest as string, bin));
    const app = copies.find((c) => c.source === "/src/examples/pwa/dist");
    expect(app?.from).toBe("build");
    expect(inContainer(inImage().appDir as string)).toBe(app?.dest);
    expect(build.some((i) => i.text.includes("--filter @ridevault/example-pwa build"))).toBe(true);
    expect(
      build.some((i) => /--filter @ridevault\/relay --prod deploy .*\/out\/relay/.test(i.text)),
    ).toBe(true);
    const entry = copies.find((c) => c.dest === entrypoint[0]);
    expect(entry?.source).toBe("deploy/relay-entrypoint.sh");
  });

  it("installs with the pinned pnpm and copies every workspace manifest first", () => {
    const pinned = JSON.parse(read("package.json")).packageManager as string;
    expect(build.some((i) => i.text.includes(`corepack prepare ${pinned} --activate`))).toBe(true);
    const manifests = ["packages", "examples"].flatMap((dir) =>
      readdirSync(path.join(ROOT, dir))
        .map((name) => `${dir}/${name}/package.json`)
        .filter((file) => existsSync(path.join(ROOT, file))),
    );
    const copied = build.filter((i) => i.name === "COPY").map((i) => i.text.split(/\s+/)[0]);
    expect(copied).toEqual(expect.arrayContaining(manifests));
    const install = build.findIndex((i) => i.text.startsWith("pnpm install --frozen-lockfile"));
    const everything = build.findIndex((i) => i.name === "COPY" && i.text === ". .");
    expect(install).toBeGreaterThan(0);
    expect(everything).toBeGreaterThan(install);
    // COPY . . must not bring a host's node_modules or dist over the freshly built ones.
    const ignored = read(`${DOCKERFILE}.dockerignore`).split("\n");
    expect(ignored).toEqual(expect.arrayContaining(["**/node_modules", "**/dist"]));
  });

  it("passes the lint checks that matter (hadolint's, documented here)", () => {
    for (const from of all.filter((i) => i.name === "FROM")) {
      const image = from.text.split(/\s+/)[0] as string;
      const resolved = withArgs(image);
      expect(resolved, "DL3006/DL3007: a tagged base image, not latest").toMatch(
        /^[\w./-]+:[\w.-]+$/,
      );
      expect(resolved).not.toMatch(/:latest$/);
    }
    for (const run of all.filter((i) => i.name === "RUN" && i.text.includes("apt-get install"))) {
      expect(run.text, "DL3015").toContain("--no-install-recommends");
      expect(run.text, "DL3009").toContain("rm -rf /var/lib/apt/lists/*");
    }
    expect(
      all.some((i) => i.name === "ADD"),
      "DL3020: COPY, not ADD",
    ).toBe(false);
    expect(workdir.startsWith("/"), "DL3000: absolute WORKDIR").toBe(true);
    for (const name of ["CMD", "ENTRYPOINT"]) {
      expect(one(runtime, name).exec, `DL3025: ${name} in exec form`).toBeDefined();
    }
    expect(
      all.some((i) => i.name === "RUN" && /\bsudo\b/.test(i.text)),
      "DL3004",
    ).toBe(false);
    const healthcheck = one(runtime, "HEALTHCHECK");
    expect(healthcheck.exec?.join(" ")).toContain("/health");
    const script = readFileSync(path.join(ROOT, "deploy/relay-entrypoint.sh"), "utf8");
    expect(script.startsWith("#!/bin/sh\n")).toBe(true);
    expect(spawnSync("sh", ["-n", path.join(ROOT, "deploy/relay-entrypoint.sh")]).status).toBe(0);
  });
});

describe("deploy/fly.toml and deploy/railway.toml", () => {
  const fly = parseToml(read("deploy/fly.toml"));
  const flyEnv = tableAt(fly, "env") as Record<string, string>;
  const railway = parseToml(read("deploy/railway.toml"));

  it("Fly routes to the port the relay listens on and mounts the data directory", () => {
    const service = tableAt(fly, "http_service");
    const config = inImage(flyEnv);
    expect(service.internal_port).toBe(config.port);
    expect(service.force_https).toBe(true);
    expect(service.min_machines_running).toBeGreaterThanOrEqual(1);
    expect(tableAt(fly, "mounts").destination).toBe(config.dataDir);
    const checks = service.checks as TomlTable[];
    expect(checks.map((check) => [check.method, check.path])).toEqual([["GET", "/health"]]);
    expect(path.basename(tableAt(fly, "build").dockerfile as string)).toBe(
      path.basename(DOCKERFILE),
    );
    // Fly mounts volumes root-owned: the entrypoint needs to start as root to hand them over.
    expect(tableAt(tableAt(fly, "build"), "args").RUN_AS).toBe("root");
    expect(typeof fly.app).toBe("string");
  });

  it("Railway builds this Dockerfile and checks /health", () => {
    expect(tableAt(railway, "build")).toMatchObject({
      builder: "DOCKERFILE",
      dockerfilePath: DOCKERFILE,
    });
    expect(tableAt(railway, "deploy").healthcheckPath).toBe("/health");
    // Railway's PORT reaches the relay only if nothing pins RIDEVAULT_PORT.
    expect(imageEnv.RIDEVAULT_PORT).toBeUndefined();
  });
});

describe("compose files and proxies", () => {
  it("build the relay from this Dockerfile with the repository as context", () => {
    for (const [file, context] of [
      ["docker-compose.yml", "."],
      ["deploy/docker-compose.sqlite.yml", ".."],
    ] as const) {
      const text = read(file);
      expect(text).toContain(`context: ${context}`);
      expect(path.resolve(ROOT, path.dirname(file), context)).toBe(path.resolve(ROOT));
      expect(text).toContain(`dockerfile: ${DOCKERFILE}`);
    }
    const scaled = read("docker-compose.yml");
    expect(scaled).toMatch(/relay1: \*relay/);
    expect(scaled).toMatch(/relay2: \*relay/);
    const port = inImage({ RIDEVAULT_PORT: /RIDEVAULT_PORT: "(\d+)"/.exec(scaled)?.[1] ?? "" });
    expect(read("deploy/Caddyfile")).toContain(`relay1:${port.port} relay2:${port.port}`);
    expect(read("deploy/nginx.conf")).toContain(`server relay2:${port.port}`);
    const single = read("deploy/docker-compose.sqlite.yml");
    expect(single).toContain(`relay_data:${inImage().dataDir}`);
    expect(single).toContain(`--to relay:${inImage().port}`);
  });
});

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

describe("the relay started as the image starts it", () => {
  it("serves /health, the app and refuses tokenless sync", { timeout: 30_000 }, async () => {
    // The container's layout: WORKDIR with relay/ (the deployed package) and public/ (app).
    const root = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-image-"));
    cleanup.push(() => fs.rm(root, { recursive: true, force: true }));
    await fs.chmod(root, 0o755); // the entrypoint may drop to another user
    const app = path.join(root, workdir.slice(1));
    await fs.mkdir(app, { recursive: true });
    const relayDest = copies.find((c) => c.source === "/out/relay")?.dest as string;
    const appDest = copies.find((c) => c.source === "/src/examples/pwa/dist")?.dest as string;
    await fs.symlink(path.join(ROOT, "packages/relay"), path.join(root, relayDest.slice(1)));
    await fs.mkdir(path.join(root, appDest.slice(1)));
    await fs.writeFile(path.join(root, appDest.slice(1), "index.html"), "<!doctype html>app");
    const data = path.join(root, "data");
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      ...imageEnv,
      // The one change: tests listen on loopback only.
      RIDEVAULT_HOST: "127.0.0.1",
      RIDEVAULT_DATA_DIR: data,
      PORT: String(port),
      // As root (some CI), the entrypoint drops to this user instead of the image's "node".
      RIDEVAULT_USER: "nobody",
    };
    const script = path.join(ROOT, copies.find((c) => c.dest === entrypoint[0])?.source ?? "");
    const child: ChildProcess = spawn(script, [...entrypoint.slice(1), ...cmd], {
      cwd: app,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    cleanup.push(async () => {
      child.kill("SIGTERM");
      await exited;
    });
    let logs = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      logs += chunk.toString();
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes('"ready"')) resolve();
      });
      child.once("exit", (code) => reject(new Error(`relay exited (${code}): ${logs}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: "ok" });
    expect(await (await fetch(`${base}/`)).text()).toBe("<!doctype html>app");
    // A public relay (accounts required): a sync upgrade without an access token is refused.
    const socket = new WebSocket(`ws://127.0.0.1:${port}/sync`, ["ridevault.v1"]);
    const status = await new Promise<number>((resolve) => {
      socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      socket.once("open", () => resolve(101));
      socket.once("error", () => undefined);
    });
    socket.terminate();
    expect(status).toBe(401);
    // The log line may trail the response by a moment.
    for (let i = 0; i < 100 && !logs.includes('"upgrade-refused"'); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(logs).toMatch(/"event":"upgrade-refused","status":401/);
    expect(
      JSON.parse(logs.split("\n").find((l) => l.includes("relay-ready")) ?? "{}"),
    ).toMatchObject({ accounts: "required", app: inImage().appDir });
    // The HEALTHCHECK command itself, with the container's environment.
    const healthcheck = one(runtime, "HEALTHCHECK").exec ?? [];
    const probe = spawnSync(process.execPath, healthcheck.slice(1), { env, timeout: 10_000 });
    expect(probe.status).toBe(0);
    // Started as root, the relay runs as the unprivileged user, which owns the data.
    const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1];
    const expected = process.getuid?.() === 0 ? 65534 : process.getuid?.();
    expect(Number(uid)).toBe(expected);
    expect((await fs.stat(path.join(data, "relay.sqlite"))).uid).toBe(expected);
  });
});
