import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError } from '../infra.errors';
import { run } from '../process-control';

/** One line of FerretDB's source replaced at build time, with the reason. */
export interface SourceFix {
  file: string;
  from: string;
  to: string;
}

/**
 * FerretDB 1.24.2 bugs and limits this project's access paths run into, fixed
 * in the local build (MongoDB is not affected; FerretDB 1.x gets no more releases).
 */
export const FERRETDB_FIXES: Record<'sqliteIdLookup' | 'updateIteratorRelease' | 'idPushdownBesideOtherKeys', SourceFix> = {
  /**
   * The SQLite backend creates each collection's `_id` index on
   * `_ferretdb_sjson->"_id"` but looks documents up by `_ferretdb_sjson->'$._id'`:
   * the same value, a different expression, so SQLite never uses the index and
   * every find, update and delete by `_id` scans the table (measured: a
   * `replaceOne` by `_id` 95 ms at 20,000 documents, 1.1 ms with the fix).
   * Nothing on disk changes.
   */
  sqliteIdLookup: {
    file: 'internal/backends/sqlite/metadata/metadata.go',
    from: `IDColumn = DefaultColumn + "->'$._id'"`,
    to: `IDColumn = DefaultColumn + "->\\"_id\\""`,
  },
  /**
   * An `update` command keeps each statement's read cursor open until the whole
   * command ends; every matched statement holds one of the SQLite pool's 100
   * connections, so a bulk of 100 or more replaces of existing documents waits
   * for a connection forever (measured: 50 in 49 ms, 100 never returns). The
   * cursor is released once its statement is done.
   */
  updateIteratorRelease: {
    file: 'internal/handler/msg_update.go',
    from: `result, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n`,
    to: `result, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n\t\tcloser.Close() // brokered-etl: release the cursor's connection now, not when the command ends\n`,
  },
  /**
   * A query is narrowed to one row by `_id` only when `_id` is the filter's one
   * key: a conditional update such as `{_id, status: 'requested'}` scans the
   * whole collection (measured: trigger→completed of a small run grew 17–36 %
   * over 200 runs, from the run-status updates on `staging.runs`). Every caller
   * filters the rows again with the whole filter, and top-level keys are ANDed,
   * so narrowing by a plain `_id` beside other keys returns the same documents.
   */
  idPushdownBesideOtherKeys: {
    file: 'internal/backends/sqlite/collection.go',
    from: `if params.Filter.Len() == 1 {\n\t\tv, _ := params.Filter.Get("_id")\n\t\tswitch v.(type) {\n\t\tcase string, types.ObjectID:\n\t\t\twhereClause`,
    to: `if params.Filter.Len() >= 1 { // brokered-etl: any filter with a plain _id, not only {_id} alone\n\t\tv, _ := params.Filter.Get("_id")\n\t\tswitch v.(type) {\n\t\tcase string, types.ObjectID:\n\t\t\twhereClause`,
  },
};

/** The file with the fix; refused unless the text to replace is there exactly once. */
export function withFix(text: string, fix: SourceFix, version: string): string {
  if (text.split(fix.from).length !== 2) {
    throw new InfraError('PROVISION_FAILED', `FerretDB ${version}: ${fix.file} does not hold ${JSON.stringify(fix.from)} exactly once; check the fix against this version`);
  }
  return text.replace(fix.from, fix.to);
}

/** Part of the cached binary's name: a binary built without the fixes is never reused. */
export const FERRETDB_BUILD_TAG = 'fixes-3';

/**
 * The FerretDB module source with the fixes applied, under `cacheDir`, and a
 * go.mod for tools/infra/ferretdb that points at it (`go build -modfile`).
 * A different FerretDB version needs the fixes looked at again, not applied
 * blindly: the build is refused when a line is not found.
 */
export function patchedFerretdbModule(wrapperDir: string, cacheDir: string, version: string): { modfile: string } {
  const module = `github.com/FerretDB/FerretDB@v${version}`;
  const downloaded = JSON.parse(run('go', ['mod', 'download', '-json', module], { cwd: wrapperDir, what: 'FerretDB download' })) as { Dir?: string };
  if (!downloaded.Dir) throw new InfraError('PROVISION_FAILED', `FerretDB download: go mod download gave no folder for ${module}`);

  const source = join(cacheDir, `ferretdb-src-${version}-${FERRETDB_BUILD_TAG}`);
  if (!existsSync(source)) {
    const staging = `${source}.partial`;
    rmSync(staging, { recursive: true, force: true });
    run('cp', ['-R', downloaded.Dir, staging], { what: 'FerretDB source copy' });
    // the module cache is read-only, and so is a copy of it until made ours
    run('chmod', ['-R', 'u+w', staging], { what: 'FerretDB source copy' });
    for (const fix of Object.values(FERRETDB_FIXES)) {
      const file = join(staging, fix.file);
      writeFileSync(file, withFix(readFileSync(file, 'utf8'), fix, version));
    }
    renameSync(staging, source);
  }

  const modfile = join(cacheDir, `ferretdb-wrapper-${version}-${FERRETDB_BUILD_TAG}.mod`);
  writeFileSync(modfile, `${readFileSync(join(wrapperDir, 'go.mod'), 'utf8')}\nreplace github.com/FerretDB/FerretDB => ${source}\n`);
  writeFileSync(modfile.replace(/\.mod$/, '.sum'), readFileSync(join(wrapperDir, 'go.sum')));
  return { modfile };
}
