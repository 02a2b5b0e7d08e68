import { LineCounter, parseDocument } from 'yaml';
import { declarationError } from './declaration-error';

/** A declaration is a page of text: anything bigger is a wrong file, not a pipeline. */
const MAX_FILE_BYTES = 256 * 1024;

export interface ParsedPipelineFile {
  /** The file as shown in messages (relative to the pipelines folder's parent when it can be). */
  file: string;
  data: unknown;
  /** The 1-based line of a path in the file, or of its nearest parent that is there. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

/**
 * Parses a YAML or JSON pipeline file (JSON is YAML 1.2, so one parser serves
 * both and both get line numbers). Duplicate keys are an error, not "last wins".
 */
export function parsePipelineFile(file: string, text: string): ParsedPipelineFile {
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) throw declarationError({ file, field: '' }, `is larger than ${MAX_FILE_BYTES / 1024} KiB; a pipeline declaration is a page of text`);
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const [error] = document.errors;
  if (error) {
    const line = error.linePos?.[0].line;
    const column = error.linePos?.[0].col;
    const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw declarationError({ file, field: '', line }, `not valid YAML/JSON: ${message}${column !== undefined ? ` (column ${column})` : ''}`);
  }
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    // not the document itself: line 1 for a missing top-level key would point at the wrong place
    for (let depth = path.length; depth >= 1; depth--) {
      const node = document.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  try {
    // no aliases: a declaration has nothing to repeat that is worth an expansion bomb
    return { file, data: document.toJS({ maxAliasCount: 0 }), lineOf };
  } catch (err) {
    throw declarationError({ file, field: '' }, `not usable: ${(err as Error).message}`, err);
  }
}
