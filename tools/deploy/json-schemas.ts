/**
 * Kubernetes' OpenAPI document and CRDs → the JSON schemas kubeconform reads, one standalone file per
 * kind, named as kubeconform looks them up: `<kind>-<group's first label>-<version>.json`
 * (`deployment-apps-v1.json`, `configmap-v1.json`, `scaledobject-keda-v1alpha1.json`).
 * Strict like kubeconform's own `-strict` schemas: a field the API does not know is an error.
 */

type Schema = Record<string, unknown>;

export interface SchemaFile {
  name: string;
  schema: Schema;
}

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

const REF_PREFIX = '#/definitions/';

/** kubeconform's file name for a kind (pkg/registry/registry.go schemaPath with `{{ .ResourceKind }}{{ .KindSuffix }}`). */
export function schemaFileName({ group, version, kind }: GroupVersionKind): string {
  const groupLabel = group ? `-${group.split('.')[0]!.toLowerCase()}` : '';
  return `${kind.toLowerCase()}${groupLabel}-${version.toLowerCase()}.json`;
}

/** Adds the strict and YAML-friendly rules to one schema node, recursively; drops the x-kubernetes-* noise. */
function tighten(node: unknown): unknown {
  if (Array.isArray(node)) return node.map((n) => tighten(n));
  if (!node || typeof node !== 'object') return node;
  const source = node as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith('x-kubernetes-') || key === 'description') continue;
    out[key] = key === 'properties' || key === 'definitions' || key === 'patternProperties' ? mapValues(value as Schema, (v) => tighten(v)) : tighten(value);
  }
  // both shapes of an IntOrString: 8080 and "http" (swagger says format int-or-string, a CRD says x-kubernetes-int-or-string)
  if (source['format'] === 'int-or-string' || source['x-kubernetes-int-or-string'] === true) {
    delete out['type'];
    delete out['format'];
    return { ...out, oneOf: [{ type: 'string' }, { type: 'integer' }] };
  }
  const preserveUnknown = source['x-kubernetes-preserve-unknown-fields'] === true;
  if (out['properties'] && out['additionalProperties'] === undefined && !preserveUnknown) out['additionalProperties'] = false;
  return out;
}

function mapValues(record: Schema, fn: (value: unknown) => unknown): Schema {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v)]));
}

function refsIn(node: unknown, found: Set<string>): void {
  if (Array.isArray(node)) return node.forEach((n) => refsIn(n, found));
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith(REF_PREFIX)) found.add(value.slice(REF_PREFIX.length));
    else refsIn(value, found);
  }
}

/** Every definition a root reaches through $ref, the root excluded unless it refers to itself. */
function reachable(definitions: Record<string, unknown>, root: string): string[] {
  const seen = new Set<string>();
  const queue = [root];
  while (queue.length) {
    const refs = new Set<string>();
    refsIn(definitions[queue.pop()!], refs);
    for (const ref of refs) {
      if (seen.has(ref)) continue;
      if (!(ref in definitions)) throw new Error(`the OpenAPI document refers to ${ref}, which it does not define`);
      seen.add(ref);
      queue.push(ref);
    }
  }
  return [...seen];
}

/**
 * One file per kind of a Kubernetes OpenAPI v2 document (api/openapi-spec/swagger.json of the
 * k8s.io/kubernetes module): the kind's definition with every definition it reaches, inlined under
 * `definitions`, so each file validates on its own.
 */
export function kubernetesSchemas(swagger: { definitions?: Record<string, unknown> }): SchemaFile[] {
  const definitions = swagger.definitions;
  if (!definitions) throw new Error('not a Kubernetes OpenAPI v2 document: it has no "definitions"');
  // the IntOrString and Quantity types: YAML writes "8080" and 8080, "500m" and 1
  const patched: Record<string, unknown> = {
    ...definitions,
    'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
  };
  const files: SchemaFile[] = [];
  for (const [name, definition] of Object.entries(patched)) {
    const kinds = (definition as Schema)['x-kubernetes-group-version-kind'] as GroupVersionKind[] | undefined;
    // a kind is listed under several group-versions only for shared types (DeleteOptions, WatchEvent): not manifests
    if (!kinds || kinds.length !== 1) continue;
    const used = reachable(patched, name);
    const schema = tighten(definition) as Schema;
    schema['definitions'] = Object.fromEntries(used.map((ref) => [ref, tighten(patched[ref])]));
    files.push({ name: schemaFileName(kinds[0]!), schema });
  }
  return files;
}

/** One file per served version of a CustomResourceDefinition (already parsed from its YAML). */
export function crdSchemas(crd: unknown): SchemaFile[] {
  const spec = (crd as { kind?: string; spec?: { group?: string; names?: { kind?: string }; versions?: Array<{ name: string; served?: boolean; schema?: { openAPIV3Schema?: unknown } }> } }).spec;
  if ((crd as { kind?: string }).kind !== 'CustomResourceDefinition' || !spec?.group || !spec.names?.kind || !spec.versions) {
    throw new Error('not a CustomResourceDefinition with spec.group, spec.names.kind and spec.versions');
  }
  return spec.versions
    .filter((v) => v.served !== false && v.schema?.openAPIV3Schema)
    .map((v) => ({
      name: schemaFileName({ group: spec.group!, version: v.name, kind: spec.names!.kind! }),
      schema: tighten(v.schema!.openAPIV3Schema) as Schema,
    }));
}
