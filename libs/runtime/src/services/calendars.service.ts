import { ForbiddenError, isAdmin, NotFoundError, recountCalendarDeadlines, validateCalendar, ValidationError, RECOUNT_BATCH, type Actor, type EnginePorts } from '@wf/engine';
import { calendarWaits, compiledCalendar, findCalendars, listCalendars, upsertCalendar, type CalendarRow, type PgStore } from '@wf/db';
import type { CalendarDto, CalendarsService } from './service.types';

/** Open waits one calendar change recounts at most (beyond it, the rest keep their deadlines: logged). */
const MAX_RECOUNT = 10 * RECOUNT_BATCH;

function dto(r: CalendarRow): CalendarDto {
  return { name: r.name, version: r.version, definition: r.definition, createdBy: r.createdBy, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() };
}

export class CalendarsServiceImpl implements CalendarsService {
  constructor(
    private readonly store: PgStore,
    private readonly ports: EnginePorts,
  ) {}

  async put(actor: Actor, body: unknown, name?: string): Promise<{ calendar: CalendarDto; created: boolean; recounted: number }> {
    if (!isAdmin(actor)) throw new ForbiddenError('business calendars are kept by admins', 'ADMIN_REQUIRED');
    const raw = name !== undefined && typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, name: (body as { name?: unknown }).name ?? name } : body;
    const checked = validateCalendar(raw);
    if (!checked.ok) throw new ValidationError('INVALID_CALENDAR', 'the calendar has problems', checked.problems);
    if (name !== undefined && checked.calendar.name !== name) {
      throw new ValidationError('INVALID_CALENDAR', `the body names "${checked.calendar.name}", the path "${name}"`, [{ path: 'name', message: 'must match the path' }]);
    }
    const { row, created } = await this.store.inTenant(actor.tenantId, (tx) => upsertCalendar(tx, checked.calendar.name, checked.calendar, actor.userId));
    let recounted = 0;
    if (!created) {
      const compiled = compiledCalendar(actor.tenantId, row);
      const waits = await this.store.inTenant(actor.tenantId, (tx) => calendarWaits(tx, row.name, MAX_RECOUNT));
      recounted = await recountCalendarDeadlines(this.ports, actor.tenantId, { name: row.name, version: row.version, compiled }, waits);
    }
    return { calendar: dto(row), created, recounted };
  }

  async list(actor: Actor): Promise<{ items: CalendarDto[] }> {
    const rows = await this.store.inTenant(actor.tenantId, (tx) => listCalendars(tx));
    return { items: rows.map(dto) };
  }

  async get(actor: Actor, name: string): Promise<CalendarDto> {
    const [row] = await this.store.inTenant(actor.tenantId, (tx) => findCalendars(tx, [name]));
    if (!row) throw new NotFoundError('Calendar', name);
    return dto(row);
  }
}
