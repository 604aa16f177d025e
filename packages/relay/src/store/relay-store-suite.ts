/**
 * The relay-store acceptance suite: every `RelayStore` implementation runs it, in memory or
 * on a real database, so the relay can rely on one contract (as automerge-repo's storage
 * adapters all run one suite). Its parts live beside it: appends and retries, catch-up
 * with snapshots and pruning, documents and restarts, key generations and claims, share
 * grants, a model-based law, and the protocol guarantees the relay leans on (call order,
 * opaque bytes, counter range).
 */
import { describe } from "vitest";
import { describeAppends } from "./relay-store-suite-appends.js";
import { describeCatchUp } from "./relay-store-suite-catch-up.js";
import { describeDocuments } from "./relay-store-suite-documents.js";
import { describeGrants } from "./relay-store-suite-grants.js";
import type { RelayStoreFactory } from "./relay-store-suite-helpers.js";
import { describeKeys } from "./relay-store-suite-keys.js";
import { describeModel } from "./relay-store-suite-model.js";
import { describeProtocol } from "./relay-store-suite-protocol.js";

export type { RelayStoreFactory } from "./relay-store-suite-helpers.js";

/** What a store implements beyond the core of the contract. */
export interface RelayStoreSuiteOptions {
  /**
   * Whether the store keeps share grants (default true; every store here does). False for a
   * store whose grant methods reject with `not-supported`: the suite then checks only that
   * refusal, and its rotation tests name no grants (a rotation naming grants ignores
   * missing ones).
   */
  readonly grants?: boolean;
}

/**
 * Runs the acceptance suite against the stores `factory` makes. Each test creates its own
 * store, closes every instance it opens and then calls `teardown`. See
 * `RelayStoreSuiteOptions` for stores without share grants.
 */
export function runRelayStoreTests(
  name: string,
  factory: RelayStoreFactory,
  options: RelayStoreSuiteOptions = {},
): void {
  describe(`relay store: ${name}`, () => {
    describeAppends(factory);
    describeCatchUp(factory);
    describeDocuments(factory);
    describeKeys(factory);
    describeGrants(factory, options.grants ?? true);
    describeModel(factory);
    describeProtocol(factory);
  });
}
