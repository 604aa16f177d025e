#!/usr/bin/env node
// The project's entry points, for a machine with only Node and npm:
//   npm start [-- args]   install, build, start the relay serving the example app at
//                         http://127.0.0.1:8787/ (SQLite under ./relay-data)
//   npm run cli -- args   install, build, run the ridevault CLI (examples/cli)
//   npm test              install, build, lint, typecheck, run every test
//   npm run bench [-- name]  install, build, run bench/<name>.mjs (all benches by default)
// pnpm is pinned and fetched through npx, so nothing needs to be installed by hand.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PNPM = "pnpm@12.4.2";
const [command = "test", ...args] = process.argv.slice(2);

function run(cmd, cmdArgs, label) {
  if (label) console.error(`\n▶ ${label}`);
  const result = spawnSync(cmd, cmdArgs, { cwd: root, stdio: "inherit", env: process.env });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    console.error(`\n✖ ${label ?? cmd} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

const bin = (name) => path.join(root, "node_modules", ".bin", name);

function install() {
  const frozen = process.env.CI ? ["--frozen-lockfile"] : [];
  run("npx", ["-y", PNPM, "install", ...frozen], `install dependencies (${PNPM})`);
}

// Debian packages the tests drive for real: Chromium for the app's end-to-end tests
// (playwright-core cannot download browsers here) and xmllint to validate TCX/GPX exports
// against their XSDs. Installed through apt-get when missing and we are root (CI); otherwise
// the command says what to install.
const SYSTEM_PACKAGES = [
  { pkg: "chromium", file: "/usr/bin/chromium" },
  { pkg: "libxml2-utils", file: "/usr/bin/xmllint" },
];

function ensureSystemPackages() {
  const missing = SYSTEM_PACKAGES.filter(({ file }) => !existsSync(file)).map(({ pkg }) => pkg);
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot || !existsSync("/usr/bin/apt-get")) {
    console.error(
      `\n✖ the tests need these system packages: ${missing.join(", ")}.\n` +
        `  Install them (Debian/Ubuntu: sudo apt-get install ${missing.join(" ")}) and run again.`,
    );
    process.exit(1);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const aptArgs of [
    ["update", "-qq"],
    ["install", "-y", "-qq", ...missing],
  ]) {
    console.error(`\n▶ apt-get ${aptArgs.join(" ")}`);
    const result = spawnSync("apt-get", aptArgs, { stdio: "inherit", env });
    if (result.status !== 0) {
      console.error(`\n✖ apt-get ${aptArgs[0]} failed (exit ${result.status ?? result.signal})`);
      process.exit(result.status ?? 1);
    }
  }
}

function build() {
  run(bin("tsc"), ["-b"], "build (tsc -b)");
}

const PWA = path.join(root, "examples", "pwa");

// The example app is bundled by Vite from the packages' built output, so it comes after tsc.
function buildApp() {
  const vite = path.join(PWA, "node_modules", ".bin", "vite");
  run(vite, ["build", PWA, "--logLevel", "warn"], "build the example app (vite build)");
}

switch (command) {
  case "test":
    ensureSystemPackages();
    install();
    build();
    buildApp();
    run(bin("biome"), ["check", "."], "lint and format check (biome)");
    run(bin("tsc"), ["-p", "tsconfig.check.json"], "typecheck tests and benches");
    run(bin("tsc"), ["-p", "examples/pwa/tsconfig.json"], "typecheck the example app");
    run(
      bin("tsc"),
      ["-p", "packages/relay/src/workers/tsconfig.json"],
      "typecheck the Workers relay (workerd types)",
    );
    run(bin("vitest"), ["run", ...args], "tests (vitest)");
    break;
  case "start":
    install();
    build();
    buildApp();
    run(process.execPath, [
      path.join(root, "packages/relay/dist/main.js"),
      "--app-dir",
      path.join(PWA, "dist"),
      ...args,
    ]);
    break;
  case "cli":
    install();
    build();
    run(process.execPath, [path.join(root, "examples/cli/dist/main.js"), ...args]);
    break;
  case "bench": {
    install();
    build();
    const names =
      args.length > 0
        ? args
        : readdirSync(path.join(root, "bench"))
            .filter((f) => /^[a-z-]+\.mjs$/.test(f) && !["ride.mjs", "open-child.mjs"].includes(f))
            .map((f) => f.replace(/\.mjs$/, ""));
    for (const name of names)
      run(
        process.execPath,
        ["--expose-gc", path.join(root, "bench", `${name}.mjs`)],
        `bench/${name}`,
      );
    break;
  }
  default:
    console.error(`unknown command "${command}": use start, test or bench`);
    process.exit(2);
}
