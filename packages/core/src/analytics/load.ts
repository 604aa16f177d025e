/**
 * Training load over days ("performance management"): fitness (CTL), fatigue (ATL) and form
 * (TSB) from the daily sum of training stress. Each day, with k = 1 − e^(−1/τ):
 *
 *   ctl(d) = ctl(d − 1) + (stress(d) − ctl(d − 1)) · k42      (τ = 42 days by default)
 *   atl(d) = atl(d − 1) + (stress(d) − atl(d − 1)) · k7       (τ = 7 days by default)
 *   tsb(d) = ctl(d − 1) − atl(d − 1)
 *
 * Form uses YESTERDAY's values: it is the freshness you start the day with, before today's
 * ride. That is TrainingPeaks' definition (and GoldenCheetah's default); intervals.icu appears
 * to show same-day fitness − fatigue instead, which is `ctl − atl` of the same entry here. CTL, ATL
 * and TSB are TrainingPeaks trademarks; label them "fitness", "fatigue" and "form" in a UI.
 *
 * Days are calendar dates ("YYYY-MM-DD") in the rider's own time zone; the caller decides
 * which date a ride belongs to. Dates are stepped in UTC, so summer time never skips a day.
 */

/** Training stress of one ride (or of a whole day) on a calendar date. */
export interface DailyStress {
  /** "YYYY-MM-DD". */
  readonly date: string;
  readonly stress: number;
}

/** Fitness, fatigue and form at the end of one day. */
export interface LoadDay {
  readonly date: string;
  /** The day's total stress (0 on a rest day). */
  readonly stress: number;
  /** Fitness (chronic training load) after this day's rides. */
  readonly ctl: number;
  /** Fatigue (acute training load) after this day's rides. */
  readonly atl: number;
  /** Form (training stress balance) going into this day: yesterday's ctl − atl. */
  readonly tsb: number;
}

/** Options of `trainingLoad`; every one has a default. */
export interface LoadOptions {
  /** Last day of the output, "YYYY-MM-DD" (default: the last date with stress). */
  readonly end?: string;
  /** Time constant of fitness, days (default 42). */
  readonly ctlDays?: number;
  /** Time constant of fatigue, days (default 7). */
  readonly atlDays?: number;
  /** Fitness on the day before the first date (default 0), e.g. carried over from elsewhere. */
  readonly initialCtl?: number;
  /** Fatigue on the day before the first date (default 0). */
  readonly initialAtl?: number;
}

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * One entry per calendar day from the earliest date in `stresses` to `options.end`,
 * including rest days; several entries on one date add up. Entries after `end` are ignored;
 * an empty input, or an `end` before the first date, gives an empty list. Entries may come in
 * any order. Throws a RangeError for a malformed date, a stress that is negative or not
 * finite, or a time constant that is not positive: these are programmer errors.
 */
export function trainingLoad(
  stresses: readonly DailyStress[],
  options: LoadOptions = {},
): LoadDay[] {
  const ctlDays = checkPositive(options.ctlDays ?? 42, "ctlDays");
  const atlDays = checkPositive(options.atlDays ?? 7, "atlDays");
  const stressByDay = new Map<number, number>();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const { date, stress } of stresses) {
    if (!(stress >= 0) || !Number.isFinite(stress)) {
      throw new RangeError(`stress on ${date} must be a finite number ≥ 0, got ${stress}`);
    }
    const day = dayNumber(date);
    stressByDay.set(day, (stressByDay.get(day) ?? 0) + stress);
    first = Math.min(first, day);
    last = Math.max(last, day);
  }
  if (stressByDay.size === 0) return [];
  const end = options.end === undefined ? last : dayNumber(options.end);

  const ctlGain = 1 - Math.exp(-1 / ctlDays);
  const atlGain = 1 - Math.exp(-1 / atlDays);
  let ctl = options.initialCtl ?? 0;
  let atl = options.initialAtl ?? 0;
  const out: LoadDay[] = [];
  for (let day = first; day <= end; day++) {
    const stress = stressByDay.get(day) ?? 0;
    const tsb = ctl - atl;
    ctl += (stress - ctl) * ctlGain;
    atl += (stress - atl) * atlGain;
    out.push({ date: dateOf(day), stress, ctl, atl, tsb });
  }
  return out;
}

/** Days since 1970-01-01 of a "YYYY-MM-DD" date; throws a RangeError for anything else. */
export function dayNumber(date: string): number {
  const match = DATE.exec(date);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const ms = Date.UTC(year, month - 1, day);
    if (dateOf(ms / DAY_MS) === date) return ms / DAY_MS;
  }
  throw new RangeError(`"${date}" is not a calendar date in the form YYYY-MM-DD`);
}

/** The "YYYY-MM-DD" date of a day number (days since 1970-01-01). */
export function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function checkPositive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a positive number of days, got ${value}`);
  }
  return value;
}
