import { forecastFinish, MIN_FORECAST_SAMPLES, quantile } from './forecast';

const HOUR = 3_600_000;
const at = (h: number) => new Date(Date.UTC(2026, 0, 5, 0, 0, 0) + h * HOUR);

describe('forecast', () => {
  it('is the 75th percentile of the samples, interpolated as percentile_cont', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.75)).toBe(4);
    expect(quantile([10, 20], 0.75)).toBe(17.5);
  });

  it('forecasts from the start plus the 75th percentile duration', () => {
    const samples = [1, 2, 3, 4, 5].map((h) => ({ startedAt: at(0), completedAt: at(h) }));
    const f = forecastFinish(at(100), samples, null)!;
    expect(f.durationMs).toBe(4 * HOUR);
    expect(f.finishAt).toEqual(at(104));
    expect(f.samples).toBe(5);
  });

  it('has no forecast with too little history', () => {
    const samples = Array.from({ length: MIN_FORECAST_SAMPLES - 1 }, () => ({ startedAt: at(0), completedAt: at(1) }));
    expect(forecastFinish(at(0), samples, null)).toBeNull();
  });
});
