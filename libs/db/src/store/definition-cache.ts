import type { DefinitionRecord } from '@wf/engine';

/**
 * Compiled definitions by id. Versions are immutable (only `isActive` changes, and the step path
 * does not read it), so caching them saves a read and a compile on every step.
 */
export class DefinitionCache {
  private readonly entries = new Map<string, DefinitionRecord>();

  constructor(private readonly capacity = 1000) {}

  get(tenantId: string, id: string): DefinitionRecord | undefined {
    return this.entries.get(`${tenantId}:${id}`);
  }

  set(record: DefinitionRecord): void {
    const key = `${record.tenantId}:${record.id}`;
    this.entries.delete(key);
    this.entries.set(key, record);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
