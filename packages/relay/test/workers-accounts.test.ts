/**
 * Accounts and shares on the Workers relay, end to end, in workerd (miniflare, 127.0.0.1,
 * Durable Objects persisted in a temporary directory), with `ACCOUNTS_MODE = "required"`:
 * the upgrade refuses a device without a token (401) and a bad token, and admits a share
 * holder as nobody; a rider registers and logs in over HTTP (the Node relay's route code,
 * through the fetch adapter), device A syncs a ride with its token, device B logs in with
 * email and password and gets the ride; a read-only share link is read whole by a holder
 * without an account (core's `vault.shares.create` and `vault.sharedWithMe.open`), and
 * revoking it ends the live subscription held through it; a signed-out session's connection
 * is closed (4001); a signed-in connection keeps its account across hibernation; the
 * per-IP registration limit holds across requests; and a relay without
 * `ACCESS_TOKEN_SECRET` refuses to serve accounts with a message saying so.
 */
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  createDocumentKeys,
  deriveShareKeys,
  loadSodium,
  logIn,
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  parseShareLink,
  ShareClient,
  shareHolderWebSocket,
  startSync,
  unwrap,
} from "@ridevault/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  clientFor,
  connectWithToken,
  openAccountDevice,
  registerRider,
  registerVaultDevice,
  tryUpgrade,
} from "./accounts-helpers.js";
import { closeDevices, type Device, eventually, record, ride, snapshot } from "./devices.js";
import { rawClientOf } from "./raw-client.js";
import { registerRaw, sealTestEnvelope } from "./raw-documents.js";
import { bundleWorker, startWorkerd, type Workerd } from "./workers-runtime.js";

const T0 = Date.UTC(2026, 6, 1, 7, 0, 0);
const EMAIL = "climber@example.org";
const PASSWORD = "switchbacks all the way up";
const entry = fileURLToPath(new URL("../src/workers/worker.ts", import.meta.url));

let script = "";
let persistDir = "";
let workerd: Workerd;
let origin = "";
let url = "";
const devices: Device[] = [];

beforeAll(async () => {
  script = await bundleWorker(entry);
  persistDir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-workers-accounts-"));
  workerd = await startWorkerd({
    script,
    persistDir,
    bindings: {
      ACCOUNTS_MODE: "required",
      ACCESS_TOKEN_SECRET: randomBytes(32).toString("hex"),
      TOKEN_AUDIENCE: "workers-under-test",
    },
  });
  origin = `http://127.0.0.1:${workerd.url.port}`;
  url = `ws://127.0.0.1:${workerd.url.port}/sync`;
}, 30_000);

afterAll(async () => {
  await closeDevices(devices);
  await workerd?.dispose();
  if (persistDir) await fs.rm(persistDir, { recursive: true, force: true });
});

const titleOn = (device: Device, id: string): string | undefined =>
  device.vault.sharedWithMe.entry(id)?.title ?? device.vault.workouts.get(id)?.title;

describe("the Workers relay with accounts", () => {
  let owner: Awaited<ReturnType<typeof registerVaultDevice>>;
  let workoutId = "";
  let holder: Device;
  let shares: ShareClient;
  let link = "";

  it("refuses an upgrade without a valid token, and admits a share holder as nobody", async () => {
    expect((await tryUpgrade(url, { protocols: ["ridevault.v1"] })).status).toBe(401);
    const forged = ["ridevault.v1", "ridevault.access-token.e30.e30.c2ln"];
    expect((await tryUpgrade(url, { protocols: forged })).status).toBe(401);
    const holder = await tryUpgrade(url, { protocols: ["ridevault.v1", "ridevault.share"] });
    expect(holder.status).toBe(101);
    expect(holder.socket?.protocol).toBe("ridevault.v1");
    holder.socket?.close();
  });

  it("registers on A and syncs a ride; B logs in with email and password and gets it", async () => {
    owner = await registerVaultDevice("A", url, EMAIL, PASSWORD);
    devices.push(owner.device);
    const a = owner.device;
    const workout = unwrap(await a.vault.workouts.create({ title: "Stelvio", startTime: T0 }));
    workoutId = workout.id;
    await record(a, workoutId, ride(T0, 300, 3));
    await a.sync.whenSynced(20_000);

    const me = await fetch(`${origin}/v1/accounts/me`, {
      headers: { authorization: `Bearer ${unwrap(await owner.session.accessToken())}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email: EMAIL, accountId: owner.session.accountId });

    const client = clientFor(url);
    const wrong = await logIn({ client, unsafeTestKdf: true, email: EMAIL, password: "nope" });
    expect(wrong.ok ? "" : wrong.error.code).toBe("invalid-credentials");
    const loggedIn = unwrap(
      await logIn({
        client,
        unsafeTestKdf: true,
        email: ` ${EMAIL.toUpperCase()} `,
        password: PASSWORD,
      }),
    );
    expect(loggedIn.session.accountId).toBe(owner.session.accountId);
    const b = await openAccountDevice("B", url, loggedIn.session, loggedIn.library);
    devices.push(b);
    const expected = await snapshot(a);
    await eventually(
      async () => JSON.stringify(await snapshot(b).catch(() => null)) === JSON.stringify(expected),
      20_000,
      "B has A's ride",
    );
    expect(b.vault.workouts.list().map((entry) => entry.title)).toEqual(["Stelvio"]);
  }, 60_000);

  it("lets a holder without an account read a ride shared by link", async () => {
    const session = owner.session;
    shares = new ShareClient({
      baseUrl: origin,
      accessToken: async () => {
        const token = await session.accessToken();
        return token.ok ? token.value : null;
      },
    });
    const share = unwrap(
      await owner.device.vault.shares.create(shares, {
        workoutIds: [workoutId],
        mode: "read",
        baseUrl: `${origin}/`,
      }),
    );
    const vault = unwrap(
      await openVault({
        storage: new MemoryStorageAdapter(),
        crashLog: new MemoryCrashLog(),
        deviceName: "holder",
        summaryDelayMs: 10,
      }),
    );
    const sync = await startSync(vault, {
      url,
      WebSocket: shareHolderWebSocket(WebSocket as never),
      backoff: { minMs: 20, maxMs: 300 },
    });
    holder = { name: "holder", vault, sync, url };
    devices.push(holder);
    link = share.link as string;
    const opened = unwrap(
      await vault.sharedWithMe.open(new ShareClient({ baseUrl: origin }), share.link as string),
    );
    expect(opened.mode).toBe("read");
    await eventually(() => titleOn(holder, workoutId) === "Stelvio", 20_000, "the shared ride");
    const mine = unwrap(await owner.device.vault.workouts.open(workoutId));
    const theirs = unwrap(await vault.workouts.open(workoutId));
    await eventually(
      () => theirs.samples().columns.length === mine.samples().columns.length,
      20_000,
      "the shared samples",
    );
    expect(theirs.samples().columns).toEqual(mine.samples().columns);
    // Without the link's capability there is no keyring to fetch.
    const keyring = await fetch(`${origin}/v1/shares/keyring`);
    expect(keyring.status).toBe(400);
  }, 60_000);

  it("revoking the link ends the holder's live subscription and the link opens nothing", async () => {
    const [grant] = await owner.device.vault.shares.list({ workoutId, client: shares });
    expect(grant?.lastUsedAt).not.toBeNull();
    // A raw holder connection following the ride through the link's capability.
    const sodium = await loadSodium();
    const { capability } = deriveShareKeys(sodium, unwrap(parseShareLink(sodium, link)));
    const socket = new WebSocket(url, ["ridevault.v1", "ridevault.share"]);
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const raw = await rawClientOf(socket);
    raw.send({ type: "subscribe", id: 5, docId: workoutId, afterSeq: 0, accessSecret: capability });
    await raw.next((m) => m.type === "caught-up" && m.id === 5);

    unwrap(await owner.device.vault.shares.revoke(shares, [grant?.grantId as string]));
    // The relay ends the live subscription at once, as the Node relay does.
    expect(
      await raw.next((m) => m.type === "error" && m.code === "forbidden" && m.id === 0),
    ).toMatchObject({ docId: workoutId });
    socket.close();
    unwrap(await owner.device.vault.workouts.update(workoutId, { title: "After revoking" }));
    await owner.device.sync.whenSynced(20_000);
    await eventually(
      () => holder.vault.sharedWithMe.list()[0]?.ended !== null,
      20_000,
      "the holder's share marked ended",
    );
    expect(titleOn(holder, workoutId)).toBe("Stelvio");
    const again = await holder.vault.sharedWithMe.open(new ShareClient({ baseUrl: origin }), link);
    expect(again.ok ? "" : again.error.code).toBe("not-found");
  }, 60_000);
});

describe("the Workers relay signing out", () => {
  it("closes a signed-in connection (4001) once its session is signed out", async () => {
    const { session } = await registerRider({ url }, "leaver@example.org");
    const token = unwrap(await session.accessToken());
    const raw = await connectWithToken(url, token);
    const loggedOut = await fetch(`${origin}/v1/accounts/logout`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ everywhere: false }),
    });
    expect(loggedOut.status).toBe(204);
    // The relay checks at a frame, at most every few seconds: keep sending until it closes.
    let code: number | undefined;
    void raw.closed.then((closed) => {
      code = closed;
    });
    await eventually(
      () => {
        if (code === undefined) raw.send({ type: "unsubscribe", id: 9, docId: "1111111111111111" });
        return code !== undefined;
      },
      20_000,
      "the signed-out connection closed",
    );
    expect(code).toBe(4001);
  }, 30_000);
});

describe("the Workers relay across hibernation, signed in", () => {
  it("keeps the connection's account after workerd evicts its object", async () => {
    const sodium = await loadSodium();
    const { session } = await registerRider({ url }, "sleeper@example.org");
    const raw = await connectWithToken(url, unwrap(await session.accessToken()));
    const docId = "9sPq3LmN4kT7vW2xYz8BcD";
    const keys = createDocumentKeys(sodium);
    const envelope = (counter: number) =>
      sealTestEnvelope(sodium, { docId, keys, counter, plaintext: new Uint8Array([counter]) });
    try {
      await registerRaw(raw, sodium, docId, keys);
      raw.send({ type: "push", id: 3, docId, envelope: envelope(1) });
      expect(await raw.next((m) => m.type === "ack" && m.id === 3)).toMatchObject({ seq: 1 });
      // workerd evicts an idle hibernated object after about ten seconds.
      await new Promise((resolve) => setTimeout(resolve, 11_500));
      // Restored without its token, the connection still speaks for the account that owns
      // the document (without it, the replayed hello would be refused and the socket closed).
      raw.send({ type: "push", id: 4, docId, envelope: envelope(2) });
      expect(await raw.next((m) => m.type === "ack" && m.id === 4)).toMatchObject({ seq: 2 });
    } finally {
      raw.close();
    }
  }, 40_000);
});

describe("the Workers relay's account rate limits", () => {
  it("limits registrations per client address across requests (429 with Retry-After)", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-workers-limits-"));
    const limited = await startWorkerd({
      script,
      persistDir: dir,
      bindings: { ACCOUNTS_MODE: "optional", ACCESS_TOKEN_SECRET: "ab".repeat(32) },
    });
    try {
      const register = () =>
        fetch(new URL("/v1/accounts/register", limited.url), {
          method: "POST",
          headers: { "cf-connecting-ip": "203.0.113.7" },
          body: "{}",
        });
      // The default burst is 5: each of those is a bad request, the next one is refused.
      for (let i = 0; i < 5; i++) expect((await register()).status).toBe(400);
      const refused = await register();
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ error: { code: "rate-limited" } });
    } finally {
      await limited.dispose();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the Workers relay with accounts misconfigured", () => {
  it("refuses account requests and upgrades with a message when the secret is missing", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-workers-nosecret-"));
    const misconfigured = await startWorkerd({
      script,
      persistDir: dir,
      bindings: { ACCOUNTS_MODE: "required" },
    });
    try {
      const response = await fetch(new URL("/v1/accounts/login/start", misconfigured.url), {
        method: "POST",
        body: JSON.stringify({ email: EMAIL }),
      });
      expect(response.status).toBe(500);
      expect(await response.text()).toContain("ACCESS_TOKEN_SECRET");
      const upgrade = await tryUpgrade(`ws://127.0.0.1:${misconfigured.url.port}/sync`, {
        protocols: ["ridevault.v1"],
      });
      expect(upgrade.status).toBe(500);
    } finally {
      await misconfigured.dispose();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
