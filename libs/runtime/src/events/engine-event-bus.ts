/**
 * The process's engine events: the use cases emit them after commit, and metrics, logs and tests
 * subscribe. A test awaits `next('instance_finished', …)` instead of sleeping.
 */

import type { EngineEvent, EngineEventType, EventSink } from '@wf/engine';

type EventOf<T extends EngineEventType> = Extract<EngineEvent, { type: T }>;
type Listener = (event: EngineEvent) => void;

export class EngineEventBus implements EventSink {
  private readonly listeners = new Set<Listener>();

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // one listener's failure must not keep the event from the others
      }
    }
  }

  /** Subscribe; returns the unsubscribe. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The first event of `type` (matching `match`) from now on; rejects after `timeoutMs` naming what
   * it waited for. Subscribe before causing the event.
   */
  next<T extends EngineEventType>(type: T, match: (event: EventOf<T>) => boolean = () => true, timeoutMs = 30_000): Promise<EventOf<T>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${type} event within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on((event) => {
        if (event.type !== type || !match(event as EventOf<T>)) return;
        clearTimeout(timer);
        off();
        resolve(event as EventOf<T>);
      });
    });
  }
}
