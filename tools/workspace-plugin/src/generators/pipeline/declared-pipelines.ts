import type { Tree } from '@nx/devkit';
import { parse } from 'yaml';

/** Where the workers read declarative pipeline files when ETL_PIPELINES_DIR is not set. */
export const DECLARATIVE_DIR = 'pipelines';

export interface DeclaredPipeline {
  file: string;
  name?: string;
  collection?: string;
}

/**
 * The names and target collections the declarative pipeline files claim: a
 * code pipeline taking one of them would push the file out of every worker
 * at start-up (it is refused there, with a warning), so the generator refuses first.
 */
export function declaredPipelines(tree: Tree): DeclaredPipeline[] {
  if (!tree.exists(DECLARATIVE_DIR)) return [];
  return tree
    .children(DECLARATIVE_DIR)
    .filter((file) => /\.(ya?ml|json)$/.test(file))
    .map((file) => {
      const path = `${DECLARATIVE_DIR}/${file}`;
      let declared: { name?: unknown; target?: { collection?: unknown } } | undefined;
      try {
        // YAML is a superset of JSON: one parser reads both
        declared = parse(tree.read(path, 'utf-8') ?? '');
      } catch {
        // a file the workers cannot read claims nothing; they report it themselves
      }
      const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
      return { file: path, name: text(declared?.name), collection: text(declared?.target?.collection) };
    });
}
