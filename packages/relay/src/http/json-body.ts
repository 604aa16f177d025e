/**
 * Reading and writing JSON over `node:http`, with a size limit: a body larger than the limit
 * is refused as soon as it crosses it (413), without buffering the rest; a body that is not
 * a JSON object is a 400. Responses are JSON with `cache-control: no-store` (they may hold
 * tokens).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { err, ok, type Result } from "@ridevault/core/protocol";
import { type AccountError, STATUS_BY_CODE } from "../accounts/account-errors.js";

/** Reads a JSON object of at most `maxBytes`. */
export async function readJsonObject(
  request: IncomingMessage,
  maxBytes: number,
): Promise<Result<Record<string, unknown>, AccountError>> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > maxBytes) return err(tooLarge(maxBytes));
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        request.destroy();
        return err(tooLarge(maxBytes));
      }
      chunks.push(chunk as Buffer);
    }
  } catch {
    return err({ code: "bad-request", message: "the request body could not be read" });
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return err({ code: "bad-request", message: "the body is not JSON" });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return err({ code: "bad-request", message: "the body must be a JSON object" });
  return ok(value as Record<string, unknown>);
}

/** Sends `body` as JSON with `status`. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** Sends an account error with its status: `{ error: { code, message } }`. */
export function sendError(
  response: ServerResponse,
  error: AccountError,
  headers: Record<string, string> = {},
): void {
  sendJson(
    response,
    STATUS_BY_CODE[error.code],
    { error: { code: error.code, message: error.message } },
    headers,
  );
}

function tooLarge(maxBytes: number): AccountError {
  return { code: "payload-too-large", message: `the body is larger than ${maxBytes} bytes` };
}
