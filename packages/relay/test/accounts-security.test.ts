/**
 * The account security suite, against a real relay server (in process, real sockets, a
 * SQLite account file): forged and misused access tokens (alg none, another algorithm,
 * expired, another audience, a refresh token, a refresh-typed JWT) are refused on HTTP and
 * at the WebSocket upgrade; a replayed refresh token revokes its family; a forged login
 * signature fails like a wrong password, and a wrong password like an unknown email (same
 * answer, similar time); one rider cannot see another's document (the same error as a
 * missing one); origins not on the allowlist are refused; an expiring token closes the
 * connection (4001) so the device reconnects with a fresh one.
 */
import { createHmac, randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import {
  type AccountSession,
  loadSodium,
  logIn,
  signLoginChallenge,
  toBase64Url,
  unwrap,
} from "@ridevault/core";
import { hashAccessSecret, type RelayMessage } from "@ridevault/core/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccessTokens } from "../src/accounts/access-token.js";
import {
  clientFor,
  connectWithToken,
  type InProcessAccountsRelay,
  registerRider,
  startInProcessRelay,
  tryUpgrade,
} from "./accounts-helpers.js";

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const DOC_A = "7wQm3JxP9kLr2VbN5tYh";
const DOC_MISSING = "8zKq4MyR6nTs3WcP7uXj";

let relay: InProcessAccountsRelay;
beforeAll(async () => {
  relay = await startInProcessRelay();
});
afterAll(async () => {
  await relay.close();
});

async function me(token: string, origin?: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${relay.origin}/v1/accounts/me`, {
    headers: { authorization: `Bearer ${token}`, ...(origin && { origin }) },
  });
  return { status: response.status, body: await response.json() };
}

/** The fields these tests read from answers (absent ones are simply undefined). */
interface Body {
  error: { code: string; message: string };
  challenge: string;
  challengeId: string;
  kdf: { salt: string };
  accessToken: string;
  refreshToken: string;
}

async function post(path: string, body: unknown): Promise<{ status: number; body: Body }> {
  const response = await fetch(`${relay.origin}/v1/accounts/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

const withId = (id: number) => (m: RelayMessage) => "id" in m && m.id === id;

function sign(header: unknown, claims: unknown, key: Uint8Array = relay.secret): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac("sha256", key).update(input).digest("base64url")}`;
}

describe("access tokens", () => {
  it("refuses every forged or misused token with the same 401, on HTTP and at the upgrade", async () => {
    const { session } = await registerRider(relay, "tokens@example.org");
    const valid = await session.accessToken();
    if (!valid.ok) throw new Error("no access token");
    const good = valid.value;
    const claims = JSON.parse(Buffer.from(good.split(".")[1] as string, "base64url").toString());
    const past = createAccessTokens({
      secret: relay.secret,
      audience: "relay-under-test",
      now: () => Date.now() - 3_600_000,
    });
    const otherAudience = createAccessTokens({ secret: relay.secret, audience: "another-relay" });
    const bad: [string, string][] = [
      ["alg none", `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`],
      ["alg none, signed", sign({ alg: "none" }, claims)],
      ["wrong algorithm", sign({ alg: "HS384" }, claims)],
      ["wrong key", sign({ alg: "HS256" }, claims, new Uint8Array(32).fill(1))],
      ["expired", past.issue({ accountId: claims.sub, familyId: claims.sid })],
      ["wrong audience", otherAudience.issue({ accountId: claims.sub, familyId: claims.sid })],
      ["refresh token as access token", session.refreshToken],
      ["refresh-typed JWT", sign({ alg: "HS256" }, { ...claims, typ: "refresh" })],
      [
        "tampered claims",
        `${good.split(".")[0]}.${b64({ ...claims, sub: "someone" })}.${good.split(".")[2]}`,
      ],
    ];
    expect((await me(good)).status).toBe(200);
    const answers = new Set<string>();
    for (const [what, token] of bad) {
      const answer = await me(token);
      expect(answer.status, what).toBe(401);
      answers.add(JSON.stringify(answer.body));
      const upgrade = await tryUpgrade(relay.url, {
        protocols: ["ridevault.v1", `ridevault.access-token.${token}`],
      });
      expect(upgrade.status, `upgrade with ${what}`).toBe(401);
    }
    // Nothing in the answer says which check failed.
    expect(answers.size).toBe(1);
    const upgraded = await tryUpgrade(relay.url, {
      protocols: ["ridevault.v1", `ridevault.access-token.${good}`],
    });
    expect(upgraded.status).toBe(101);
    // The relay answers with the sync subprotocol, never echoing the token.
    expect(upgraded.socket?.protocol).toBe("ridevault.v1");
    upgraded.socket?.close();
  });

  it("a replayed refresh token revokes its whole family, and only that family", async () => {
    const { session } = await registerRider(relay, "replay@example.org");
    const other = await registerRider(relay, "bystander@example.org");
    const first = session.refreshToken;
    const rotated = await post("refresh", { refreshToken: first });
    expect(rotated.status).toBe(200);
    const replay = await post("refresh", { refreshToken: first });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe("refresh-reused");
    const successor = await post("refresh", { refreshToken: rotated.body.refreshToken });
    expect(successor.body.error.code).toBe("refresh-invalid");
    expect((await me(rotated.body.accessToken)).status).toBe(401);
    const bystander = await other.session.accessToken();
    expect(bystander.ok && (await me(bystander.value)).status).toBe(200);
  });

  it("an access token that expires closes the sync connection (4001)", async () => {
    relay.shift = -(900_000 - 1_500);
    const { session } = await registerRider(relay, "expiring@example.org");
    relay.shift = 0;
    const token = await session.accessToken();
    if (!token.ok) throw new Error(token.error.message);
    const socket = await connectWithToken(relay.url, token.value);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    socket.send({ type: "unsubscribe", id: 2, docId: DOC_A });
    const error = await socket.next((m) => m.type === "error");
    expect(error).toMatchObject({ code: "not-authenticated" });
    expect(await socket.closed).toBe(4001);
  });
});

describe("signing out", () => {
  it("closes the live connections of the sessions signed out, and only those", async () => {
    await registerRider(relay, "live@example.org", "pw");
    const client = clientFor(relay.url);
    const login = async () =>
      unwrap(
        await logIn({ client, unsafeTestKdf: true, email: "live@example.org", password: "pw" }),
      );
    const [one, two, three] = [await login(), await login(), await login()];
    const connect = async (session: AccountSession) =>
      connectWithToken(relay.url, unwrap(await session.accessToken()));
    const [socketOne, socketTwo, socketThree] = [
      await connect(one.session),
      await connect(two.session),
      await connect(three.session),
    ];
    unwrap(await one.session.logout());
    expect(await socketOne.closed).toBe(4001);
    unwrap(await two.session.logout(true));
    expect(await socketTwo.closed).toBe(4001);
    expect(await socketThree.closed).toBe(4001);
  });
});

describe("login", () => {
  it("a forged signature fails like a wrong password, and a challenge works once", async () => {
    await registerRider(relay, "forged@example.org", "right");
    const sodium = await loadSodium();
    const start = await post("login/start", { email: "forged@example.org" });
    const forger = sodium.crypto_sign_keypair();
    const challenge = Buffer.from(start.body.challenge, "base64url");
    const forged = signLoginChallenge(sodium, forger.privateKey, start.body.challengeId, challenge);
    const answer = await post("login/finish", {
      challengeId: start.body.challengeId,
      signature: toBase64Url(forged),
    });
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe("invalid-credentials");
    const wrong = await clientFor(relay.url).startLogin("forged@example.org");
    expect(wrong.ok).toBe(true);
    const reuse = await post("login/finish", {
      challengeId: start.body.challengeId,
      signature: toBase64Url(new Uint8Array(64)),
    });
    expect(reuse.body).toEqual(answer.body);
  });

  it("a wrong password and an unknown email get the same answer in similar time", async () => {
    await registerRider(relay, "known@example.org", "right");
    const sodium = await loadSodium();
    const attempt = async (email: string) => {
      const start = await post("login/start", { email });
      const key = sodium.crypto_sign_keypair();
      const signature = signLoginChallenge(
        sodium,
        key.privateKey,
        start.body.challengeId,
        Buffer.from(start.body.challenge, "base64url"),
      );
      const began = performance.now();
      const finish = await post("login/finish", {
        challengeId: start.body.challengeId,
        signature: toBase64Url(signature),
      });
      return { start: start.body, finish, ms: performance.now() - began };
    };
    const known = await attempt("known@example.org");
    const unknown = await attempt("unknown@example.org");
    expect(unknown.finish).toEqual(known.finish);
    expect(Object.keys(unknown.start).sort()).toEqual(Object.keys(known.start).sort());
    expect({ ...unknown.start.kdf, salt: "" }).toEqual({ ...known.start.kdf, salt: "" });
    // An unknown email's fake salt is stable (a real salt would be) and its own.
    expect((await attempt("unknown@example.org")).start.kdf.salt).toBe(unknown.start.kdf.salt);
    expect((await attempt("other@example.org")).start.kdf.salt).not.toBe(unknown.start.kdf.salt);
    const median = async (email: string) => {
      const times: number[] = [];
      for (let i = 0; i < 15; i++) times.push((await attempt(email)).ms);
      return times.sort((a, b) => a - b)[7] as number;
    };
    const knownMs = await median("known@example.org");
    const unknownMs = await median("unknown@example.org");
    expect(Math.max(knownMs, unknownMs) / Math.min(knownMs, unknownMs)).toBeLessThan(3);
  });
});

describe("isolation and origins", () => {
  it("rider B asking for rider A's document gets exactly the missing-document error", async () => {
    const sodium = await loadSodium();
    const a = await registerRider(relay, "owner@example.org");
    const b = await registerRider(relay, "intruder@example.org");
    const tokenA = await a.session.accessToken();
    const tokenB = await b.session.accessToken();
    if (!tokenA.ok || !tokenB.ok) throw new Error("no tokens");
    const accessSecret = new Uint8Array(randomBytes(32));
    const socketA = await connectWithToken(relay.url, tokenA.value);
    socketA.send({
      type: "register",
      id: 2,
      docId: DOC_A,
      writePublicKey: sodium.crypto_sign_keypair().publicKey,
      accessHash: hashAccessSecret(sodium, accessSecret),
    });
    expect(await socketA.next(withId(2))).toMatchObject({ type: "ack" });
    socketA.send({ type: "subscribe", id: 3, docId: DOC_A, afterSeq: 0, accessSecret });
    expect(await socketA.next(withId(3))).toMatchObject({ type: "caught-up" });

    // B even holds the access secret: the document still does not exist for B.
    const socketB = await connectWithToken(relay.url, tokenB.value);
    socketB.send({ type: "subscribe", id: 4, docId: DOC_A, afterSeq: 0, accessSecret });
    socketB.send({ type: "subscribe", id: 5, docId: DOC_MISSING, afterSeq: 0, accessSecret });
    const hidden = await socketB.next(withId(4));
    const missing = await socketB.next(withId(5));
    expect(hidden.type === "error" && hidden.code).toBe("unknown-document");
    expect(JSON.stringify({ ...hidden, id: 0 }).replaceAll(DOC_A, "X")).toBe(
      JSON.stringify({ ...missing, id: 0 }).replaceAll(DOC_MISSING, "X"),
    );
    socketA.close();
    socketB.close();
  });

  it("refuses origins not on the allowlist, on the upgrade and on HTTP", async () => {
    const main = relay;
    relay = await startInProcessRelay({ allowedOrigins: ["https://app.example"] });
    try {
      await originChecks();
    } finally {
      await relay.close();
      relay = main;
    }
  });

  async function originChecks(): Promise<void> {
    const { session } = await registerRider(relay, "origin@example.org");
    const token = await session.accessToken();
    if (!token.ok) throw new Error("no token");
    const protocols = ["ridevault.v1", `ridevault.access-token.${token.value}`];
    expect(
      (await tryUpgrade(relay.url, { protocols, origin: "https://evil.example" })).status,
    ).toBe(403);
    const allowed = await tryUpgrade(relay.url, { protocols, origin: "https://app.example" });
    expect(allowed.status).toBe(101);
    allowed.socket?.close();
    const evil = await me(token.value, "https://evil.example");
    expect(evil).toMatchObject({ status: 403, body: { error: { code: "origin-not-allowed" } } });
    const response = await fetch(`${relay.origin}/v1/accounts/me`, {
      headers: { authorization: `Bearer ${token.value}`, origin: "https://app.example" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example");
    // Without an Origin header it is not a browser (browsers always send one on an upgrade),
    // so not another site's page: native and CLI clients connect, still with a token.
    const native = await tryUpgrade(relay.url, { protocols });
    expect(native.status).toBe(101);
    native.socket?.close();
    expect((await tryUpgrade(relay.url, { protocols: ["ridevault.v1"] })).status).toBe(401);
    expect((await tryUpgrade(relay.url, { protocols, origin: "null" })).status).toBe(403);
  }

  it("needs an account on a public relay, and allows capability-only use on a private one", async () => {
    expect((await tryUpgrade(relay.url, { protocols: ["ridevault.v1"] })).status).toBe(401);
    const open = await startInProcessRelay({ requireAccount: false });
    try {
      const sodium = await loadSodium();
      const socket = await connectWithToken(open.url, null);
      socket.send({
        type: "register",
        id: 2,
        docId: DOC_A,
        writePublicKey: sodium.crypto_sign_keypair().publicKey,
        accessHash: hashAccessSecret(sodium, new Uint8Array(32)),
      });
      expect(await socket.next(withId(2))).toMatchObject({ type: "ack" });
      socket.close();
    } finally {
      await open.close();
    }
  });
});
