import { describe, expect, it } from "vitest";
import { detectBluetooth } from "../src/recording/bluetooth-support.js";

const bluetooth = (available: boolean) => ({
  requestDevice: async () => {
    throw new Error("cancelled");
  },
  getAvailability: async () => available,
});

describe("detectBluetooth", () => {
  it("is available with a Web Bluetooth object and an adapter", async () => {
    const support = await detectBluetooth({
      isSecureContext: true,
      navigator: { bluetooth: bluetooth(true) },
    });
    expect(support.available).toBe(true);
  });

  it("says why not: no API (Firefox, Safari), an insecure page, no adapter", async () => {
    const reasons = await Promise.all([
      detectBluetooth({ isSecureContext: true, navigator: {} }),
      detectBluetooth({ isSecureContext: false, navigator: {} }),
      detectBluetooth({ isSecureContext: true, navigator: { bluetooth: bluetooth(false) } }),
      detectBluetooth({ isSecureContext: true, navigator: { bluetooth: { requestDevice: 1 } } }),
    ]);
    const text = reasons.map((support) => (support.available ? "" : support.reason));
    expect(text[0]).toMatch(/no Web Bluetooth.*Chrome or Edge/);
    expect(text[1]).toMatch(/https/);
    expect(text[2]).toMatch(/No Bluetooth adapter/);
    expect(text[3]).toMatch(/no Web Bluetooth/);
  });
});
