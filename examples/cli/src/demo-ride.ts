/**
 * A simulated ride for the demo command: five-minute blocks of steady power with noise and
 * short coasting, heart rate following the effort, speed from power on a flat road.
 * (Real sensor simulation, producing GATT bytes, belongs to `@ridevault/recorder`.)
 */
import type { Sample } from "@ridevault/core";

/** `seconds` samples at 1 Hz starting at `start` (Unix ms). */
export function* demoRide(start: number, seconds: number): Generator<Sample> {
  let heartRate = 100;
  let velocity = 8;
  let distance = 0;
  for (let i = 0; i < seconds; i++) {
    const block = Math.floor(i / 300) % 4;
    const coasting = i % 97 < 3;
    const power = coasting ? 0 : 160 + block * 40 + Math.round(Math.sin(i / 7) * 15);
    heartRate += (95 + power / 3 - heartRate) / 30;
    velocity += (Math.cbrt(Math.max(power, 20) / 0.25) - velocity) / 5;
    const speed = Math.round(velocity * 1000);
    distance += speed;
    yield {
      time: start + i * 1000,
      power,
      heartRate: Math.round(heartRate),
      cadence: coasting ? 0 : 88 + (i % 5),
      speed,
      distance,
    };
  }
}
