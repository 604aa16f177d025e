/**
 * Ride analytics: pure functions from sample columns (or 1 Hz series) to numbers. Start with
 * `analyzeWorkout` for one ride, `lapStats` for its laps, `seasonBest` to combine power
 * curves and `trainingLoad` for fitness, fatigue and form over days. Normalized power,
 * intensity factor and training stress score are TrainingPeaks trademarks (see power.ts).
 */
export {
  type AnalysisSettings,
  analyzeWorkout,
  type WorkoutAnalysis,
} from "./analyze-workout.js";
export { type LapRange, type LapStats, lapStats } from "./laps.js";
export {
  type DailyStress,
  dateOf,
  dayNumber,
  type LoadDay,
  type LoadOptions,
  trainingLoad,
} from "./load.js";
export {
  averagePower,
  efficiencyFactor,
  intensityFactor,
  NP_WINDOW_S,
  normalizedPower,
  trainingStress,
  variabilityIndex,
  workKj,
} from "./power.js";
export {
  defaultDurations,
  KEY_DURATIONS_S,
  type MeanMaxPoint,
  meanMaxPower,
} from "./power-curve.js";
export {
  hasValues,
  resampleTo1Hz,
  type Timeline,
  timelineOf,
  timerMsAt,
} from "./resample.js";
export { type SeasonBestPoint, seasonBest, type WorkoutCurve } from "./season-best.js";
export {
  HEART_RATE_ZONES,
  POWER_ZONES,
  timeInHeartRateZones,
  timeInPowerZones,
  type ZoneDefinition,
  type ZoneTime,
  zoneOf,
} from "./zones.js";
