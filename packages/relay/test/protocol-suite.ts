/**
 * The relay protocol integration suite: everything a relay must do that a device can see
 * through a WebSocket URL alone, run against every relay runtime — a real Node relay process
 * on SQLite (`protocol-suite-node.test.ts`) and the Workers relay in workerd through
 * miniflare (`protocol-suite-workers.test.ts`). Frames (`protocol-suite-frames.ts`): bad
 * input gets the right codes and stores nothing, retries are idempotent, fan-out, ephemeral
 * envelopes, snapshots, metrics, slow consumers. Devices (`protocol-suite-devices.ts`): the
 * core `SyncEngine`, given nothing but the URL, converges devices, syncs an offline ride
 * completely and keeps what was acknowledged across a restart.
 *
 * Where a runtime legitimately differs, a named `RelayCapabilities` flag says so and the
 * suite checks the behaviour that runtime documents instead — never a silent skip.
 */
import { loadSodium, type Sodium } from "@ridevault/core";
import { afterAll, beforeAll, describe } from "vitest";
import type {
  RelayCapabilities,
  RelayUnderTest,
  StartRelay,
  SuiteContext,
} from "./protocol-suite-context.js";
import { deviceTests } from "./protocol-suite-devices.js";
import { frameTests } from "./protocol-suite-frames.js";

export type {
  RelayCapabilities,
  RelayUnderTest,
  StartRelay,
  StartRelayOptions,
} from "./protocol-suite-context.js";

/** Registers the protocol suite for one relay runtime as `describe(name)`. */
export function runRelayProtocolTests(
  name: string,
  start: StartRelay,
  capabilities: RelayCapabilities,
): void {
  describe(name, () => {
    let relay: RelayUnderTest | undefined;
    let sodium: Sodium | undefined;

    beforeAll(async () => {
      sodium = await loadSodium();
      relay = await start();
    }, 60_000);

    afterAll(async () => {
      await relay?.close();
    });

    const context: SuiteContext = {
      relay: () => defined(relay, "the relay"),
      sodium: () => defined(sodium, "libsodium"),
      start,
      capabilities,
    };
    frameTests(context);
    deviceTests(context);
  });
}

function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} did not start: see the beforeAll error`);
  return value;
}
