/**
 * Cross-origin requests to the relay's HTTP endpoints (accounts, shares): a request from an
 * origin that is not allowed is refused with 403 `origin-not-allowed`, a preflight is
 * answered with the methods and headers the endpoints take, and every other answer carries
 * the headers that let the allowed origin read it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./json-body.js";

/** Which origins may call a group of endpoints, and how. */
export interface CorsPolicy {
  /** Origins allowed cross-origin; null allows any. */
  readonly allowedOrigins: readonly string[] | null;
  /** `Access-Control-Allow-Methods` of a preflight, e.g. `"GET, POST"`. */
  readonly methods: string;
  /** `Access-Control-Allow-Headers` of a preflight. */
  readonly headers: string;
}

/**
 * Answers what CORS decides by itself — a refused origin (403) or a preflight (204) — and
 * returns null then; otherwise returns the headers every answer to `request` carries (none
 * for a request without an `Origin`).
 */
export function handleCors(
  request: IncomingMessage,
  response: ServerResponse,
  policy: CorsPolicy,
): Record<string, string> | null {
  const cors: Record<string, string> = {};
  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (policy.allowedOrigins !== null && !policy.allowedOrigins.includes(origin)) {
      sendJson(response, 403, {
        error: { code: "origin-not-allowed", message: `origin ${origin} is not allowed` },
      });
      return null;
    }
    cors["access-control-allow-origin"] = origin;
    cors.vary = "Origin";
  }
  if (request.method === "OPTIONS") {
    response.writeHead(204, {
      ...cors,
      "access-control-allow-methods": policy.methods,
      "access-control-allow-headers": policy.headers,
      "access-control-max-age": "600",
    });
    response.end();
    return null;
  }
  return cors;
}
