/** What the engine does for each kind of relay `error` frame (docs/protocol.md, Error codes). */
import { describe, expect, it } from "vitest";
import { type RelayErrorInput, relayErrorActions } from "./relay-error.js";

const docId = "4vJ9kQ2mXbT7pLrN8sWd";
const push = { kind: "push", docId, counter: 4, coversSeq: null } as const;
const base: RelayErrorInput = {
  request: undefined,
  code: "internal",
  message: "",
  tracked: true,
  registerHeld: false,
};
const kinds = (input: Partial<RelayErrorInput>) =>
  relayErrorActions({ ...base, ...input }).map((a) => a.kind);

describe("relayErrorActions", () => {
  it("holds a refused registration, with the wait the relay names", () => {
    for (const code of ["forbidden", "rate-limited", "quota-exceeded"] as const)
      expect(kinds({ request: { kind: "register", docId }, code })).toEqual(["hold-register"]);
    expect(
      relayErrorActions({
        ...base,
        request: { kind: "register", docId },
        code: "rate-limited",
        message: "too many new documents from this account: retry in 7 s",
      }),
    ).toEqual([{ kind: "hold-register", retryAfterMs: 7000 }]);
  });

  it("neither reports nor restarts a subscribe refused behind a held registration", () => {
    const subscribe = { kind: "subscribe", docId } as const;
    expect(
      relayErrorActions({
        ...base,
        request: subscribe,
        code: "unknown-document",
        registerHeld: true,
      }),
    ).toEqual([{ kind: "start-over", resend: true, restart: false }]);
    expect(kinds({ request: subscribe, code: "quota-exceeded", registerHeld: true })).toEqual([]);
  });

  it("starts over at once a document the relay lost", () => {
    expect(
      relayErrorActions({
        ...base,
        request: { kind: "subscribe", docId },
        code: "unknown-document",
      }),
    ).toEqual([{ kind: "report" }, { kind: "start-over", resend: true, restart: true }]);
  });

  it("asks the source about a shared document the relay lost, never registers it", () => {
    const subscribe = { kind: "subscribe", docId } as const;
    expect(kinds({ request: subscribe, code: "unknown-document", shared: true })).toEqual([
      "report",
      "refresh-keys",
    ]);
    expect(kinds({ request: subscribe, code: "unknown-document" })).toContain("start-over");
  });

  it("retries a limited push later and forgets it in flight", () => {
    expect(
      relayErrorActions({
        ...base,
        request: push,
        code: "rate-limited",
        message: "too many pushes from this account: retry in 3 s",
      }),
    ).toEqual([{ kind: "retry-pushes", retryAfterMs: 3000 }, { kind: "forget-push" }]);
    expect(
      relayErrorActions({ ...base, request: push, code: "quota-exceeded", message: "full" }),
    ).toEqual([{ kind: "retry-pushes", retryAfterMs: null }, { kind: "forget-push" }]);
  });

  it("drops a push with a bad signature, reconnects on internal errors", () => {
    expect(kinds({ request: push, code: "bad-signature" })).toEqual([
      "report",
      "forget-push",
      "drop-push",
    ]);
    expect(kinds({ code: "internal" })).toEqual(["report", "reconnect"]);
  });

  it("asks for keys when a subscription ends or keys rotated", () => {
    expect(kinds({ code: "forbidden" })).toEqual(["report", "unsubscribed", "refresh-keys"]);
    expect(kinds({ request: { kind: "subscribe", docId }, code: "forbidden" })).toEqual([
      "report",
      "refresh-keys",
    ]);
    expect(kinds({ request: push, code: "key-rotated" })).toEqual([
      "report",
      "forget-push",
      "refresh-keys",
    ]);
  });

  it("only reports what concerns no followed document", () => {
    expect(
      kinds({ request: { kind: "register", docId }, code: "forbidden", tracked: false }),
    ).toEqual(["report"]);
    expect(kinds({ request: push, code: "rate-limited", tracked: false })).toEqual([
      "report",
      "forget-push",
    ]);
  });
});
