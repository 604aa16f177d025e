/**
 * The Workers relay's entry Worker: `GET /health`; `GET /sync` — the WebSocket upgrade,
 * checked against the Origin allowlist and, with accounts on, authenticated by the access
 * token in `Sec-WebSocket-Protocol` (as on Node: 401 without a valid one when accounts are
 * required; the `ridevault.share` subprotocol admits a share holder as nobody), then handed
 * to a new connection object (one Durable Object per WebSocket, `SessionObject`) with the
 * connection's identity; the account endpoints (`/v1/accounts/…`, `/v1/documents/claim`) and
 * the share endpoints (`/v1/shares…`), served by the Node relay's route code through
 * `http/fetch-adapter.ts`; and `GET /metrics`, the Prometheus text of the counters every
 * connection object reports to the metrics objects (`MetricsObject`). `wrangler.toml` binds
 * the classes exported here.
 */
import { type NodeStyleRoutes, serveWithNodeRoutes } from "../http/fetch-adapter.js";
import {
  accessTokenFromProtocols,
  offersShareSubprotocol,
  SYNC_SUBPROTOCOL,
} from "../http/upgrade-token.js";
import type { ConnectionIdentity } from "../relay-types.js";
import { DurableObjectRelayStore } from "./durable-object-store.js";
import { renderSamples } from "./metric-samples.js";
import { readAllShards, type WorkersRelayEnv } from "./metrics-object.js";
import { IDENTITY_HEADER, PROTOCOL_HEADER } from "./session-identity.js";
import {
  allowedOrigins,
  createWorkersAccounts,
  createWorkersShareRoutes,
  type WorkersAccounts,
} from "./workers-accounts.js";

export { AccountsObject } from "./accounts-object.js";
export { DirectoryObject } from "./directory-object.js";
export { DocumentObject } from "./document-object.js";
export { MetricsObject } from "./metrics-object.js";
export { SessionObject } from "./session-object.js";
export { allowedOrigins } from "./workers-accounts.js";

/** What the entry Worker keeps across requests: the routes and their rate limiters. */
type EntryParts =
  | {
      readonly ok: true;
      readonly accounts: WorkersAccounts | null;
      readonly routes: NodeStyleRoutes[];
    }
  | { readonly ok: false; readonly message: string };

const partsByEnv = new WeakMap<object, EntryParts>();

/** The parts for `env`, made on the first request (its stubs are taken per call). */
function partsOf(env: WorkersRelayEnv): EntryParts {
  let parts = partsByEnv.get(env);
  if (parts) return parts;
  const store = new DurableObjectRelayStore({
    documents: env.DOCUMENTS,
    directory: env.DIRECTORY,
    reuseStubs: false,
  });
  const accounts = createWorkersAccounts(env, store);
  if (!accounts.ok) {
    parts = { ok: false, message: accounts.error.message };
  } else {
    const shares = createWorkersShareRoutes({
      store,
      accounts: accounts.value,
      allowedOrigins: allowedOrigins(env.ALLOWED_ORIGINS),
    });
    const routes: NodeStyleRoutes[] = [shares];
    if (accounts.value) routes.push(accounts.value.routes);
    parts = { ok: true, accounts: accounts.value, routes };
  }
  partsByEnv.set(env, parts);
  return parts;
}

/** Routes one HTTP request of the Workers relay. */
export async function handleRequest(request: Request, env: WorkersRelayEnv): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (path === "/health") {
    return Response.json({ status: "ok" });
  }
  if (path === "/metrics") {
    return new Response(renderSamples(await readAllShards(env)), {
      headers: { "content-type": "text/plain; version=0.0.4" },
    });
  }
  if (path.startsWith("/v1/")) {
    const parts = partsOf(env);
    if (!parts.ok) return new Response(`${parts.message}\n`, { status: 500 });
    const remoteAddress = request.headers.get("cf-connecting-ip") ?? undefined;
    const served = await serveWithNodeRoutes(parts.routes, request, {
      ...(remoteAddress !== undefined && { remoteAddress }),
    });
    return served ?? new Response("not found\n", { status: 404 });
  }
  if (path !== "/sync") return new Response("not found\n", { status: 404 });
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return new Response("expected a WebSocket upgrade\n", { status: 426 });
  }
  const allowed = allowedOrigins(env.ALLOWED_ORIGINS);
  const origin = request.headers.get("origin");
  if (allowed !== null && (origin === null || !allowed.includes(origin))) {
    return new Response("origin not allowed\n", { status: 403 });
  }
  const parts = partsOf(env);
  if (!parts.ok) return new Response(`${parts.message}\n`, { status: 500 });
  const protocols = request.headers.get("sec-websocket-protocol") ?? "";
  const headers = new Headers(request.headers);
  // Only this Worker sets them.
  headers.delete(PROTOCOL_HEADER);
  headers.delete(IDENTITY_HEADER);
  if (protocols.split(",").some((entry) => entry.trim() === SYNC_SUBPROTOCOL)) {
    headers.set(PROTOCOL_HEADER, SYNC_SUBPROTOCOL);
  }
  if (parts.accounts) {
    const identity = await upgradeIdentity(parts.accounts, protocols);
    if (!identity) return new Response("not authenticated\n", { status: 401 });
    headers.set(IDENTITY_HEADER, JSON.stringify(identity));
  }
  const session = env.SESSIONS.get(env.SESSIONS.newUniqueId());
  return session.fetch(new Request(request.url, { method: "GET", headers }));
}

/** Who an upgrade speaks for, or undefined when it must be refused (401). */
async function upgradeIdentity(
  accounts: WorkersAccounts,
  protocols: string,
): Promise<ConnectionIdentity | undefined> {
  const token = accessTokenFromProtocols(protocols);
  // A share holder without an account: nobody, who can open grants and nothing else.
  if (token === null && offersShareSubprotocol(protocols)) return { principal: null };
  const auth = await accounts.policy.authenticateUpgrade(token);
  return auth.ok ? auth.identity : undefined;
}

export default {
  fetch: (request: Request, env: WorkersRelayEnv) => handleRequest(request, env),
};
