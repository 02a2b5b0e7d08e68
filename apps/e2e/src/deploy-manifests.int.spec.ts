import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@brokered-etl/testing';

/**
 * deploy/ (kustomize base and overlays) validated offline as CI does it: `npm run deploy:validate`
 * renders each folder, checks every resource against Kubernetes' and KEDA's schemas with kubeconform,
 * and checks the render against the code (consumer groups, partitions, ops ports, settings).
 * A manifest broken in each of those ways is refused, naming the resource and what is wrong.
 */
const TSX = join(REPO_ROOT, 'node_modules/.bin/tsx');
const VALIDATE = join(REPO_ROOT, 'tools/deploy/validate.ts');

function validate(...folders: string[]): { code: number | null; output: string } {
  const run = spawnSync(TSX, [VALIDATE, ...folders], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 600_000 });
  return { code: run.status, output: `${run.stdout}\n${run.stderr}` };
}

describe('deploy/ manifests (kustomize + kubeconform, offline)', () => {
  let scratch: string;
  beforeAll(() => (scratch = mkdtempSync(join(tmpdir(), 'etl-deploy-spec-'))));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  // the first call builds kubeconform and kustomize and converts the schemas when the cache is cold (~1.5 min here)
  it('the base and every overlay are valid and agree with the code', () => {
    const { code, output } = validate();
    expect(output).toMatch(/deploy\/base: 16 resources .*: valid, and consistent with the code/);
    expect(output).toMatch(/deploy\/overlays\/production: \d+ resources .*TriggerAuthentication.*: valid, and consistent with the code/);
    expect(code).toBe(0);
  }, 600_000);

  /** A copy of deploy/ with one file edited; the edit must change something, or the case would test nothing. */
  function broken(name: string, file: string, edit: (text: string) => string): string {
    const copy = join(scratch, name);
    cpSync(join(REPO_ROOT, 'deploy'), copy, { recursive: true });
    const path = join(copy, file);
    const before = readFileSync(path, 'utf8');
    const after = edit(before);
    expect(after).not.toBe(before);
    writeFileSync(path, after);
    return join(copy, file.split('/').slice(0, -1).join('/'));
  }

  it.each([
    ['a misspelled Deployment field (Kubernetes schema, strict)', 'base/loader.yaml', (t: string) => t.replace('readinessProbe:', 'readinesProbe:'), /Deployment\/etl-loader .*readinesProbe/],
    ['a number where KEDA wants a string (KEDA CRD schema)', 'base/transformer.yaml', (t: string) => t.replace('lagThreshold: "10"', 'lagThreshold: 10'), /ScaledObject\/etl-transformer .*lagThreshold/],
    ['a consumer group the workers do not use', 'base/loader.yaml', (t: string) => t.replace('consumerGroup: etl.loader', 'consumerGroup: etl.loaders'), /ScaledObject\/etl-loader: trigger 1: consumerGroup etl.loaders is not the loader's group etl.loader/],
    ['more replicas than partitions', 'base/extractor.yaml', (t: string) => t.replace('maxReplicaCount: 6', 'maxReplicaCount: 10'), /ScaledObject\/etl-extractor: maxReplicaCount 10 should equal the data topics' partitions \(KAFKA_TOPIC_PARTITIONS_DATA=6\)/],
    ['an ops server the probes cannot reach', 'base/config.env', (t: string) => t.replace('OPS_HOST=0.0.0.0', 'OPS_HOST=127.0.0.1'), /Deployment\/etl-extractor: OPS_HOST is 127.0.0.1: the kubelet's probes cannot reach/],
    ['a setting the workers refuse', 'base/config.env', (t: string) => t.replace('LOG_LEVEL=info', 'LOG_LEVEL=verbose'), /Deployment\/etl-transformer: the worker would refuse its settings: .*LOG_LEVEL/],
    ['a pod grace below SHUTDOWN_GRACE_MS', 'base/loader.yaml', (t: string) => t.replace('terminationGracePeriodSeconds: 150', 'terminationGracePeriodSeconds: 40'), /Deployment\/etl-loader: terminationGracePeriodSeconds 40 is not above SHUTDOWN_GRACE_MS=120000/],
  ])('refuses %s', (name, file, edit, expected) => {
    const folder = broken(name.replace(/\W+/g, '-'), file, edit);
    const { code, output } = validate(folder);
    expect(output).toMatch(expected);
    expect(code).toBe(1);
  }, 120_000);
});
