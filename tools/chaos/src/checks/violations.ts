/** What the invariants found, sorted into the three counts the report leads with. */

export type ViolationClass = 'lost' | 'duplicated' | 'other';

export interface Violation {
  readonly cls: ViolationClass;
  /** a short, stable name: `accepted start missing`, `node_completed twice`, ... */
  readonly kind: string;
  readonly count: number;
  /** a few ids or details, to start the diagnosis from */
  readonly samples: readonly string[];
}

export class Findings {
  readonly items: Violation[] = [];

  add(cls: ViolationClass, kind: string, rows: readonly unknown[], describe: (row: never) => string = (r) => JSON.stringify(r)): void {
    if (rows.length === 0) return;
    this.items.push({ cls, kind, count: rows.length, samples: rows.slice(0, 3).map((r) => describe(r as never)) });
  }

  addCount(cls: ViolationClass, kind: string, count: number, samples: readonly string[] = []): void {
    if (count <= 0) return;
    this.items.push({ cls, kind, count, samples: samples.slice(0, 3) });
  }

  total(cls: ViolationClass): number {
    return this.items.filter((v) => v.cls === cls).reduce((s, v) => s + v.count, 0);
  }
}
