import cron from 'node-cron';
import {
  compileDefinition,
  ForbiddenError,
  isAdmin,
  NotFoundError,
  ValidationError,
  type Actor,
  type CompiledDefinition,
  type DefinitionLimits,
  type DefinitionProblem,
  type ServiceHandlers,
} from '@wf/engine';
import { findDefinition, insertDefinition, listDefinitions, setDefinitionActive, type PgStore } from '@wf/db';
import { toDefinitionDto } from './dto-mappers';
import type { DefinitionDto, DefinitionFilter, DefinitionsService, ListOptions, Page } from './service.types';

export class DefinitionsServiceImpl implements DefinitionsService {
  constructor(
    private readonly store: PgStore,
    private readonly serviceTypes: () => ReadonlySet<string>,
    private readonly handlers: ServiceHandlers,
    private readonly limits?: DefinitionLimits,
  ) {}

  async create(actor: Actor, body: unknown): Promise<DefinitionDto> {
    if (!isAdmin(actor)) throw new ForbiddenError('only an admin may create workflow definitions', 'ADMIN_REQUIRED');
    const result = compileDefinition(body, { serviceTypes: this.serviceTypes(), ...(this.limits ? { limits: this.limits } : {}) });
    // the engine checks a cron expression's shape; node-cron, which will run it, has the last word
    const problems = result.ok ? this.saveTimeProblems(result.definition) : result.problems;
    if (!result.ok || problems.length > 0) {
      throw new ValidationError('INVALID_DEFINITION', `the definition has ${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems);
    }
    const row = await this.store.inTenant(actor.tenantId, (tx) => insertDefinition(tx, result.definition, actor.userId));
    return toDefinitionDto(row);
  }

  /** What the engine's compiler cannot judge: cron syntax (node-cron's), each handler's config check. */
  private saveTimeProblems(def: CompiledDefinition): DefinitionProblem[] {
    const problems: DefinitionProblem[] = def.triggers.flatMap((t, i) =>
      t.type === 'cron' && !cron.validate(t.cron) ? [{ path: `triggers[${i}].cron`, message: `"${t.cron}" is not a valid cron expression` }] : [],
    );
    def.input.nodes.forEach((node, index) => {
      const compiled = def.nodes.get(node.id);
      if (compiled?.nodeType !== 'service_task' || !compiled.serviceType) return;
      const check = this.handlers.get(compiled.serviceType)?.checkConfig;
      for (const p of check?.(compiled.serviceConfig) ?? []) {
        problems.push({ path: `nodes[${index}].serviceConfig${p.path ? `.${p.path}` : ''}`, message: p.message });
      }
    });
    return problems;
  }

  async list(actor: Actor, filter: DefinitionFilter, page: ListOptions): Promise<Page<DefinitionDto>> {
    const result = await this.store.inTenant(actor.tenantId, (tx) => listDefinitions(tx, { ...filter, ...page }));
    return { items: result.items.map(toDefinitionDto), nextCursor: result.nextCursor };
  }

  async get(actor: Actor, id: string): Promise<DefinitionDto> {
    const row = await this.store.inTenant(actor.tenantId, (tx) => findDefinition(tx, id));
    if (!row) throw new NotFoundError('Workflow definition', id);
    return toDefinitionDto(row);
  }

  async setActive(actor: Actor, id: string, active: boolean): Promise<DefinitionDto> {
    const row = await this.store.inTenant(actor.tenantId, async (tx) => {
      const found = await findDefinition(tx, id);
      if (!found) throw new NotFoundError('Workflow definition', id);
      if (!isAdmin(actor)) {
        throw new ForbiddenError(`only an admin may ${active ? 'activate' : 'deactivate'} workflow definitions`, 'ADMIN_REQUIRED');
      }
      if (found.is_active === active) return found;
      return setDefinitionActive(tx, id, active);
    });
    if (!row) throw new NotFoundError('Workflow definition', id);
    return toDefinitionDto(row);
  }
}
