import type { Clock } from '@wf/engine';

/**
 * The system clock shifted by an offset a test moves forward: time still flows (queue delays and
 * cron ticks stay real), and `advance` makes an hour's deadline pass at once.
 */
export class OffsetClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
