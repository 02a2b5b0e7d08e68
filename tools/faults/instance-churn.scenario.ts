import type { StageName } from '@brokered-etl/contracts';
import { trackShares, type ShareTracker } from './instance-shares';
import type { FaultContext, Scenario } from './scenario.types';
import { STAGES, type WorkerInstance } from './worker-pool';
import { OUTPUT_OF } from './stage-output';

/** Instances per stage at the start, as an orchestrator would keep them (docs/SCALING.md). */
export const CHURN_INSTANCES = 3;
/** Nine apps compiling and connecting at once on two busy cores took over 120 s to join. */
const JOIN_TIMEOUT_MS = 300_000;
/** As a pod's terminationGracePeriodSeconds: the app's own SHUTDOWN_GRACE_MS decides when it gives up on its chunk. */
const LEAVE_GRACE_MS = 150_000;

const pct = (fraction: number) => `${Math.round(fraction * 100)} %`;
const at = (context: FaultContext, stage: StageName) => `${context.watch?.latest()?.[OUTPUT_OF[stage]] ?? 0}/${context.expected} ${OUTPUT_OF[stage]}`;

function pick<T>(context: FaultContext, items: T[], count: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length) out.push(pool.splice(context.rng.int(0, pool.length - 1), 1)[0]!);
  return out;
}

/**
 * One stage's churn: one instance more (4), two fewer (SIGTERM, picked at random: 2), one more (3).
 * Returns whether a join or a leave landed while the stage still had work.
 */
async function churnStage(context: FaultContext, stage: StageName): Promise<boolean> {
  const counter = OUTPUT_OF[stage];
  const points = [context.rng.between(0.05, 0.25), context.rng.between(0.35, 0.55), context.rng.between(0.6, 0.8)];
  let midWork = false;
  const landed = (baseline: number | undefined) => void ((baseline ?? 0) < context.expected && (midWork = true));

  const join = async (label: string) => {
    let joining: WorkerInstance | undefined;
    const event = await context.fault(`${label} ${stage} instance started at ${at(context, stage)}`, counter, async () => {
      joining = context.workers.start(stage);
      await context.workers.joined(joining, JOIN_TIMEOUT_MS);
    });
    event.label += ` (${joining!.id}), joined at ${at(context, stage)}`;
    landed(event.baseline);
  };

  if (!(await context.atProgress(counter, points[0]!))) {
    context.note(`${stage}: churn at ${pct(points[0]!)} ${counter} not made: the run had ended`);
    return midWork;
  }
  await join('a 4th');
  if (!(await context.atProgress(counter, points[1]!))) {
    context.note(`${stage}: leave at ${pct(points[1]!)} ${counter} not made: the run had ended`);
    return midWork;
  }
  const leaving = pick(context, context.workers.running(stage), 2);
  const leave = await context.fault(`${leaving.map((w) => w.id).join(', ')} leave (SIGTERM) at ${at(context, stage)}`, counter, () =>
    Promise.all(leaving.map((w) => context.workers.stop(w, LEAVE_GRACE_MS))).then(() => undefined),
  );
  landed(leave.baseline);
  if (!(await context.atProgress(counter, points[2]!))) {
    context.note(`${stage}: rejoin at ${pct(points[2]!)} ${counter} not made: the run had ended`);
    return midWork;
  }
  await join('a replacement');
  return midWork;
}

/**
 * Three instances of each stage, then instances added and removed mid-run in every stage at once, as
 * an autoscaler would (a join, a scale-in by SIGTERM, a join): every change is a rebalance of its
 * group. Each instance's share of its stage's work is reported.
 */
export function instanceChurn(): Scenario {
  let tracker: ShareTracker | undefined;
  return {
    name: 'instance-churn',
    does: `${CHURN_INSTANCES} instances of each stage; per stage, at random points of its progress: one more instance (5–25 %, waits until it joined), two picked at random leave by SIGTERM (35–55 %), one more (60–80 %); each instance's share of its stage's records is reported`,
    expects: 'every rebalance hands the partitions on; work in flight on a leaving member is redone by the new owner; nothing lost, nothing counted twice; every instance that lived through work took a share',
    // its own FerretDB: twelve workers' writes, and the reloads every rebalance causes, must not queue
    // behind other users of the shared SQLite file (one writer at a time), nor slow them down
    private: { mongo: true },
    async prepare(context) {
      await Promise.all(STAGES.flatMap((stage) => Array.from({ length: CHURN_INSTANCES }, () => context.workers.startJoined(stage, JOIN_TIMEOUT_MS))));
      tracker = trackShares(context.workers);
    },
    async inject(context) {
      const hit = await Promise.all(STAGES.map((stage) => churnStage(context, stage)));
      STAGES.forEach((stage, i) => !hit[i] && context.note(`${stage}: every change came after its share was done (a rebalance without work in flight)`));
      if (!hit.some(Boolean)) context.miss('no join or leave landed while its stage had work left');
      // shares are counted up to the run's end
      await context.atProgress('loaded', 1);
      const shares = (await tracker?.stop()) ?? [];
      tracker = undefined;
      context.reportShares(shares);
    },
  };
}
