/** When a writer compacts: after `every` changes, or `minChanges` once quiet. */
import { describe, expect, it } from "vitest";
import { type SnapshotCandidate, snapshotDecision, snapshotPolicy } from "./snapshot-policy.js";

const policy = snapshotPolicy({ snapshotEvery: 100, snapshotMinChanges: 10 });
const quiet: SnapshotCandidate = {
  idle: false,
  canWrite: true,
  busy: false,
  cursor: 0,
  snapshotSeq: 0,
};

describe("snapshotDecision", () => {
  it("fills in defaults", () => {
    expect(snapshotPolicy({})).toEqual({ every: 1000, idleMs: 120_000, minChanges: 16 });
  });

  it("snapshots after `every` changes, or `minChanges` when quiet", () => {
    expect(snapshotDecision(policy, { ...quiet, cursor: 99 })).toBe("none");
    expect(snapshotDecision(policy, { ...quiet, cursor: 150, snapshotSeq: 50 })).toBe("snapshot");
    expect(snapshotDecision(policy, { ...quiet, idle: true, cursor: 9 })).toBe("none");
    expect(snapshotDecision(policy, { ...quiet, idle: true, cursor: 10 })).toBe("snapshot");
  });

  it("never for a reader; later when busy and quiet", () => {
    expect(snapshotDecision(policy, { ...quiet, canWrite: false, cursor: 500 })).toBe("none");
    expect(snapshotDecision(policy, { ...quiet, busy: true, cursor: 500 })).toBe("none");
    expect(snapshotDecision(policy, { ...quiet, busy: true, idle: true })).toBe("wait-until-quiet");
  });
});
