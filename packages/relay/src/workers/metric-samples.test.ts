import { describe, expect, it } from "vitest";
import { RelayMetrics } from "../metrics.js";
import { renderSamples, SessionMetrics, samplesOf } from "./metric-samples.js";

describe("samplesOf and renderSamples", () => {
  it("round-trip the non-zero series, labels included, and add up repeated ones", () => {
    const metrics = new RelayMetrics();
    metrics.framesIn.inc({}, 3);
    metrics.errors.inc({ code: "bad-frame" }, 2);
    metrics.envelopesStored.inc({ kind: "snapshot" });
    const samples = samplesOf(metrics);
    expect(samples).toEqual(
      expect.arrayContaining([
        { name: "ridevault_relay_frames_in_total", labels: {}, value: 3 },
        { name: "ridevault_relay_errors_total", labels: { code: "bad-frame" }, value: 2 },
        { name: "ridevault_relay_envelopes_stored_total", labels: { kind: "snapshot" }, value: 1 },
      ]),
    );
    expect(samples).toHaveLength(3);
    const doubled = new RelayMetrics();
    doubled.framesIn.inc({}, 6);
    doubled.errors.inc({ code: "bad-frame" }, 4);
    doubled.envelopesStored.inc({ kind: "snapshot" }, 2);
    expect(renderSamples([...samples, ...samples])).toBe(doubled.render());
  });

  it("leave out series of unknown names", () => {
    expect(renderSamples([{ name: "gone_total", labels: {}, value: 1 }])).toBe(
      new RelayMetrics().render(),
    );
  });
});

describe("SessionMetrics", () => {
  it("takes what changed since the last take, and takes back a failed report", () => {
    const session = new SessionMetrics();
    session.socket.framesIn.inc();
    session.protocol.framesIn.inc(); // the protocol's own frame count is not reported
    session.protocol.errors.inc({ code: "bad-frame" });
    expect(session.take()).toEqual(
      expect.arrayContaining([
        { name: "ridevault_relay_frames_in_total", labels: {}, value: 1 },
        { name: "ridevault_relay_errors_total", labels: { code: "bad-frame" }, value: 1 },
      ]),
    );
    expect(session.take()).toEqual([]);
    session.socket.framesIn.inc({}, 2);
    const failed = session.take();
    expect(failed).toEqual([{ name: "ridevault_relay_frames_in_total", labels: {}, value: 2 }]);
    session.untake(failed);
    session.socket.framesIn.inc();
    expect(session.take()).toEqual([
      { name: "ridevault_relay_frames_in_total", labels: {}, value: 3 },
    ]);
  });

  it("reports a gauge going back to zero", () => {
    const session = new SessionMetrics();
    session.socket.connections.inc();
    expect(session.take()).toEqual([{ name: "ridevault_relay_connections", labels: {}, value: 1 }]);
    session.socket.connections.dec();
    expect(session.take()).toEqual([
      { name: "ridevault_relay_connections", labels: {}, value: -1 },
    ]);
    expect(session.take()).toEqual([]);
  });
});
