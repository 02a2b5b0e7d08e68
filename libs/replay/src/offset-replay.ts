import { groupId as groupIdOf, stageInputTopics, type StageName, type TopicNames } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import { describeGroup, offsetsAtTime, readGroupOffsets, readTopicRanges, writeGroupOffsets, type Kafka } from '@brokered-etl/messaging';
import { planReset, type PlanRow, type ResetTarget } from './offset-plan';

export interface OffsetReplayRequest {
  stage: StageName;
  target: ResetTarget;
  dryRun: boolean;
}

export interface OffsetReplayResult {
  groupId: string;
  topics: string[];
  plan: PlanRow[];
  applied: boolean;
  reprocess: number;
  activeMembers: Array<{ clientId: string; clientHost: string }>;
}

/**
 * Resets a stage's consumer group so it processes its input again from a
 * position. Kafka refuses to move offsets of a group with members; we refuse
 * first, naming them, rather than coordinating with running workers: stopping
 * the stage is one command per worker, and a reset under live consumers is
 * a race we do not want to own. A dry run works while they run.
 */
export async function replayStage(deps: { kafka: Kafka; topics: TopicNames; namespace: string; pipelines: string[] }, request: OffsetReplayRequest): Promise<OffsetReplayResult> {
  const groupId = groupIdOf(request.stage, deps.namespace);
  const topics = stageInputTopics(request.stage, deps.topics, deps.pipelines);

  const group = await describeGroup(deps.kafka, groupId);
  const activeMembers = group.members.map(({ clientId, clientHost }) => ({ clientId, clientHost }));
  const [ranges, committed] = await Promise.all([readTopicRanges(deps.kafka, topics), readGroupOffsets(deps.kafka, groupId, topics)]);
  const t = request.target;
  const atTime = t.kind === 'datetime' ? await offsetsAtTime(deps.kafka, topics, t.at.getTime()) : t.kind === 'duration' ? await offsetsAtTime(deps.kafka, topics, Date.now() - t.ms) : undefined;
  const plan = planReset({ target: t, ranges, committed, atTime });
  const reprocess = plan.reduce((sum, row) => sum + Math.max(0, row.reprocess), 0);
  const result = { groupId, topics, plan, applied: false, reprocess, activeMembers };
  if (request.dryRun) return result;

  if (activeMembers.length > 0) {
    const who = activeMembers.map((m) => `${m.clientId}@${m.clientHost}`).join(', ');
    throw new EtlError('GROUP_ACTIVE', `group ${groupId} has ${activeMembers.length} active member(s): ${who}. Kafka only resets a group with no members: stop the ${request.stage} workers (SIGTERM, they commit and leave), run the replay, start them again. --dry-run shows the plan meanwhile.`, {
      details: { groupId, members: activeMembers },
    });
  }
  await writeGroupOffsets(deps.kafka, groupId, plan.map(({ topic, partition, next }) => ({ topic, partition, offset: next })));
  return { ...result, applied: true };
}
