/**
 * `@ridevault/recorder`: Bluetooth cycling sensors to workouts.
 */
export {};
