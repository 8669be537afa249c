/**
 * Will a task finish in time? The forecast model: a task takes as long as the 75th percentile of
 * the last finished executions of the same node in the same workflow (any version), counted in
 * the node's business calendar when it has one. The 75th percentile, because a median forecast
 * calls half the tasks late that end on time, and a 90th flags too few to act on; recent
 * executions, because how long a step takes drifts with the people and the season. With fewer
 * than `MIN_FORECAST_SAMPLES` there is no forecast, and the task says so. Pure.
 */

import type { BusinessCalendar } from '../calendar/business-calendar';

/** Finished executions the forecast reads at most (the most recent). */
export const FORECAST_SAMPLES = 50;
/** Below this many there is no forecast. */
export const MIN_FORECAST_SAMPLES = 5;
export const FORECAST_MODEL = `p75 of the last ${FORECAST_SAMPLES} finished executions of the node`;

export interface DurationSample {
  readonly startedAt: Date;
  readonly completedAt: Date;
}

export interface Forecast {
  readonly finishAt: Date;
  readonly samples: number;
  /** the percentile's duration, in (working) milliseconds */
  readonly durationMs: number;
}

/** The value at quantile `q` of sorted `values`, interpolated linearly (as percentile_cont). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (at - lo);
}

/** When a task started at `startedAt` is forecast to finish; null with too little history. */
export function forecastFinish(startedAt: Date, samples: readonly DurationSample[], calendar: BusinessCalendar | null): Forecast | null {
  if (samples.length < MIN_FORECAST_SAMPLES) return null;
  const durations = samples
    .map((s) => (calendar ? calendar.businessTimeBetween(s.startedAt, s.completedAt) : s.completedAt.getTime() - s.startedAt.getTime()))
    .filter((ms) => Number.isFinite(ms) && ms >= 0)
    .sort((a, b) => a - b);
  if (durations.length < MIN_FORECAST_SAMPLES) return null;
  const durationMs = Math.round(quantile(durations, 0.75));
  const finishAt = calendar ? calendar.addBusinessTime(startedAt, durationMs) : new Date(startedAt.getTime() + durationMs);
  return { finishAt, samples: durations.length, durationMs };
}
