/** The human-readable table: one line per figure, with its target and whether it is met. */

export type Verdict = 'ok' | 'MISS' | '';

export interface ReportRow {
  readonly label: string;
  readonly value: string;
  readonly target?: string;
  readonly verdict?: Verdict;
}

export interface ReportSection {
  readonly title: string;
  readonly rows: readonly ReportRow[];
}

export function fmt(value: number | null | undefined, digits = 1, unit = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  const s = value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit ? `${s} ${unit}` : s;
}

/** `ok` when the check holds, `MISS` when it does not, nothing when there is no figure. */
export function verdict(value: number | null | undefined, holds: (v: number) => boolean): Verdict {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  return holds(value) ? 'ok' : 'MISS';
}

export function renderReport(header: readonly string[], sections: readonly ReportSection[]): string {
  const all = sections.flatMap((s) => s.rows);
  const w1 = Math.max(20, ...all.map((r) => r.label.length));
  const w2 = Math.max(10, ...all.map((r) => r.value.length));
  const w3 = Math.max(6, ...all.map((r) => (r.target ?? '').length));
  const lines = [...header, ''];
  for (const section of sections) {
    lines.push(section.title);
    lines.push(`  ${'-'.repeat(w1 + w2 + w3 + 12)}`);
    for (const r of section.rows) {
      lines.push(`  ${r.label.padEnd(w1)}  ${r.value.padStart(w2)}  ${(r.target ?? '').padEnd(w3)}  ${r.verdict ?? ''}`.trimEnd());
    }
    lines.push('');
  }
  return lines.join('\n');
}
