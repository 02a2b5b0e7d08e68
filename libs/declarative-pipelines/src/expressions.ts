import jsonata from 'jsonata';
import { declarationError, type DeclarationSite } from './declaration-error';

/** One JSONata expression of a declaration, compiled once at load. */
export interface CompiledExpression {
  source: string;
  evaluate(input: unknown, bindings: Record<string, unknown>): Promise<unknown>;
}

export interface CompileOptions {
  /** Field names the input record has: a path that starts with any other name is refused (JSONata would give nothing, silently). */
  fields?: readonly string[];
  /** What the input record is, for that message ("the extracted record"). */
  inputName?: string;
  /** Say how to write plain text (for `reason`, where a bare sentence is the usual mistake). */
  textHint?: boolean;
}

/**
 * JSONata's own guardrails, per evaluation of one expression on one record.
 * An expression that loops (JSONata optimises tail calls, so a recursive one
 * never overflows) or builds a huge sequence fails for that record, as a
 * rejection with a reason, instead of holding the transformer and with it
 * every other pipeline. A record takes well under a millisecond; a second is
 * far beyond any honest expression.
 */
export const EXPRESSION_LIMITS = { timeout: 1000, stack: 1000, sequence: 100_000 } as const;

interface JsonataError {
  message: string;
  position?: number;
}

/** Compiles `source` or throws CONFIG_INVALID at `site` with JSONata's message and the character it stopped at. */
export function compileExpression(source: string, site: DeclarationSite, options: CompileOptions = {}): CompiledExpression {
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(source, { ...EXPRESSION_LIMITS });
  } catch (err) {
    const { message, position } = err as JsonataError;
    const hint = options.textHint ? ` (plain text is quoted inside the expression: "'Title is missing'")` : '';
    throw declarationError(site, `not a JSONata expression: ${message}${position !== undefined ? ` at character ${position}` : ''}${hint}`);
  }
  if (options.fields) {
    const known = new Set(options.fields);
    const unknown = rootNames(compiled.ast() as unknown as Node).find((name) => !known.has(name));
    if (unknown !== undefined) {
      throw declarationError(site, `"${unknown}" is not a field of ${options.inputName ?? 'the input record'} (it has: ${options.fields.join(', ')})`);
    }
  }
  return { source, evaluate: (input, bindings) => compiled.evaluate(input, bindings) };
}

/** jsonata's ExprNode, as the parser really builds it (its typings leave out 'path' and the condition's parts). */
interface Node {
  type: string;
  value?: unknown;
  steps?: Node[];
  arguments?: Node[];
  expressions?: Node[];
  expression?: Node;
  lhs?: Node | Node[][];
  rhs?: Node;
  condition?: Node;
  then?: Node;
  else?: Node;
}

/**
 * Names a path starts from at the top of the expression (`title`, `gross.us`).
 * Only places evaluated against the input itself are walked: operators,
 * conditions, function arguments, array and object constructors, blocks. A
 * name inside a lambda, a filter or a later path step is relative to
 * something else and is left alone.
 */
function rootNames(node: Node | undefined): string[] {
  if (!node || typeof node !== 'object') return [];
  switch (node.type) {
    case 'path': {
      const [first] = node.steps ?? [];
      return first?.type === 'name' && typeof first.value === 'string' ? [first.value] : [];
    }
    case 'name':
      return typeof node.value === 'string' ? [node.value] : [];
    case 'binary':
      return [...rootNames(node.lhs as Node), ...rootNames(node.rhs)];
    case 'condition':
      return [...rootNames(node.condition), ...rootNames(node.then), ...rootNames(node.else)];
    case 'function':
      return (node.arguments ?? []).flatMap((arg) => rootNames(arg));
    case 'block':
      return (node.expressions ?? []).flatMap((each) => rootNames(each));
    case 'unary':
      if (node.value === '[') return (node.expressions ?? []).flatMap((each) => rootNames(each));
      if (node.value === '{') return ((node.lhs as Node[][] | undefined) ?? []).flatMap(([key, value]) => [...rootNames(key), ...rootNames(value)]);
      return rootNames(node.expression);
    default:
      return [];
  }
}
