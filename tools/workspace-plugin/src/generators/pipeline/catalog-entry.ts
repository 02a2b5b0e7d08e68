import type { Tree } from '@nx/devkit';
import * as ts from 'typescript';

/** The file that lists every pipeline the stage apps host. */
export const CATALOG_FILE = 'libs/pipelines/catalog/src/catalog.ts';

/**
 * Adds `import { <exported> } from '<importPath>'` after the catalog's last
 * import and `<exported>` at the end of its `PIPELINES` array, leaving every
 * other character of the file as it was.
 */
export function addCatalogEntry(tree: Tree, exported: string, importPath: string): void {
  const text = tree.read(CATALOG_FILE, 'utf-8');
  if (text === null) throw new Error(`${CATALOG_FILE} is missing: the generator registers the pipeline there`);
  const file = ts.createSourceFile(CATALOG_FILE, text, ts.ScriptTarget.Latest, true);

  const imports = file.statements.filter(ts.isImportDeclaration);
  if (imports.some((i) => ts.isStringLiteral(i.moduleSpecifier) && i.moduleSpecifier.text === importPath)) {
    throw new Error(`${CATALOG_FILE} already imports ${importPath}`);
  }
  const list = pipelinesArray(file);
  if (!list) throw new Error(`${CATALOG_FILE} has no \`PIPELINES = [...]\` array literal to add the pipeline to`);

  const lastImportEnd = imports.at(-1)?.getEnd() ?? 0;
  const importLine = `import { ${exported} } from '${importPath}';`;
  const edits = [
    { at: lastImportEnd, insert: lastImportEnd ? `\n${importLine}` : `${importLine}\n` },
    { at: list.elements.end, insert: entryText(list, text, exported) },
  ].sort((a, b) => b.at - a.at);
  tree.write(CATALOG_FILE, edits.reduce((out, edit) => out.slice(0, edit.at) + edit.insert + out.slice(edit.at), text));
}

function pipelinesArray(file: ts.SourceFile): ts.ArrayLiteralExpression | undefined {
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === 'PIPELINES' && declaration.initializer && ts.isArrayLiteralExpression(declaration.initializer)) {
        return declaration.initializer;
      }
    }
  }
  return undefined;
}

/** `, x` on one line; on a multi-line array, a line of its own indented like the last element. */
function entryText(list: ts.ArrayLiteralExpression, text: string, exported: string): string {
  const elements = list.elements;
  const last = elements.at(-1);
  if (!last) return exported;
  const comma = elements.hasTrailingComma ? '' : ',';
  const lineStart = text.lastIndexOf('\n', last.getStart()) + 1;
  const multiLine = text.slice(list.getStart(), last.getStart()).includes('\n');
  if (!multiLine) return `${comma} ${exported}`;
  const indent = text.slice(lineStart, last.getStart());
  return `${comma}\n${indent}${exported}${elements.hasTrailingComma ? ',' : ''}`;
}
