/**
 * Saved views: each user's named filters of a page of the web app (issue 18), kept on the server.
 * A user reads and changes only their own: every query names the caller, and RLS keeps the
 * tenant's rows to the tenant. Writes of one user's views of one page are serialised, so the
 * per-page limit holds under concurrent saves.
 */

import { ConflictError, NotFoundError, ValidationError, type Actor } from '@wf/engine';
import {
  countSavedViews,
  deleteSavedView,
  findSavedView,
  insertSavedView,
  listSavedViews,
  lockSavedViews,
  SAVED_VIEW_PAGES,
  updateSavedView,
  type PgStore,
  type SavedViewPage,
  type SavedViewRow,
} from '@wf/db';
import { MAX_SAVED_VIEWS_PER_PAGE, type SavedViewDto, type SavedViewFilterValue, type SavedViewInput, type ViewsService } from './service.types';

function dto(r: SavedViewRow): SavedViewDto {
  return {
    id: r.id,
    page: r.page,
    name: r.name,
    filters: r.filters as Record<string, SavedViewFilterValue>,
    position: r.position,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export class ViewsServiceImpl implements ViewsService {
  constructor(private readonly store: PgStore) {}

  async list(actor: Actor, page?: SavedViewPage): Promise<{ items: SavedViewDto[] }> {
    const limit = MAX_SAVED_VIEWS_PER_PAGE * (page ? 1 : SAVED_VIEW_PAGES.length);
    const rows = await this.store.inTenant(actor.tenantId, (tx) => listSavedViews(tx, actor.userId, page ?? null, limit));
    return { items: rows.map(dto) };
  }

  async put(actor: Actor, page: SavedViewPage, name: string, input: SavedViewInput): Promise<{ view: SavedViewDto; created: boolean }> {
    return this.store.inTenant(actor.tenantId, async (tx) => {
      await lockSavedViews(tx, actor.userId, page);
      const existing = await findSavedView(tx, actor.userId, page, name);
      const target = input.name ?? name;
      if (target !== name) {
        // a rename: the view at the path takes the body's name
        if (!existing) throw new NotFoundError('Saved view', `${page}/${name}`);
        if (await findSavedView(tx, actor.userId, page, target)) {
          throw new ConflictError('VIEW_NAME_TAKEN', `you already have a view named "${target}" on ${page}: delete or rename it first`, { page, name: target });
        }
      }
      if (existing) {
        const row = await updateSavedView(tx, existing.id, {
          name: target,
          filters: input.filters ?? existing.filters,
          position: input.position ?? existing.position,
        });
        return { view: dto(row), created: false };
      }
      if (input.filters === undefined) {
        throw new ValidationError('VALIDATION_FAILED', 'Invalid request: filters: required to create a view', [{ path: 'filters', message: 'required to create a view' }]);
      }
      const count = await countSavedViews(tx, actor.userId, page);
      if (count >= MAX_SAVED_VIEWS_PER_PAGE) {
        throw new ConflictError(
          'VIEW_LIMIT_REACHED',
          `you have ${count} saved views on ${page}, the most a page keeps (${MAX_SAVED_VIEWS_PER_PAGE}): delete one first`,
          { page, limit: MAX_SAVED_VIEWS_PER_PAGE },
        );
      }
      const row = await insertSavedView(tx, { userId: actor.userId, page, name, filters: input.filters, position: input.position ?? count });
      return { view: dto(row), created: true };
    });
  }

  async remove(actor: Actor, page: SavedViewPage, name: string): Promise<void> {
    const deleted = await this.store.inTenant(actor.tenantId, async (tx) => {
      await lockSavedViews(tx, actor.userId, page);
      return deleteSavedView(tx, actor.userId, page, name);
    });
    if (!deleted) throw new NotFoundError('Saved view', `${page}/${name}`);
  }
}
