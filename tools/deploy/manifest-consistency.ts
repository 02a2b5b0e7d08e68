import { DEFAULT_PARTITIONS, groupId, stageInputTopics, STAGE_NAMES, topicNames, type StageName } from '@brokered-etl/contracts';
import { parseEnv } from '@brokered-etl/config';
import { PIPELINES } from '@brokered-etl/pipelines/catalog';
import { loadSchedules } from '@brokered-etl/scheduling';
import { stageWorkerEnvSchema, type StageWorkerEnv } from '@brokered-etl/worker';

/**
 * What the schemas cannot see: the rendered manifests against the code. A ScaledObject must watch the
 * consumer group and topics the workers really use (libs/contracts, with the ConfigMap's
 * ETL_NAMESPACE), stop at the topics' partitions, and read lag the way the workers start
 * (from the beginning); the ops port the probes call must be the one the app listens on, beyond
 * loopback; the stage settings must parse with the workers' own schema, and each stage pod's termination
 * grace must outlast the worker's SHUTDOWN_GRACE_MS; the schedules must load.
 */

type Doc = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; data?: Record<string, string>; spec?: Record<string, unknown> };
interface Container {
  name: string;
  env?: Array<{ name: string; value?: string }>;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  readinessProbe?: { httpGet?: { port?: string | number } };
  livenessProbe?: { httpGet?: { port?: string | number } };
}
interface KafkaTrigger {
  type: string;
  metadata?: Record<string, string>;
}

const id = (doc: Doc) => `${doc.kind}/${doc.metadata?.name}`;
const LOOPBACK = /^(127\.|localhost$|::1$)/;

/** The environment a container gets from its ConfigMaps (envFrom, in order) and its own env values. */
function environmentOf(container: Container, configMaps: Map<string, Doc>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    if (name) Object.assign(env, configMaps.get(name)?.data ?? {});
  }
  for (const { name, value } of container.env ?? []) if (value !== undefined) env[name] = value;
  return env;
}

function containerOf(deployment: Doc): Container | undefined {
  return ((deployment.spec?.['template'] as { spec?: { containers?: Container[] } } | undefined)?.spec?.containers ?? [])[0];
}

function stageOf(deployment: Doc): StageName | undefined {
  const component = (deployment.spec?.['template'] as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels?.['app.kubernetes.io/component'];
  return (STAGE_NAMES as readonly string[]).includes(component ?? '') ? (component as StageName) : undefined;
}

function checkOpsPort(deployment: Doc, container: Container, env: Record<string, string>, problems: string[]): void {
  const ops = container.ports?.find((p) => p.name === 'ops');
  if (!ops) return void problems.push(`${id(deployment)}: no container port named "ops" for the probes`);
  if (env['OPS_PORT'] !== String(ops.containerPort)) problems.push(`${id(deployment)}: OPS_PORT is ${env['OPS_PORT'] ?? 'unset'} but the "ops" port is ${ops.containerPort}`);
  if (LOOPBACK.test(env['OPS_HOST'] ?? '127.0.0.1')) problems.push(`${id(deployment)}: OPS_HOST is ${env['OPS_HOST'] ?? 'unset (127.0.0.1)'}: the kubelet's probes cannot reach a loopback ops server; set 0.0.0.0`);
  for (const probe of ['readinessProbe', 'livenessProbe'] as const) {
    const port = container[probe]?.httpGet?.port;
    if (port !== undefined && port !== 'ops' && port !== ops.containerPort) problems.push(`${id(deployment)}: ${probe} calls port ${port}, not the ops port`);
  }
}

/**
 * The topics a stage's ScaledObject must watch: where its work waits. The extractor's is its splits
 * (triggers are planned in a second); the transformer's and loader's are every pipeline's data topic,
 * which a trigger naming no topic covers (KEDA then reads every topic the group has committed on).
 */
function topicsToWatch(stage: StageName, namespace: string): string[] {
  const topics = topicNames(namespace);
  return stage === 'extractor' ? [topics.splits] : stageInputTopics(stage, topics, PIPELINES.map((p) => p.name));
}

function checkScaledObject(scaled: Doc, deployments: Map<string, Doc>, configMaps: Map<string, Doc>, problems: string[]): void {
  const where = id(scaled);
  const targetName = (scaled.spec?.['scaleTargetRef'] as { name?: string } | undefined)?.name ?? '';
  const deployment = deployments.get(targetName);
  const container = deployment && containerOf(deployment);
  const stage = deployment && stageOf(deployment);
  if (!deployment || !container || !stage) return void problems.push(`${where}: scaleTargetRef ${targetName} is not a stage Deployment of this build`);
  const env = environmentOf(container, configMaps);
  const namespace = env['ETL_NAMESPACE'] ?? '';
  const partitions = Number(env['KAFKA_TOPIC_PARTITIONS_DATA'] ?? DEFAULT_PARTITIONS.data);
  const group = groupId(stage, namespace);
  const allowed = new Set(stageInputTopics(stage, topicNames(namespace), PIPELINES.map((p) => p.name)));
  const triggers = (scaled.spec?.['triggers'] as KafkaTrigger[] | undefined) ?? [];
  const watched = new Set<string>();
  triggers.forEach((trigger, i) => {
    const at = `${where}: trigger ${i + 1}`;
    if (trigger.type !== 'kafka') return void problems.push(`${at}: type ${trigger.type}, expected kafka (lag of the stage's consumer group)`);
    const m = trigger.metadata ?? {};
    if (m['consumerGroup'] !== group) problems.push(`${at}: consumerGroup ${m['consumerGroup']} is not the ${stage}'s group ${group} (ETL_NAMESPACE="${namespace}")`);
    if (m['topic'] === undefined && stage !== 'extractor') allowed.forEach((topic) => watched.add(topic));
    else if (!m['topic'] || !allowed.has(m['topic'])) problems.push(`${at}: topic ${m['topic']} is not one the ${stage} consumes (${[...allowed].join(', ')})`);
    else watched.add(m['topic']);
    if (m['bootstrapServersFromEnv'] && env[m['bootstrapServersFromEnv']] === undefined) problems.push(`${at}: bootstrapServersFromEnv ${m['bootstrapServersFromEnv']} is not in the ${targetName} environment`);
    if (!m['bootstrapServersFromEnv'] && m['bootstrapServers'] !== env['KAFKA_BROKERS']) problems.push(`${at}: bootstrapServers ${m['bootstrapServers']} differ from the workers' KAFKA_BROKERS ${env['KAFKA_BROKERS']}`);
    // the workers subscribe from the beginning: KEDA's default (latest) would count a partition with no commit as no lag
    if (m['offsetResetPolicy'] !== 'earliest') problems.push(`${at}: offsetResetPolicy ${m['offsetResetPolicy'] ?? 'latest (default)'}, but the workers read a partition with no committed offset from the beginning: set earliest`);
  });
  for (const topic of topicsToWatch(stage, namespace)) if (!watched.has(topic)) problems.push(`${where}: no trigger on ${topic}: the ${stage} would not scale for work waiting there`);
  const max = scaled.spec?.['maxReplicaCount'];
  if (max !== partitions) problems.push(`${where}: maxReplicaCount ${max} should equal the data topics' partitions (KAFKA_TOPIC_PARTITIONS_DATA=${partitions}): more instances would get no partition`);
}

/** The settings as the worker parses them (defaults filled in), or undefined after saying why it would refuse them. */
function checkStageEnv(deployment: Doc, env: Record<string, string>, problems: string[]): StageWorkerEnv | undefined {
  // files (*_FILE) are read at start-up from mounts this check does not have; secrets are not in the render
  const settings = Object.fromEntries(Object.entries(env).filter(([k]) => !k.endsWith('_FILE')));
  try {
    return parseEnv(stageWorkerEnvSchema, settings);
  } catch (err) {
    problems.push(`${id(deployment)}: the worker would refuse its settings: ${(err as Error).message.replace(/\n\s*/g, ' ')}`);
    return undefined;
  }
}

/** Kubernetes' default when a pod names none. */
const DEFAULT_TERMINATION_GRACE_S = 30;

/**
 * SHUTDOWN_GRACE_MS bounds a worker's whole stop (the message in hand, the commit, leaving the group). A pod
 * grace at or below it lets the kubelet SIGKILL a worker still inside that bound: it leaves no group (its
 * partitions wait a session timeout) and a loader's chunk may stay half written, to be redone (docs/SCALING.md).
 */
function checkTerminationGrace(deployment: Doc, env: StageWorkerEnv, problems: string[]): void {
  const podSpec = (deployment.spec?.['template'] as { spec?: { terminationGracePeriodSeconds?: number } } | undefined)?.spec;
  const graceS = podSpec?.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_S;
  if (graceS * 1000 <= env.SHUTDOWN_GRACE_MS) {
    problems.push(`${id(deployment)}: terminationGracePeriodSeconds ${graceS} is not above SHUTDOWN_GRACE_MS=${env.SHUTDOWN_GRACE_MS}: the kubelet would SIGKILL a worker still finishing its message and leaving its group`);
  }
}

/** Problems of one rendered build; empty when it agrees with the code. */
export function checkConsistency(docs: Doc[]): string[] {
  const problems: string[] = [];
  const byKind = (kind: string) => new Map(docs.filter((d) => d.kind === kind).map((d) => [d.metadata?.name ?? '', d]));
  const configMaps = byKind('ConfigMap');
  const deployments = byKind('Deployment');
  const scaled = docs.filter((d) => d.kind === 'ScaledObject');
  for (const deployment of deployments.values()) {
    const container = containerOf(deployment);
    if (!container) continue;
    const env = environmentOf(container, configMaps);
    checkOpsPort(deployment, container, env, problems);
    const stage = stageOf(deployment);
    if (!stage) continue;
    const settings = checkStageEnv(deployment, env, problems);
    if (settings) checkTerminationGrace(deployment, settings, problems);
    const targets = scaled.filter((s) => (s.spec?.['scaleTargetRef'] as { name?: string } | undefined)?.name === deployment.metadata?.name);
    if (targets.length !== 1) problems.push(`${id(deployment)}: ${targets.length} ScaledObjects target it, expected one`);
  }
  for (const s of scaled) checkScaledObject(s, deployments, configMaps, problems);
  for (const configMap of configMaps.values()) {
    const schedules = configMap.data?.['schedules.json'];
    if (schedules === undefined) continue;
    try {
      loadSchedules(schedules, PIPELINES);
    } catch (err) {
      problems.push(`${id(configMap)}: the scheduler would refuse schedules.json: ${(err as Error).message}`);
    }
  }
  return problems;
}
