import { checkDeputyWindow, isActive, isAdmin, NotFoundError, type Actor, type Clock } from '@wf/engine';
import {
  deleteDeputyWindow,
  findDeputyWindow,
  insertDeputyWindow,
  listDeputyWindows,
  overlappingDeputyWindows,
  type DeputyRecord,
  type PgStore,
} from '@wf/db';
import type { DeputiesService, DeputyDto, DeputyInput } from './service.types';

/** Windows a list shows. */
const LIST_LIMIT = 500;

export class DeputiesServiceImpl implements DeputiesService {
  constructor(
    private readonly store: PgStore,
    private readonly clock: Clock,
  ) {}

  private dto(r: DeputyRecord): DeputyDto {
    return {
      id: r.id,
      userId: r.userId,
      deputyUserId: r.deputyUserId,
      startsAt: r.startsAt.toISOString(),
      endsAt: r.endsAt.toISOString(),
      workflows: r.workflows ? [...r.workflows] : null,
      roles: r.roles ? [...r.roles] : null,
      createdBy: r.createdBy,
      createdAt: r.createdAt.toISOString(),
      active: isActive(r, this.clock.now()),
    };
  }

  async declare(actor: Actor, input: DeputyInput): Promise<DeputyDto> {
    const userId = input.userId ?? actor.userId;
    const request = { userId, deputyUserId: input.deputyUserId, startsAt: input.startsAt, endsAt: input.endsAt };
    return this.store.inTenant(actor.tenantId, async (tx) => {
      // the overlap check and the insert under one lock on the user: two at once cannot both pass
      const existing = await overlappingDeputyWindows(tx, userId, input.startsAt, input.endsAt);
      checkDeputyWindow(actor, request, this.clock.now(), existing);
      const row = await insertDeputyWindow(tx, {
        ...request,
        workflows: input.workflows && input.workflows.length > 0 ? input.workflows : null,
        roles: input.roles && input.roles.length > 0 ? input.roles : null,
        createdBy: actor.userId,
      });
      return this.dto(row);
    });
  }

  async list(actor: Actor): Promise<{ items: DeputyDto[] }> {
    const rows = await this.store.inTenant(actor.tenantId, (tx) => listDeputyWindows(tx, isAdmin(actor) ? null : actor.userId, LIST_LIMIT));
    return { items: rows.map((r) => this.dto(r)) };
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.store.inTenant(actor.tenantId, async (tx) => {
      const row = await findDeputyWindow(tx, id);
      const mine = row && (row.userId === actor.userId || row.createdBy === actor.userId || row.deputyUserId === actor.userId);
      if (!row || (!mine && !isAdmin(actor))) throw new NotFoundError('Deputy window', id);
      await deleteDeputyWindow(tx, id);
    });
  }
}
