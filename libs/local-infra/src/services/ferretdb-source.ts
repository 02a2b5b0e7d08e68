import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError } from '../infra.errors';
import { run } from '../process-control';

/**
 * FerretDB 1.24.2's SQLite backend creates each collection's `_id` index on
 * `_ferretdb_sjson->"_id"` but looks documents up by `_ferretdb_sjson->'$._id'`:
 * the same value, a different expression, so SQLite never uses the index and
 * every find, update and delete by `_id` scans the whole table (measured: a
 * `replaceOne` by `_id` ~100 ms at 20,000 documents, ~2 ms at 200). The one
 * line below makes the lookup expression the index's; nothing on disk changes.
 * MongoDB and FerretDB's PostgreSQL backend are not affected.
 */
export const SQLITE_ID_LOOKUP_FIX = {
  file: 'internal/backends/sqlite/metadata/metadata.go',
  from: `IDColumn = DefaultColumn + "->'$._id'"`,
  to: `IDColumn = DefaultColumn + "->\\"_id\\""`,
};

/** metadata.go with the fix; refused unless the line to fix is there exactly once. */
export function withSqliteIdLookupFix(metadataGo: string, version: string): string {
  if (metadataGo.split(SQLITE_ID_LOOKUP_FIX.from).length !== 2) {
    throw new InfraError('PROVISION_FAILED', `FerretDB ${version}: ${SQLITE_ID_LOOKUP_FIX.file} does not hold ${SQLITE_ID_LOOKUP_FIX.from} exactly once; check the _id lookup fix against this version`);
  }
  return metadataGo.replace(SQLITE_ID_LOOKUP_FIX.from, SQLITE_ID_LOOKUP_FIX.to);
}

/** Part of the cached binary's name: a binary built without the fix is never reused. */
export const FERRETDB_BUILD_TAG = 'sqlite-id-index';

/**
 * The FerretDB module source with the fix applied, under `cacheDir`, and a
 * go.mod for tools/infra/ferretdb that points at it (`go build -modfile`).
 * Refuses to build when the line is not there exactly once: a different
 * FerretDB version needs the fix looked at again, not applied blindly.
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
    const file = join(staging, SQLITE_ID_LOOKUP_FIX.file);
    writeFileSync(file, withSqliteIdLookupFix(readFileSync(file, 'utf8'), version));
    renameSync(staging, source);
  }

  const modfile = join(cacheDir, `ferretdb-wrapper-${version}-${FERRETDB_BUILD_TAG}.mod`);
  writeFileSync(modfile, `${readFileSync(join(wrapperDir, 'go.mod'), 'utf8')}\nreplace github.com/FerretDB/FerretDB => ${source}\n`);
  writeFileSync(modfile.replace(/\.mod$/, '.sum'), readFileSync(join(wrapperDir, 'go.sum')));
  return { modfile };
}
