// A deterministic, realistic ride at 1 Hz for benchmarks: power with surges and coasting,
// heart rate lagging the effort, cadence, speed from power, distance integrated. No GPS.

/** xorshift32 in [0, 1). */
function seeded(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

/** Yields `seconds` samples starting at `start` (Unix ms). */
export function* rideSamples(start, seconds, seed = 42) {
  const random = seeded(seed);
  let target = 200;
  let power = 200;
  let heartRate = 110;
  let distance = 0;
  let velocity = 8;
  for (let i = 0; i < seconds; i++) {
    if (i % 300 === 0) target = 150 + Math.floor(random() * 150);
    const coasting = random() < 0.05;
    power = coasting ? 0 : Math.max(0, Math.round(target + (random() - 0.5) * 60));
    heartRate += (90 + power / 3 - heartRate) / 30;
    const cadence = coasting ? 0 : Math.round(85 + (random() - 0.5) * 10);
    // Flat road: P ≈ 0.25·v³; speed follows power with some inertia, ±2 % sensor noise.
    velocity += (Math.cbrt(Math.max(power, 20) / 0.25) - velocity) / 5;
    const speed = Math.round(velocity * 1000 * (0.98 + random() * 0.04));
    distance += speed;
    yield {
      time: start + i * 1000,
      power,
      heartRate: Math.round(heartRate),
      cadence,
      speed: Math.min(speed, 50_000),
      distance,
    };
  }
}
