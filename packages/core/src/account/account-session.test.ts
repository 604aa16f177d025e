/**
 * The session against a fake relay (a `fetch` that answers refresh): it refreshes shortly
 * before expiry and only once for concurrent callers, ends when the relay refuses, and its
 * WebSocket class presents the access token as a subprotocol entry.
 */
import { describe, expect, it } from "vitest";
import { ManualClock } from "../runtime.js";
import type { WebSocketLike } from "../sync/transport.js";
import { AccountClient, type SessionTokens } from "./account-client.js";
import { AccountSession, SYNC_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from "./account-session.js";

/** A relay that rotates refresh tokens, or refuses them once `revoked`. */
class FakeRelay {
  refreshes = 0;
  revoked = false;
  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    const url = String(input);
    if (!url.endsWith("/v1/accounts/refresh"))
      return json(404, { error: { code: "not-found", message: "no" } });
    const { refreshToken } = JSON.parse(String(init?.body)) as { refreshToken: string };
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.revoked || refreshToken !== `r${this.refreshes}`)
      return json(401, { error: { code: "refresh-invalid", message: "signed out" } });
    this.refreshes++;
    return json(200, tokens(this.refreshes));
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

const tokens = (n: number): SessionTokens => ({
  accountId: "acc",
  accessToken: `a${n}`,
  expiresIn: 900,
  refreshToken: `r${n}`,
});

function setup() {
  const relay = new FakeRelay();
  const clock = new ManualClock(1_000_000);
  const client = new AccountClient({ baseUrl: "ws://relay.test/sync", fetch: relay.fetch });
  const session = new AccountSession({ client, tokens: tokens(0), clock });
  return { relay, clock, session };
}

describe("account session", () => {
  it("uses the token until a minute before expiry, then refreshes once for everyone", async () => {
    const { relay, clock, session } = setup();
    expect(await session.accessToken()).toEqual({ ok: true, value: "a0" });
    clock.advance(839_000);
    expect(await session.accessToken()).toEqual({ ok: true, value: "a0" });
    clock.advance(2_000);
    const all = await Promise.all([
      session.accessToken(),
      session.accessToken(),
      session.accessToken(),
    ]);
    expect(all.map((r) => r.ok && r.value)).toEqual(["a1", "a1", "a1"]);
    expect(relay.refreshes).toBe(1);
    expect(session.refreshToken).toBe("r1");
  });

  it("ends when the relay refuses the refresh token, and says so", async () => {
    const { relay, clock, session } = setup();
    const reasons: string[] = [];
    session.onSignedOut((reason) => reasons.push(reason.code));
    relay.revoked = true;
    clock.advance(900_000);
    const refused = await session.accessToken();
    expect(refused.ok ? "" : refused.error.code).toBe("refresh-invalid");
    expect(session.signedOut).toBe(true);
    expect(reasons).toEqual(["refresh-invalid"]);
    const after = await session.accessToken();
    expect(after.ok ? "" : after.error.code).toBe("signed-out");
  });

  it("gives startSync a WebSocket class that carries the token as a subprotocol", () => {
    const { session } = setup();
    const opened: { url: string; protocols: string[] | undefined }[] = [];
    class RecordingSocket implements WebSocketLike {
      binaryType = "arraybuffer";
      readyState = 0;
      onopen = null;
      onmessage = null;
      onclose = null;
      onerror = null;
      constructor(url: string, protocols?: string[]) {
        opened.push({ url, protocols });
      }
      send(): void {}
      close(): void {}
    }
    const Authed = session.webSocket(RecordingSocket);
    new Authed("ws://relay.test/sync");
    expect(opened).toEqual([
      {
        url: "ws://relay.test/sync",
        protocols: [SYNC_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}a0`],
      },
    ]);
  });

  it("resumes a kept session by rotating its refresh token once", async () => {
    const { relay, session } = setup();
    const client = new AccountClient({ baseUrl: "http://relay.test", fetch: relay.fetch });
    const resumed = await AccountSession.resume({
      client,
      accountId: "acc",
      refreshToken: session.refreshToken,
    });
    expect(resumed.ok && resumed.value.refreshToken).toBe("r1");
    const stale = await AccountSession.resume({ client, accountId: "acc", refreshToken: "r0" });
    expect(stale.ok ? "" : stale.error.code).toBe("refresh-invalid");
  });

  it("reports an unreachable relay and a relay that is not one", async () => {
    const down = new AccountClient({
      baseUrl: "http://relay.test",
      fetch: async () => {
        throw new TypeError("connection refused");
      },
    });
    const refused = await down.startLogin("a@example.org");
    expect(refused.ok ? "" : refused.error).toMatchObject({ code: "network", status: 0 });
    const teapot = new AccountClient({
      baseUrl: "http://relay.test",
      fetch: async () => new Response("<html>", { status: 200 }),
    });
    const odd = await teapot.startLogin("a@example.org");
    expect(odd.ok ? "" : odd.error.code).toBe("bad-response");
  });
});
