/**
 * What graphql-armor's static cost does not see: its cost is the document's shape (a field 1, an
 * object 2 plus 1.5 times its fields), the same for a field the DataLoaders batch as for one that
 * reads or writes on its own. The fields here cost work beyond their shape, charged per time they
 * run: once per item of every enclosing page (`limit`, default 100; a variable counts the largest
 * page, 500, since a document is checked once for every value its variables may take) and per task
 * of an enclosing bulk. The charge is added to armor's cost and held to the same `maxCost`.
 *
 *   workflowInstances(limit: 500) { comments { text } }    500 threads read: 500 beyond the shape
 *   bulkDecideTasks(taskIds: [... 100 ids]) { succeeded }  100 decisions: 500
 *   putCalendar(input: {...}) { version }                   a replacement's recount: 100
 */

import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_BULK_TASKS, MAX_PAGE_SIZE } from '../schemas';

/** A decision, a hand-over, a comment: a transaction that locks the instance and writes history. */
const WRITE = 5;
/** One task read with its node, standing and past decisions: a handful of statements. */
const TASK_READ = 5;
/**
 * A calendar saved: replacing one counts again every open deadline and business-time timer that
 * counts in it, each in a transaction of its own (up to 5,000), so an operation may save a few.
 */
const CALENDAR_RECOUNT = 100;

/** Work of one run of a field, by `Type.field`. */
const FIELD_COSTS: Readonly<Record<string, (field: FieldNode) => number>> = {
  'Query.task': () => TASK_READ,
  // the thread of one instance: no batch read, one service call per instance
  'WorkflowInstance.comments': () => 1,
  'Mutation.approveTask': () => WRITE,
  'Mutation.rejectTask': () => WRITE,
  'Mutation.delegateTask': () => WRITE,
  'Mutation.completeTask': () => WRITE,
  'Mutation.returnTask': () => WRITE,
  'Mutation.claimTask': () => WRITE,
  'Mutation.releaseTask': () => WRITE,
  'Mutation.reassignTask': () => WRITE,
  'Mutation.commentOnInstance': () => WRITE,
  // a message locks its correlation and stores itself (its receivers resume in jobs of their own)
  'Mutation.sendMessage': () => WRITE,
  'Mutation.rotateCallback': () => WRITE,
  // the move, then the task read again as `task` reads it
  'Mutation.moveTaskDeadline': () => WRITE + TASK_READ,
  'Mutation.putCalendar': () => CALENDAR_RECOUNT,
  // each task its own decision
  'Mutation.bulkDecideTasks': (field) => WRITE * bulkSize(field),
};

/** Tasks a bulk names: a literal list's length, else the most a bulk may name. */
function bulkSize(field: FieldNode): number {
  const arg = field.arguments?.find((a) => a.name.value === 'taskIds');
  if (arg?.value.kind === Kind.LIST) return Math.min(Math.max(arg.value.values.length, 1), MAX_BULK_TASKS);
  if (arg?.value.kind === Kind.STRING) return 1;
  return MAX_BULK_TASKS;
}

/** Items a page field may answer, by its `limit` argument. */
function pageSize(field: FieldNode): number {
  const arg = field.arguments?.find((a) => a.name.value === 'limit');
  if (!arg) return DEFAULT_PAGE_SIZE;
  if (arg.value.kind === Kind.INT) return Math.min(Math.max(Number(arg.value.value), 1), MAX_PAGE_SIZE);
  return MAX_PAGE_SIZE;
}

/** How many times a field's selections run per run of the field itself. */
function fanOut(coordinate: string, def: GraphQLField<unknown, unknown>, field: FieldNode): number {
  if (def.args.some((a) => a.name === 'limit')) return pageSize(field);
  if (coordinate === 'Mutation.bulkDecideTasks') return bulkSize(field);
  return 1;
}

/**
 * The charge of one operation's selections. A selection set costs the same wherever it runs, so
 * its cost per run is multiplied by how many times it runs, and each fragment is costed once
 * however often it is spread (a fragment spreading another twice, thirty deep, is still thirty
 * walks). A fragment inside itself counts nothing here: graphql-js's own validation refuses it.
 */
export function weightedCost(context: ValidationContext, selections: SelectionSetNode, parent: GraphQLNamedType | null | undefined): number {
  const fragments = new Map<string, number>();
  const walk = (set: SelectionSetNode, type: GraphQLNamedType | null | undefined): number => {
    if (!type || !(isObjectType(type) || isInterfaceType(type))) return 0;
    let cost = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const def = type.getFields()[sel.name.value];
        if (!def) continue;
        const coordinate = `${type.name}.${sel.name.value}`;
        cost += FIELD_COSTS[coordinate]?.(sel) ?? 0;
        if (sel.selectionSet) cost += fanOut(coordinate, def, sel) * walk(sel.selectionSet, getNamedType(def.type));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        cost += walk(sel.selectionSet, sel.typeCondition ? context.getSchema().getType(sel.typeCondition.name.value) : type);
      } else {
        cost += fragmentCost(sel.name.value);
      }
    }
    return cost;
  };
  const fragmentCost = (name: string): number => {
    const known = fragments.get(name);
    if (known !== undefined) return known;
    fragments.set(name, 0);
    const fragment = context.getFragment(name);
    const cost = fragment ? walk(fragment.selectionSet, context.getSchema().getType(fragment.typeCondition.name.value)) : 0;
    fragments.set(name, cost);
    return cost;
  };
  return walk(selections, parent);
}
