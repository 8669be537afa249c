/** The report: one row per scenario, then every finding, then the verdict line CI greps for. */

import type { LogDigestLine } from './checks/engine-logs';
import type { ScenarioCounts } from './checks/invariants';
import type { FaultRecovery } from './checks/recovery';
import type { SettleResult } from './checks/settle';
import type { Violation } from './checks/violations';
import type { UnexpectedAnswer } from './driver/tallying-api-client';

export interface ScenarioResult {
  readonly id: number | string;
  readonly name: string;
  readonly title: string;
  readonly counts: ScenarioCounts;
  readonly violations: readonly Violation[];
  readonly faults: number;
  readonly http500: number;
  readonly requests: number;
  readonly statuses: string;
  readonly recoveries: readonly FaultRecovery[];
  readonly settle: SettleResult;
  readonly notes: readonly string[];
  readonly durationMs: number;
}

export interface ChaosReport {
  readonly runId: string;
  readonly mode: string;
  /** lines about the run as a whole (scenarios left out, and why) */
  readonly notes: readonly string[];
  readonly durationMs: number;
  readonly scenarios: readonly ScenarioResult[];
  /** checks over the whole run (final queue drain, re-check of every scenario, setup answers) */
  readonly final: readonly Violation[];
  readonly http500Total: number;
  readonly unexpectedAnswers: readonly UnexpectedAnswer[];
  readonly unexpectedExits: readonly string[];
  readonly logDigest: readonly LogDigestLine[];
  readonly workDir: string | null;
  /** the temporary directory that was removed (logs named in the report were there) */
  readonly removedWorkDir: string | null;
}

const sum = (vs: readonly Violation[], cls: Violation['cls']) => vs.filter((v) => v.cls === cls).reduce((s, v) => s + v.count, 0);

function totals(report: ChaosReport): { lost: number; duplicated: number; other: number; http500: number } {
  const all = [...report.scenarios.flatMap((s) => s.violations), ...report.final];
  return { lost: sum(all, 'lost'), duplicated: sum(all, 'duplicated'), other: sum(all, 'other'), http500: report.http500Total };
}

export function passed(report: ChaosReport): boolean {
  const t = totals(report);
  return t.lost === 0 && t.duplicated === 0 && t.other === 0 && t.http500 === 0;
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
const padEnd = (s: string | number, n: number) => String(s).padEnd(n);
const ms = (v: number | null | undefined) => (v === null || v === undefined ? '-' : String(Math.round(v)));
const maxOf = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length === 0 ? null : Math.max(...v);
};
const duration = (msTotal: number) => `${Math.floor(msTotal / 60000)}m${String(Math.round((msTotal % 60000) / 1000)).padStart(2, '0')}s`;

export function formatReport(report: ChaosReport): string {
  const out: string[] = [];
  const t = totals(report);
  out.push('');
  out.push(`CHAOS REPORT  run ${report.runId}  ${report.mode}  ${duration(report.durationMs)}`);
  for (const n of report.notes) out.push(n);
  out.push('');
  const header = [
    padEnd('#', 3),
    padEnd('scenario', 34),
    pad('instances', 9),
    pad('steps', 7),
    pad('faults', 6),
    pad('500s', 5),
    pad('lost', 5),
    pad('dup', 4),
    pad('other', 5),
    pad('absorbed', 8),
    pad('recovery ms', 11),
    pad('in-hand ms', 10),
    pad('settle s', 8),
  ].join(' ');
  out.push(header);
  out.push('-'.repeat(header.length));
  for (const s of report.scenarios) {
    out.push(
      [
        padEnd(s.id, 3),
        padEnd(s.title, 34),
        pad(s.counts.instances, 9),
        pad(s.counts.steps, 7),
        pad(s.faults, 6),
        pad(s.http500, 5),
        pad(sum(s.violations, 'lost'), 5),
        pad(sum(s.violations, 'duplicated'), 4),
        pad(sum(s.violations, 'other'), 5),
        pad(s.counts.absorbedRepeats, 8),
        pad(ms(maxOf(s.recoveries.map((r) => r.recoveryMs))), 11),
        pad(ms(maxOf(s.recoveries.map((r) => r.inHandResumeMs))), 10),
        pad((s.settle.ms / 1000).toFixed(1), 8),
      ].join(' '),
    );
  }
  out.push('-'.repeat(header.length));
  const all = report.scenarios;
  out.push(
    [
      padEnd('', 3),
      padEnd('total', 34),
      pad(all.reduce((n, s) => n + s.counts.instances, 0), 9),
      pad(all.reduce((n, s) => n + s.counts.steps, 0), 7),
      pad(all.reduce((n, s) => n + s.faults, 0), 6),
      pad(t.http500, 5),
      pad(t.lost, 5),
      pad(t.duplicated, 4),
      pad(t.other, 5),
      pad(all.reduce((n, s) => n + s.counts.absorbedRepeats, 0), 8),
    ].join(' '),
  );
  out.push('');
  out.push('recovery ms: fault (or, for an outage, the service back) to the first step completed afterwards (max per scenario).');
  out.push('in-hand ms: a killed or frozen worker\'s own steps, from the signal (or a later worker fault) until another worker took each over (max; must stay under 15000).');
  out.push('absorbed: ledger writes repeated after a takeover and absorbed by the ledger\'s unique key (at-least-once I/O, not a duplicate).');
  out.push('');
  for (const s of report.scenarios) {
    const status = Object.entries(s.counts.byStatus).map(([k, v]) => `${k} ${v}`).join(', ');
    out.push(`[${s.id}] ${s.title}: ${s.counts.instances} instances (${status || 'none'}; ${s.counts.parked} parked on purpose), ${s.counts.steps} steps, ${s.counts.ledgerRows} ledger rows, ${s.requests} requests (${s.statuses})`);
    const kills = s.recoveries.filter((r) => r.fault.pid !== undefined);
    if (kills.length > 0) {
      const mid = kills.filter((r) => r.inHand > 0).length;
      out.push(`    ${mid}/${kills.length} worker faults landed mid-step (${kills.reduce((n, r) => n + r.inHand, 0)} steps in hand)`);
    }
    for (const r of s.recoveries.filter((x) => x.fault.pid === undefined)) {
      const outage = r.fault.restoredAt !== undefined ? `, down ${r.fault.restoredAt - r.fault.at} ms` : '';
      out.push(`    ${r.fault.kind} (${r.fault.target}${outage}): first step ${ms(r.recoveryMs)} ms after`);
    }
    for (const n of s.notes) out.push(`    ${n}`);
    if (!s.settle.settled) out.push(`    NOT SETTLED after ${(s.settle.ms / 1000).toFixed(0)} s: ${s.settle.state}`);
    for (const v of s.violations) out.push(`    ${v.cls.toUpperCase()} ${v.kind}: ${v.count}${v.samples.length ? ` e.g. ${v.samples.join(' | ')}` : ''}`);
  }
  if (report.final.length > 0) {
    out.push('[final]');
    for (const v of report.final) out.push(`    ${v.cls.toUpperCase()} ${v.kind}: ${v.count}${v.samples.length ? ` e.g. ${v.samples.join(' | ')}` : ''}`);
  }
  if (report.unexpectedAnswers.length > 0) {
    out.push('');
    out.push(`Unexpected HTTP answers (${report.unexpectedAnswers.length}):`);
    for (const a of report.unexpectedAnswers.slice(0, 12)) out.push(`    [${a.scenario}] ${a.what}: ${a.status === 0 ? 'no answer' : a.status} ${a.body}`);
  }
  if (report.unexpectedExits.length > 0) {
    out.push('');
    out.push('Engine processes that exited on their own:');
    for (const e of report.unexpectedExits) out.push(`    ${e}`);
  }
  const errors = report.logDigest.filter((l) => l.level !== 'warn');
  const warns = report.logDigest.filter((l) => l.level === 'warn');
  if (errors.length > 0 || warns.length > 0) {
    out.push('');
    out.push('Engine log digest (count, role, message):');
    for (const l of [...errors.slice(0, 12), ...warns.slice(0, 8)]) out.push(`    ${pad(l.count, 6)} ${padEnd(l.role, 9)} ${l.level.toUpperCase()} ${l.message}`);
  }
  if (report.workDir) out.push(`\nKept: ${report.workDir} (cluster, logs/)`);
  else if (report.removedWorkDir && !passed(report)) out.push(`\nThe logs named above were in ${report.removedWorkDir}, now removed: run again with --keep to inspect them.`);
  out.push('');
  out.push(
    `CHAOS RESULT: ${passed(report) ? 'PASS' : 'FAIL'} lost=${t.lost} duplicated=${t.duplicated} http500=${t.http500} other=${t.other}`,
  );
  return out.join('\n');
}
