/** How a relay connection answers a request whose handling threw. */
import type { ErrorCode } from "@ridevault/core/protocol";

/**
 * The error frame for a request that threw: a store refusal is the request's fault and
 * retrying cannot help; anything else (the database failing) is ours, and the device retries.
 */
export function failureOf(error: unknown): { code: ErrorCode; message: string } {
  const code = (error as { code?: unknown }).code;
  const detail = (error as Error).message;
  if (code === "unknown-document") return { code, message: detail };
  if (code === "invalid-append") return { code: "bad-frame", message: detail };
  return { code: "internal", message: `the relay failed: ${detail}; retry later` };
}
