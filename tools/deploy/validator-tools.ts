import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { crdSchemas, kubernetesSchemas, type SchemaFile } from './json-schemas';

/**
 * Versions of what validates deploy/. kubeconform and kustomize are built from the Go module proxy;
 * the schemas come from two module zips on the same proxy: Kubernetes' OpenAPI document ships in
 * k8s.io/kubernetes (api/openapi-spec/swagger.json), KEDA's CRDs in github.com/kedacore/keda/v2
 * (config/crd/bases). Nothing is fetched from anywhere else, so CI validates offline from GitHub.
 * Kubernetes 1.35 is the oldest minor release still supported upstream (Dec 2026): what passes here
 * passes on 1.35-1.37 for the stable APIs we use (apps/v1, policy/v1, v1).
 */
export const VALIDATOR_VERSIONS = {
  kubeconform: 'v0.7.0', // v0.8.0 needs Go 1.26; this one builds with Go 1.24
  kustomize: 'v5.8.1', // v5.8.2+ needs Go 1.26
  kubernetes: 'v1.35.4',
  keda: 'v2.21.0',
} as const;

const KEDA_CRDS = ['keda.sh_scaledobjects.yaml', 'keda.sh_scaledjobs.yaml', 'keda.sh_triggerauthentications.yaml', 'keda.sh_clustertriggerauthentications.yaml'];

export interface ValidatorTools {
  kubeconform: string;
  kustomize: string;
  /** Folder of `<kind>-<group>-<version>.json` files. */
  schemaDir: string;
}

export class ToolError extends Error {}

/** ETL_INFRA_CACHE, as for the local infrastructure's downloads and builds (~/.cache/brokered-etl). */
export function cacheDirFrom(env: NodeJS.ProcessEnv): string {
  return env['ETL_INFRA_CACHE'] || join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'brokered-etl');
}

function go(args: string[], what: string, extraEnv: Record<string, string> = {}): string {
  const result = spawnSync('go', args, { encoding: 'utf8', env: { ...process.env, ...extraEnv }, maxBuffer: 64 * 1024 * 1024 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new ToolError(`${what} needs Go 1.24+ on PATH (the Go module proxy is where it comes from): apt-get install golang, or https://go.dev/dl`);
  }
  if (result.status !== 0) throw new ToolError(`${what} failed (go ${args.join(' ')}):\n${result.stderr.trim()}`);
  return result.stdout;
}

/** `go install module@version` into a folder of its own; a second call finds the binary and does nothing. */
function goInstall(cacheDir: string, name: string, module: string, version: string, log: (line: string) => void): string {
  const dir = join(cacheDir, 'tools', `${name}-${version}`);
  const binary = join(dir, name);
  if (existsSync(binary)) return binary;
  log(`building ${name} ${version} from the Go module proxy (once; cached in ${dir})`);
  go(['install', `${module}@${version}`], `building ${name}`, { GOBIN: dir, GOFLAGS: '-buildvcs=false' });
  if (!existsSync(binary)) throw new ToolError(`building ${name}: go install left no ${binary}`);
  return binary;
}

/** The folder of a module version in the Go module cache, downloaded through the proxy if missing. */
function moduleDir(module: string, version: string): string {
  const info = JSON.parse(go(['mod', 'download', '-json', `${module}@${version}`], `downloading ${module}@${version}`)) as { Dir?: string; Error?: string };
  if (info.Error || !info.Dir) throw new ToolError(`downloading ${module}@${version}: ${info.Error ?? 'no folder reported'}`);
  return info.Dir;
}

function writeSchemas(dir: string, files: SchemaFile[]): void {
  for (const file of files) writeFileSync(join(dir, file.name), JSON.stringify(file.schema));
}

/** Kubernetes' and KEDA's schemas, converted once per version pair and kept in the cache. */
function ensureSchemas(cacheDir: string, log: (line: string) => void): string {
  const { kubernetes, keda } = VALIDATOR_VERSIONS;
  const dir = join(cacheDir, 'k8s-schemas', `kubernetes-${kubernetes}+keda-${keda}`);
  if (existsSync(join(dir, 'deployment-apps-v1.json')) && existsSync(join(dir, 'scaledobject-keda-v1alpha1.json'))) return dir;
  log(`converting the Kubernetes ${kubernetes} OpenAPI document and KEDA ${keda} CRDs to JSON schemas (once; cached in ${dir})`);
  const building = `${dir}.partial-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const swagger = JSON.parse(readFileSync(join(moduleDir('k8s.io/kubernetes', kubernetes), 'api/openapi-spec/swagger.json'), 'utf8')) as { definitions?: Record<string, unknown> };
  writeSchemas(building, kubernetesSchemas(swagger));
  const crdDir = join(moduleDir('github.com/kedacore/keda/v2', keda), 'config/crd/bases');
  for (const file of KEDA_CRDS) {
    const documents = parseAllDocuments(readFileSync(join(crdDir, file), 'utf8')).map((d) => d.toJS() as unknown);
    writeSchemas(building, documents.flatMap(crdSchemas));
  }
  log(`${readdirSync(building).length} schemas written`);
  rmSync(dir, { recursive: true, force: true });
  // renamed whole, so a run killed halfway never leaves a folder that looks complete
  renameSync(building, dir);
  return dir;
}

export function ensureValidatorTools(env: NodeJS.ProcessEnv, log: (line: string) => void): ValidatorTools {
  const cacheDir = cacheDirFrom(env);
  return {
    kubeconform: goInstall(cacheDir, 'kubeconform', 'github.com/yannh/kubeconform/cmd/kubeconform', VALIDATOR_VERSIONS.kubeconform, log),
    kustomize: goInstall(cacheDir, 'kustomize', 'sigs.k8s.io/kustomize/kustomize/v5', VALIDATOR_VERSIONS.kustomize, log),
    schemaDir: ensureSchemas(cacheDir, log),
  };
}
