/**
 * What a document may cost before anything runs, and the one place documents are parsed and
 * validated (for /graphql and /graphql/stream alike):
 *
 * 1. its size in bytes (`DOCUMENT_TOO_LARGE`), then its tokens while parsing (`TOO_MANY_TOKENS`,
 *    graphql-armor's token-counting parser), so a huge document costs little;
 * 2. the cheap limits alone: depth, aliases, cost (graphql-armor's validation rules, the cost with
 *    the work of the fields that read or write on their own added: field-costs.ts) and, within
 *    introspection, no list field nested in itself (`types { fields { type { fields ...` grows
 *    exponentially, and no static cost sees it);
 * 3. only then graphql-js's own validation, with introspection refused when it is off.
 *
 * A document that fails any step gets GraphQL errors with a code; none of it reaches a resolver.
 */

import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  validate,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import { weightedCost } from './field-costs';
import { GRAPHQL_CODES, requestError } from './graphql-errors';

/** The limits every document is held to; the defaults are `DEFAULT_OPERATION_LIMITS`. */
export interface OperationLimits {
  /** bytes of the document text (UTF-8), default 100 KiB: large definitions belong in variables */
  readonly maxDocumentBytes: number;
  /** lexical tokens of the document, default 10,000 (a 200-node definition written inline fits) */
  readonly maxTokens: number;
  /** nesting of selections, default 10 (the deepest path of the schema is 6: `bulkDecideTasks { results { task { instance { nodes { id } } } } }`) */
  readonly maxDepth: number;
  /** aliases in an operation, default 30 */
  readonly maxAliases: number;
  /**
   * graphql-armor's static cost: a scalar field 1, an object field 2 plus 1.5 times its fields'
   * cost; a list counts once whatever its `limit`. Default 1,000: ten full instance lists with their
   * nodes and history (75 each) pass, twenty do not. Fields that read or write on their own add
   * their work, per page item (field-costs.ts): a decision 5, a bulk 5 per task, an instance's
   * comments 1 per instance.
   */
  readonly maxCost: number;
}

const DEFAULT_OPERATION_LIMITS: OperationLimits = Object.freeze({
  maxDocumentBytes: 100 * 1024,
  maxTokens: 10_000,
  maxDepth: 10,
  maxAliases: 30,
  maxCost: 1_000,
});

/** graphql-armor reports through these; rejection must not throw out of `validate`. */
function reporting(code: string) {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code } }));
      },
    ],
  };
}

/**
 * armor's cost plus the fields' own work (field-costs.ts), against the same limit. armor hands its
 * cost of the operation over through its `onAccept`; when it refused the operation there is
 * nothing to add.
 */
function weightedCostRule(maxCost: number): { rule: ValidationRule; onAccept: (context: ValidationContext | null, details: { n: number }) => void } {
  const shapeCosts = new WeakMap<ValidationContext, number>();
  const rule: ValidationRule = (context) => {
    let weighted = 0;
    return {
      OperationDefinition: {
        // runs before armor's enter (the rule is listed first), which records its cost on accepting
        enter(node: OperationDefinitionNode) {
          shapeCosts.delete(context);
          weighted = weightedCost(context, node.selectionSet, context.getSchema().getRootType(node.operation));
        },
        leave(node: OperationDefinitionNode) {
          const shape = shapeCosts.get(context);
          if (shape === undefined || weighted === 0) return;
          const cost = shape + weighted;
          if (cost <= maxCost) return;
          context.reportError(
            new GraphQLError(`Query Cost limit of ${maxCost} exceeded, found ${cost} (${weighted} of it for the work of fields that read or write on their own).`, {
              nodes: [node],
              extensions: { code: GRAPHQL_CODES.tooCostly, details: { maxCost, cost, fieldWork: weighted } },
            }),
          );
        },
      },
    };
  };
  return { rule, onAccept: (context, details) => context && shapeCosts.set(context, details.n) };
}

/** The introspection list fields that fan out; one nested in itself multiplies the answer. */
const INTROSPECTION_LISTS = new Set(['types', 'fields', 'inputFields', 'interfaces', 'possibleTypes', 'enumValues', 'args', 'directives']);

/** Inside `__schema`/`__type`, no list field of `INTROSPECTION_LISTS` below one of the same name. */
const introspectionFanOutRule: ValidationRule = (context) => {
  const path: string[] = [];
  let inIntrospection = 0;
  const visitor: ASTVisitor = {
    Field: {
      enter(node: FieldNode) {
        const name = node.name.value;
        if (name === '__schema' || name === '__type') inIntrospection += 1;
        if (inIntrospection > 0 && INTROSPECTION_LISTS.has(name) && path.includes(name)) {
          context.reportError(
            new GraphQLError(`Introspection may not nest "${name}" inside "${name}"`, { nodes: [node], extensions: { code: GRAPHQL_CODES.tooDeep } }),
          );
        }
        path.push(name);
      },
      leave(node: FieldNode) {
        path.pop();
        const name = node.name.value;
        if (name === '__schema' || name === '__type') inIntrospection -= 1;
      },
    },
    // a fragment's fields are checked where it is spread: inline fragments are walked in place,
    // and named ones are walked on their own, so they are followed from their spreads here
    FragmentSpread(node) {
      if (inIntrospection === 0) return;
      const fragment = context.getFragment(node.name.value);
      if (fragment && fragmentNests(fragment.selectionSet.selections, path, context, new Set([node.name.value]))) {
        context.reportError(new GraphQLError(`Introspection may not nest a list field inside itself (fragment ${node.name.value})`, { nodes: [node], extensions: { code: GRAPHQL_CODES.tooDeep } }));
      }
    },
  };
  return visitor;
};

function fragmentNests(selections: readonly SelectionNode[], path: readonly string[], context: ValidationContext, seen: Set<string>): boolean {
  for (const sel of selections) {
    if (sel.kind === Kind.FIELD) {
      const name = sel.name.value;
      if (INTROSPECTION_LISTS.has(name) && path.includes(name)) return true;
      if (sel.selectionSet && fragmentNests(sel.selectionSet.selections, [...path, name], context, seen)) return true;
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (fragmentNests(sel.selectionSet.selections, path, context, seen)) return true;
    } else if (!seen.has(sel.name.value)) {
      seen.add(sel.name.value);
      const fragment = context.getFragment(sel.name.value);
      if (fragment && fragmentNests(fragment.selectionSet.selections, path, context, seen)) return true;
    }
  }
  return false;
}

/** A checked document, or the errors that refuse it. */
export type Checked = { readonly ok: true; readonly document: DocumentNode } | { readonly ok: false; readonly errors: readonly GraphQLError[] };

export interface DocumentChecker {
  check(query: string): Checked;
}

/** Documents kept checked, most recently used last: clients send the same few documents again and again. */
const CACHED_DOCUMENTS = 500;
/** Longer documents are checked every time (they are rare, and would crowd the cache). */
const CACHED_DOCUMENT_MAX_LENGTH = 8 * 1024;

/** Built once per schema and setting: the rules are the same for every request. */
export function documentChecker(schema: GraphQLSchema, opts: { introspection: boolean; limits?: OperationLimits }): DocumentChecker {
  const limits = opts.limits ?? DEFAULT_OPERATION_LIMITS;
  const accepted = new Map<string, DocumentNode>();
  const weighted = weightedCostRule(limits.maxCost);
  const cheapRules: ValidationRule[] = [
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, ...reporting(GRAPHQL_CODES.tooDeep) }),
    // every alias counts, `__typename` ones too (graphql-armor lets those through by default)
    maxAliasesRule({ n: limits.maxAliases, allowList: [], ...reporting(GRAPHQL_CODES.tooManyAliases) }),
    weighted.rule,
    costLimitRule({ maxCost: limits.maxCost, ignoreIntrospection: true, ...reporting(GRAPHQL_CODES.tooCostly), onAccept: [weighted.onAccept] }),
    introspectionFanOutRule,
  ];
  const schemaRules: ValidationRule[] = opts.introspection ? [...specifiedRules] : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const check = (query: string): Checked => {
    const bytes = Buffer.byteLength(query, 'utf8');
    if (bytes > limits.maxDocumentBytes) {
      return refused(
        requestError(`The document is ${bytes} bytes; at most ${limits.maxDocumentBytes} are accepted (pass large inputs as variables)`, GRAPHQL_CODES.documentTooLarge, {
          limitBytes: limits.maxDocumentBytes,
        }),
      );
    }
    let document: DocumentNode;
    try {
      document = new MaxTokensParserWLexer(query, { n: limits.maxTokens }).parseDocument();
    } catch (err) {
      if (!(err instanceof GraphQLError)) throw err;
      const tooMany = /Token limit of \d+ exceeded/.test(err.message);
      return refused(
        new GraphQLError(err.message.replace(/^Syntax Error: (Token limit)/, '$1'), {
          ...(err.source ? { source: err.source } : {}),
          ...(err.positions ? { positions: err.positions } : {}),
          extensions: { code: tooMany ? GRAPHQL_CODES.tooManyTokens : GRAPHQL_CODES.parseFailed },
        }),
      );
    }
    const limited = validate(schema, document, cheapRules);
    if (limited.length > 0) return refused(...limited);
    const invalid = validate(schema, document, schemaRules);
    if (invalid.length > 0) {
      return refused(
        ...invalid.map((e) => {
          const message = opts.introspection ? e.message : withoutSuggestions(e.message);
          return new GraphQLError(message, { ...(e.nodes ? { nodes: e.nodes } : {}), extensions: { code: GRAPHQL_CODES.validationFailed } });
        }),
      );
    }
    return { ok: true, document };
  };
  return {
    check(query) {
      const known = accepted.get(query);
      if (known) {
        accepted.delete(query);
        accepted.set(query, known);
        return { ok: true, document: known };
      }
      const checked = check(query);
      if (checked.ok && query.length <= CACHED_DOCUMENT_MAX_LENGTH) {
        accepted.set(query, checked.document);
        if (accepted.size > CACHED_DOCUMENTS) accepted.delete(accepted.keys().next().value as string);
      }
      return checked;
    },
  };
}

function refused(...errors: GraphQLError[]): Checked {
  return { ok: false, errors };
}

/** With introspection off, "Did you mean ...?" would spell out the schema piece by piece. */
function withoutSuggestions(message: string): string {
  return message.replace(/ Did you mean .*\?$/, '');
}
