/**
 * Compiled business calendars by tenant, name and version: a calendar row changes only through a
 * new version, so a compiled one is reused until then (compiling reads holiday tables).
 */

import { compileCalendar, type BusinessCalendar } from '@wf/engine';
import type { CalendarRow } from '../repositories/calendars.repository';

const MAX_CACHED = 500;
const cache = new Map<string, BusinessCalendar>();

export function compiledCalendar(tenantId: string, row: Pick<CalendarRow, 'name' | 'version' | 'definition'>): BusinessCalendar {
  const key = `${tenantId}\u0000${row.name}\u0000${row.version}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const calendar = compileCalendar(row.definition);
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(key, calendar);
  return calendar;
}
