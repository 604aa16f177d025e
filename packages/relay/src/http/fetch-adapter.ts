/**
 * Runs the relay's `node:http`-style route handlers (the account and share endpoints) on a
 * fetch `Request` and returns a fetch `Response`, so that a runtime without `node:http` —
 * the Workers relay — serves them with the same code as the Node relay. The request the
 * handlers get has what they read: `method`, `url` (path and query), lower-cased `headers`,
 * `socket.remoteAddress`, the body as an async iterable of byte chunks and `destroy()`. The
 * response records `writeHead` and `end` (which is all they call) and becomes the
 * `Response`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** A route handler in the style of `node:http`: resolves false for paths it does not serve. */
export type NodeStyleRoutes = (
  request: IncomingMessage,
  response: ServerResponse,
) => Promise<boolean>;

/** What `serveWithNodeRoutes` needs besides the request. */
export interface FetchAdapterOptions {
  /** The client's address, for per-IP rate limits (on Workers: `CF-Connecting-IP`). */
  readonly remoteAddress?: string;
}

/** The request as the route handlers read it. */
function incomingOf(request: Request, options: FetchAdapterOptions): IncomingMessage {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  const body = request.body;
  const incoming = {
    method: request.method,
    url: `${url.pathname}${url.search}`,
    headers,
    socket: { remoteAddress: options.remoteAddress },
    async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
      if (!body) return;
      const reader = body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        }
      } finally {
        reader.releaseLock();
      }
    },
    destroy() {
      void body?.cancel().catch(() => undefined);
    },
  };
  return incoming as unknown as IncomingMessage;
}

/** Records what a handler writes, to become a `Response`. */
class ResponseRecorder {
  status = 200;
  readonly headers = new Headers();
  body: string | Uint8Array<ArrayBuffer> | null = null;
  headersSent = false;

  writeHead(status: number, headers: Record<string, string | number> = {}): this {
    this.status = status;
    this.headersSent = true;
    for (const [name, value] of Object.entries(headers)) {
      // The Response computes its own length from the body.
      if (name.toLowerCase() !== "content-length") this.headers.set(name, String(value));
    }
    return this;
  }

  end(chunk?: string | Uint8Array): this {
    if (chunk !== undefined) this.body = typeof chunk === "string" ? chunk : new Uint8Array(chunk);
    return this;
  }

  toResponse(): Response {
    const empty = this.status === 204 || this.status === 304 || this.body === null;
    return new Response(empty ? null : this.body, { status: this.status, headers: this.headers });
  }
}

/**
 * Answers `request` with the first handler of `routes` that serves its path, or resolves
 * null when none does. A handler that throws answers 500 `internal`, as on Node.
 */
export async function serveWithNodeRoutes(
  routes: readonly NodeStyleRoutes[],
  request: Request,
  options: FetchAdapterOptions = {},
): Promise<Response | null> {
  for (const route of routes) {
    const recorder = new ResponseRecorder();
    try {
      const served = await route(
        incomingOf(request, options),
        recorder as unknown as ServerResponse,
      );
      if (served) return recorder.toResponse();
    } catch {
      return Response.json(
        { error: { code: "internal", message: "the relay failed; retry later" } },
        { status: 500 },
      );
    }
  }
  return null;
}
