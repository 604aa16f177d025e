/**
 * One JSON request to a relay and its answer, checked: what `AccountClient` and `ShareClient`
 * share. A relay that cannot be reached is a `network` error (status 0); an answer that is
 * not a JSON object, or an error without the relay's `{ error: { code, message } }`, is
 * `bad-response`; the relay's own errors keep their code and HTTP status.
 */
import { err, ok, type Result } from "../result.js";
import { type AccountClientError, badResponse, type Json } from "./account-json.js";

/** A JSON request to a relay. */
export interface RelayRequest {
  readonly fetch: typeof globalThis.fetch;
  readonly url: string;
  readonly method: string;
  /** Sent as JSON; null sends no body. */
  readonly body: Json | null;
  /** The bearer token to present, or null for none; a rejection fails the call as `network`. */
  readonly accessToken?: () => Promise<string | null>;
  /** More request headers (the JSON and authorization headers win over these). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A relay's successful answer: its status and JSON object (`{}` for 204 No Content). */
export interface RelayAnswer {
  readonly status: number;
  readonly body: Json;
}

/**
 * The HTTP origin of a relay given as `https://…` or as its `ws(s)://…/sync` URL: where its
 * HTTP endpoints are.
 */
export function relayHttpOrigin(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.protocol =
    url.protocol === "wss:" ? "https:" : url.protocol === "ws:" ? "http:" : url.protocol;
  return url.origin;
}

/** Sends `request` and decodes the answer; never throws for what the network or relay does. */
export async function callRelay(
  request: RelayRequest,
): Promise<Result<RelayAnswer, AccountClientError>> {
  let response: Response;
  try {
    const token = request.accessToken ? await request.accessToken() : null;
    const { body } = request;
    response = await request.fetch(request.url, {
      method: request.method,
      headers: {
        ...request.headers,
        ...(body && { "content-type": "application/json" }),
        ...(token && { authorization: `Bearer ${token}` }),
      },
      ...(body && { body: JSON.stringify(body) }),
    });
  } catch (error) {
    return err({
      code: "network",
      status: 0,
      message: `the relay cannot be reached: ${(error as Error).message}`,
    });
  }
  if (response.status === 204) return ok({ status: 204, body: {} });
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    return err(badResponse(`HTTP ${response.status} without JSON`, response.status));
  }
  if (typeof json !== "object" || json === null)
    return err(badResponse("not an object", response.status));
  const value = json as Json;
  if (response.ok) return ok({ status: response.status, body: value });
  const error = value.error as Json | undefined;
  if (typeof error?.code !== "string" || typeof error.message !== "string")
    return err(badResponse(`HTTP ${response.status}`, response.status));
  return err({ code: error.code, message: error.message, status: response.status });
}
