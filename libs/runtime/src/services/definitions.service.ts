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
  type ServiceCatalog,
} from '@wf/engine';
import {
  existingDefinitionIds,
  existingDefinitionNames,
  findDefinition,
  insertDefinition,
  listDefinitions,
  setDefinitionActive,
  type PgStore,
  type PgTx,
} from '@wf/db';
import { toDefinitionDto } from './dto-mappers';
import type { ValidateFunction } from 'ajv';
import { compileFormSchema } from './form-schema-compiler';
import type { FormValidator } from './form-validator';
import type { DefinitionDto, DefinitionFilter, DefinitionsService, ListOptions, Page } from './service.types';

export class DefinitionsServiceImpl implements DefinitionsService {
  constructor(
    private readonly store: PgStore,
    /** the registered handlers: the service types a definition may use, each with its config schema (read at each save) */
    private readonly services: ServiceCatalog,
    /** keeps the schemas compiled at save, for the starts and completions that check against them */
    private readonly forms: FormValidator,
    private readonly limits?: DefinitionLimits,
  ) {}

  async create(actor: Actor, body: unknown): Promise<DefinitionDto> {
    if (!isAdmin(actor)) throw new ForbiddenError('only an admin may create workflow definitions', 'ADMIN_REQUIRED');
    const result = compileDefinition(body, { serviceTypes: this.services, ...(this.limits ? { limits: this.limits } : {}) });
    if (!result.ok) throw invalidDefinition(result.problems);
    const def = result.definition;
    const { problems, compiled } = this.saveTimeChecks(def);
    const row = await this.store.inTenant(actor.tenantId, async (tx) => {
      // checked in the transaction that saves: definitions are never deleted, so what is found stays
      problems.push(...(await subWorkflowProblems(tx, def)));
      if (problems.length > 0) throw invalidDefinition(problems);
      return insertDefinition(tx, def, actor.userId);
    });
    this.forms.adopt(row.id, compiled);
    return toDefinitionDto(row);
  }

  /**
   * What the engine's compiler cannot judge: cron syntax (node-cron's, which will run it), each
   * form schema and the contextSchema (each compiled on its own, strictly, as a completion or a
   * start will). Each `serviceConfig` was parsed by the compiler, with its handler's schema.
   */
  private saveTimeChecks(def: CompiledDefinition): { problems: DefinitionProblem[]; compiled: { context?: ValidateFunction; forms: Map<string, ValidateFunction> } } {
    const problems: DefinitionProblem[] = def.triggers.flatMap((t, i) =>
      t.type === 'cron' && !cron.validate(t.cron) ? [{ path: `triggers[${i}].cron`, message: `"${t.cron}" is not a valid cron expression` }] : [],
    );
    const compiled: { context?: ValidateFunction; forms: Map<string, ValidateFunction> } = { forms: new Map() };
    if (def.contextSchema) {
      const schema = compileFormSchema(def.contextSchema as Record<string, unknown>, { strict: true });
      if (schema.ok) compiled.context = schema.validate;
      else for (const p of schema.problems) problems.push({ path: `contextSchema${p.path}`, message: p.message });
    }
    def.input.nodes.forEach((node, index) => {
      const n = def.nodes.get(node.id);
      if (n?.nodeType !== 'user_task' || !n.formSchema) return;
      const form = compileFormSchema(n.formSchema, { strict: true });
      if (form.ok) {
        compiled.forms.set(node.id, form.validate);
        return;
      }
      for (const p of form.problems) problems.push({ path: `nodes[${index}].formSchema${p.path}`, message: p.message });
    });
    return { problems, compiled };
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
      if (found.isActive === active) return found;
      return setDefinitionActive(tx, id, active);
    });
    if (!row) throw new NotFoundError('Workflow definition', id);
    return toDefinitionDto(row);
  }
}

function invalidDefinition(problems: readonly DefinitionProblem[]): ValidationError {
  return new ValidationError('INVALID_DEFINITION', `the definition has ${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems);
}

/**
 * Each sub_workflow must call a definition of the saving tenant: by name, one that has a version
 * (the name being saved counts, so a workflow may call itself), or by id, one of the tenant's.
 */
async function subWorkflowProblems(tx: PgTx, def: CompiledDefinition): Promise<DefinitionProblem[]> {
  const calls = def.input.nodes.flatMap((node, index) => {
    const compiled = def.nodes.get(node.id);
    return compiled?.nodeType === 'sub_workflow' ? [{ index, name: compiled.subWorkflowName, id: compiled.subWorkflowDefinitionId?.toLowerCase() ?? null }] : [];
  });
  if (calls.length === 0) return [];
  const names = [...new Set(calls.flatMap((c) => (c.name !== null && c.name !== def.name ? [c.name] : [])))];
  const ids = [...new Set(calls.flatMap((c) => (c.id !== null ? [c.id] : [])))];
  // one after the other: a transaction's statements share one connection
  const knownNames = await existingDefinitionNames(tx, names);
  const knownIds = await existingDefinitionIds(tx, ids);
  const problems: DefinitionProblem[] = [];
  for (const c of calls) {
    if (c.id !== null) {
      if (!knownIds.has(c.id)) problems.push({ path: `nodes[${c.index}].subWorkflowDefinitionId`, message: `no workflow definition ${c.id} in this tenant` });
    } else if (c.name !== null && c.name !== def.name && !knownNames.has(c.name)) {
      problems.push({ path: `nodes[${c.index}].subWorkflowName`, message: `no workflow named "${c.name}" in this tenant` });
    }
  }
  return problems;
}
