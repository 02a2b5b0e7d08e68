/**
 * npm run deploy:validate [-- <kustomization folder> ...]   (default: deploy/base and every deploy/overlays/*)
 *
 * Offline validation of the Kubernetes manifests: each folder rendered with kustomize, every resource
 * checked by kubeconform (strict: unknown fields are errors) against Kubernetes' and KEDA's schemas,
 * then the render checked against the code (manifest-consistency.ts). Tools and schemas come from the
 * Go module proxy once and are cached (validator-tools.ts). Exit 0: all valid; 1: a problem; 2: usage.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { checkConsistency } from './manifest-consistency';
import { ensureValidatorTools, ToolError, VALIDATOR_VERSIONS, type ValidatorTools } from './validator-tools';

const ROOT = resolve(__dirname, '../..');

interface KubeconformResource {
  filename: string;
  kind: string;
  name: string;
  version: string;
  status: string;
  msg?: string;
}

/** Problems of one kustomization folder, after a line saying what was checked. */
function validateFolder(folder: string, tools: ValidatorTools, log: (line: string) => void): string[] {
  const label = relative(ROOT, folder) || folder;
  const built = spawnSync(tools.kustomize, ['build', folder], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (built.status !== 0) return [`${label}: kustomize build failed: ${built.stderr.trim()}`];

  const scratch = mkdtempSync(join(tmpdir(), 'etl-deploy-'));
  try {
    const rendered = join(scratch, 'rendered.yaml');
    writeFileSync(rendered, built.stdout);
    const schemaLocation = join(tools.schemaDir, '{{ .ResourceKind }}{{ .KindSuffix }}.json');
    // only the local schemas: a kind without one is an error (no -ignore-missing-schemas), never a download
    const checked = spawnSync(tools.kubeconform, ['-strict', '-summary', '-verbose', '-output', 'json', '-schema-location', schemaLocation, rendered], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    let resources: KubeconformResource[];
    try {
      resources = (JSON.parse(checked.stdout) as { resources: KubeconformResource[] }).resources ?? [];
    } catch {
      return [`${label}: kubeconform gave no report (exit ${checked.status}): ${checked.stderr.trim() || checked.stdout.trim()}`];
    }
    const problems = resources.filter((r) => r.status !== 'statusValid').map((r) => `${label}: ${r.kind}/${r.name} (${r.version}): ${r.status.replace(/^status/, '').toLowerCase()}: ${r.msg ?? ''}`);
    const docs = parseAllDocuments(built.stdout).map((d) => d.toJS() as Record<string, unknown>).filter(Boolean);
    problems.push(...checkConsistency(docs).map((p) => `${label}: ${p}`));
    const kinds = new Map<string, number>();
    for (const r of resources) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
    log(`${label}: ${resources.length} resources (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}): ${problems.length ? `${problems.length} problem(s)` : 'valid, and consistent with the code'}`);
    return problems;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function defaultFolders(): string[] {
  const overlays = join(ROOT, 'deploy/overlays');
  return [join(ROOT, 'deploy/base'), ...(existsSync(overlays) ? readdirSync(overlays).map((o) => join(overlays, o)) : [])];
}

function main(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('usage: npm run deploy:validate [-- <kustomization folder> ...]\n(default: deploy/base and every deploy/overlays/*)');
    return 0;
  }
  const folders = argv.length ? argv.map((a) => resolve(a)) : defaultFolders();
  const missing = folders.filter((f) => !existsSync(join(f, 'kustomization.yaml')));
  if (missing.length) {
    console.error(`deploy:validate: no kustomization.yaml in ${missing.join(', ')}`);
    return 2;
  }
  const log = (line: string) => console.log(line);
  const tools = ensureValidatorTools(process.env, log);
  log(`kubeconform ${VALIDATOR_VERSIONS.kubeconform}, kustomize ${VALIDATOR_VERSIONS.kustomize}; schemas of Kubernetes ${VALIDATOR_VERSIONS.kubernetes} and KEDA ${VALIDATOR_VERSIONS.keda}`);
  const problems = folders.flatMap((folder) => validateFolder(folder, tools, log));
  for (const problem of problems) console.error(`  ✗ ${problem}`);
  return problems.length ? 1 : 0;
}

try {
  process.exit(main(process.argv.slice(2)));
} catch (err) {
  console.error(`deploy:validate: ${err instanceof ToolError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
}
