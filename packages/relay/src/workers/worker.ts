/**
 * The Workers relay's entry Worker: `GET /health`, and `GET /sync` — the WebSocket upgrade,
 * checked against the Origin allowlist and handed to a new connection object (one Durable
 * Object per WebSocket, `SessionObject`), which holds the socket through the hibernation
 * API and talks to one Durable Object per document (`DocumentObject`); and `GET /metrics`,
 * the Prometheus text of the counters every connection object reports to the metrics
 * objects (`MetricsObject`). `wrangler.toml` binds the classes exported here.
 */
import { renderSamples } from "./metric-samples.js";
import { readAllShards, type WorkersRelayEnv } from "./metrics-object.js";

export { DirectoryObject } from "./directory-object.js";
export { DocumentObject } from "./document-object.js";
export { MetricsObject } from "./metrics-object.js";
export { SessionObject } from "./session-object.js";

/** The subprotocol a ridevault relay speaks (as the Node relay answers it). */
const SYNC_SUBPROTOCOL = "ridevault.v1";

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
  if (path !== "/sync") return new Response("not found\n", { status: 404 });
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return new Response("expected a WebSocket upgrade\n", { status: 426 });
  }
  const allowed = allowedOrigins(env.ALLOWED_ORIGINS);
  const origin = request.headers.get("origin");
  if (allowed !== null && (origin === null || !allowed.includes(origin))) {
    return new Response("origin not allowed\n", { status: 403 });
  }
  const offered = (request.headers.get("sec-websocket-protocol") ?? "")
    .split(",")
    .map((entry) => entry.trim());
  const headers = new Headers(request.headers);
  headers.delete("x-ridevault-protocol"); // only this Worker sets it
  if (offered.includes(SYNC_SUBPROTOCOL)) headers.set("x-ridevault-protocol", SYNC_SUBPROTOCOL);
  const session = env.SESSIONS.get(env.SESSIONS.newUniqueId());
  return session.fetch(new Request(request.url, { method: "GET", headers }));
}

/** The allowlist in `ALLOWED_ORIGINS` (comma-separated), or null for any origin. */
export function allowedOrigins(value: string | undefined): string[] | null {
  const origins = (value ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  return origins.length > 0 ? origins : null;
}

export default {
  fetch: (request: Request, env: WorkersRelayEnv) => handleRequest(request, env),
};
