import type { StageName } from '@brokered-etl/contracts';
import type { ProgressCounter } from './run-watch';
import { instanceChurn } from './instance-churn.scenario';
import { killBroker } from './broker-kill.scenario';
import type { FaultContext, Scenario } from './scenario.types';
import { OUTPUT_OF } from './stage-output';
import { STAGES, type WorkerInstance } from './worker-pool';

export { OUTPUT_OF };

const pct = (fraction: number) => `${Math.round(fraction * 100)} %`;

/** "12000/20000 extracted": where the run was when a fault hit. */
function position(context: FaultContext, counter: ProgressCounter): string {
  return `${context.watch?.latest()?.[counter] ?? 0}/${context.expected} ${counter}`;
}

/** Kills the stage's instances and starts one again; true when the stage still had work left at the kill. */
async function killAndRestart(context: FaultContext, stage: StageName, label: string): Promise<boolean> {
  const counter = OUTPUT_OF[stage];
  const midWork = ((await context.watch?.read()) ?? context.watch?.latest())?.[counter] ?? 0;
  await context.fault(`SIGKILL ${stage} at ${position(context, counter)}${label}`, counter, () => context.workers.kill(context.workers.running(stage)));
  await context.sleep(context.rng.between(500, 3000));
  context.workers.start(stage);
  return midWork < context.expected;
}

/** No fault: the reference for the others' durations, and a check of the checks. */
export const baseline: Scenario = {
  name: 'baseline',
  does: 'no fault: one instance per stage, the run left alone',
  expects: 'the reference: the same checks, and the duration the faulted runs compare with',
  faultless: true,
  async inject() {
    // nothing
  },
};

/** SIGKILL of one stage's worker `times` times at random points of its own progress, restarted each time. */
export function killStage(stage: StageName, times: number): Scenario {
  const counter = OUTPUT_OF[stage];
  return {
    name: times === 1 ? `kill-${stage}-once` : `kill-${stage}`,
    does: `SIGKILL the ${stage} (its whole process tree) ${times === 1 ? 'once' : `${times} times`} at ${times === 1 ? 'a random point' : 'random points'} between 10 % and 85 % of the slice ${counter}${times === 1 ? '' : ' (each after the restarted worker moved the count again)'}, restarting it 0.5–3 s after ${times === 1 ? 'the kill' : 'each kill'}`,
    expects: `the restarted ${stage} redoes what the dead one had not committed; nothing lost, nothing counted twice`,
    async inject(context) {
      let lastKill = 0;
      let midWork = 0;
      for (const [i, fraction] of context.rng.points(times, 0.1, 0.85).entries()) {
        // and past the previous kill: each kill hits a worker that took up the work again, not one still starting
        if (!(await context.atProgress(counter, Math.max(fraction, (lastKill + 1) / context.expected)))) {
          context.note(`kill ${i + 1} (at ${pct(fraction)} ${counter}) not made: the run had ended`);
          break;
        }
        lastKill = context.watch?.latest()?.[counter] ?? 0;
        if (await killAndRestart(context, stage, times > 1 ? ` (kill ${i + 1}/${times})` : '')) midWork++;
      }
      if (midWork === 0) context.miss(`no kill hit the ${stage} while it had work left`);
    },
  };
}

export const killAll: Scenario = {
  name: 'kill-all',
  does: 'SIGKILL all three workers at the same moment at a random point between 20 % and 70 % of the slice loaded; start them again 1–3 s later',
  expects: 'every stage resumes from its committed offsets; nothing lost, nothing counted twice',
  async inject(context) {
    const fraction = context.rng.between(0.2, 0.7);
    if (!(await context.atProgress('loaded', fraction))) return context.note(`kill at ${pct(fraction)} loaded not made: the run had ended`);
    await context.fault(`SIGKILL all three at ${position(context, 'loaded')}`, 'loaded', () => context.workers.kill(context.workers.running()));
    await context.sleep(context.rng.between(1000, 3000));
    for (const stage of STAGES) context.workers.start(stage);
  },
};

/** Instances of each stage join (2–3 in all) and leave again (SIGTERM) mid-run: rebalances in every group. */
export const scaleInOut: Scenario = {
  name: 'scale-in-out',
  does: 'per stage, at a random point of its progress (5–35 %) start instances up to 2–3 in all and wait until they joined; at a later one (45–85 %) stop (SIGTERM) all but one, chosen at random (the first instance may be one of them): every join and leave is a rebalance',
  expects: 'work in flight on a leaving or rebalanced member is redone by the new owner; nothing lost, nothing counted twice',
  async inject(context) {
    await Promise.all(
      STAGES.map(async (stage) => {
        const counter = OUTPUT_OF[stage];
        const total = context.rng.int(2, 3);
        const [joinAt, leaveAt] = [context.rng.between(0.05, 0.35), context.rng.between(0.45, 0.85)];
        if (!(await context.atProgress(counter, joinAt))) return context.note(`${stage}: join at ${pct(joinAt)} ${counter} not made: the run had ended`);
        const joining: WorkerInstance[] = [];
        const join = await context.fault(`${total - 1} ${stage} instance(s) started at ${position(context, counter)}`, counter, async () => {
          for (let i = 1; i < total; i++) joining.push(context.workers.start(stage));
          // the leave below must be a rebalance of members that joined, not a stop of processes still starting
          await Promise.all(joining.map((w) => context.workers.joined(w)));
        });
        join.label += `, joined at ${position(context, counter)}`;
        if ((join.baseline ?? 0) >= context.expected) context.note(`the ${stage} instances joined after the ${stage}'s share was done: a rebalance without work in flight`);
        if (!(await context.atProgress(counter, leaveAt))) return context.note(`${stage}: leave at ${pct(leaveAt)} ${counter} not made: the run had ended`);
        const leaving = shuffle(context, context.workers.running(stage)).slice(0, total - 1);
        await context.fault(`${leaving.map((w) => w.id).join(', ')} leave (SIGTERM) at ${position(context, counter)}`, counter, async () => {
          await Promise.all(leaving.map((w) => context.workers.stop(w)));
        });
      }),
    );
  },
};

/** CI's quick rebalance: a second extractor joins, then leaves, while the first one extracts. */
export const rebalanceExtractor: Scenario = {
  name: 'rebalance-extractor',
  does: 'a second extractor instance is started at a random point between 0 % and 15 % of the slice extracted; once it joined the group (it must join before the extraction ends), it leaves (SIGTERM) at a random point between 50 % and 85 %',
  expects: 'both rebalances leave the extraction whole: nothing lost, nothing counted twice',
  async inject(context) {
    const [joinAt, leaveAt] = [context.rng.between(0, 0.15), context.rng.between(0.5, 0.85)];
    if (!(await context.atProgress('extracted', joinAt))) return context.note(`join at ${pct(joinAt)} extracted not made: the run had ended`);
    let second: WorkerInstance | undefined;
    const join = await context.fault(`extractor#2 started at ${position(context, 'extracted')}`, 'extracted', async () => {
      second = context.workers.start('extractor');
      await context.workers.joined(second);
    });
    join.label += `, joined at ${position(context, 'extracted')}`;
    if ((join.baseline ?? 0) >= context.expected) return context.miss('extractor#2 joined after the extraction had ended: no rebalance mid-extraction');
    if (!(await context.atProgress('extracted', leaveAt))) return context.note(`leave at ${pct(leaveAt)} extracted not made: the run had ended`);
    await context.fault(`extractor#2 leaves (SIGTERM) at ${position(context, 'extracted')}`, 'extracted', () => context.workers.stop(second!));
  },
};

export const restartKafka: Scenario = {
  name: 'restart-kafka',
  does: "stop the scenario's private Kafka broker (SIGTERM) at a random point between 20 % and 60 % of the slice loaded, keep it down 3–6 s, start it again on the same ports and data",
  expects: 'workers ride out the outage (no exit) and resume; nothing lost, nothing counted twice',
  private: { kafka: true },
  async inject(context) {
    const fraction = context.rng.between(0.2, 0.6);
    if (!(await context.atProgress('loaded', fraction))) return context.note(`restart at ${pct(fraction)} loaded not made: the run had ended`);
    const downMs = context.rng.between(3000, 6000);
    await context.fault(
      `broker down ${(downMs / 1000).toFixed(1)} s at ${position(context, 'loaded')}`,
      'loaded',
      async () => {
        await context.kafka!.stop();
        await context.sleep(downMs);
        await context.kafka!.start();
      },
    );
  },
};

export const restartDatabase: Scenario = {
  name: 'restart-database',
  does: "stop the scenario's private FerretDB (SIGTERM) at a random point between 20 % and 60 % of the slice loaded, keep it down 3–6 s, start it again on the same port and data",
  expects: 'workers retry their staging and target writes and resume; nothing lost, nothing counted twice',
  private: { mongo: true },
  async inject(context) {
    const fraction = context.rng.between(0.2, 0.6);
    if (!(await context.atProgress('loaded', fraction))) return context.note(`restart at ${pct(fraction)} loaded not made: the run had ended`);
    const downMs = context.rng.between(3000, 6000);
    await context.fault(
      `database down ${(downMs / 1000).toFixed(1)} s at ${position(context, 'loaded')}`,
      'loaded',
      async () => {
        await context.mongo!.stop();
        await context.sleep(downMs);
        await context.mongo!.start();
      },
    );
  },
};

/**
 * The registry is down while the workers start. A worker must wait for it and
 * join once it answers; one that exits instead is reported (and started again,
 * as a supervisor would, so the run can still be checked).
 */
export const registryDownAtStart: Scenario = {
  name: 'registry-down-at-start',
  does: "start the three workers while the scenario's private registry is not running; start the registry 8–12 s later; trigger the run once all three joined their groups",
  expects: 'no worker exits while the registry is down; each joins once it is up; the run completes with nothing lost or counted twice',
  private: { registry: 'stopped' },
  async prepare(context) {
    const started = STAGES.map((stage) => context.workers.start(stage));
    const downMs = context.rng.between(8000, 12_000);
    const at = Date.now();
    await context.sleep(downMs);
    await context.registry!.start();
    const up = Date.now();
    const event = { label: `registry up ${((up - at) / 1000).toFixed(1)} s after the workers started`, counter: 'loaded' as const, at: up };
    const dead = started.filter((w) => w.exit);
    for (const worker of dead) {
      context.note(`${worker.id} exited (code ${worker.exit!.code}) ${((worker.exit!.at - worker.startedAt) / 1000).toFixed(1)} s after it started, while the registry was down; started again by the harness`);
      context.workers.start(worker.stage);
    }
    await Promise.all(context.workers.running().map((w) => context.workers.joined(w, 120_000)));
    context.record({ ...event, recoveredAt: Date.now(), recoveredBy: 'all three workers joined' });
  },
  async inject() {
    // the fault was before the trigger
  },
};

/** Every scenario of `npm run faults`, in the order it runs them. */
export const FULL_SUITE: Scenario[] = [
  baseline,
  killStage('extractor', 3),
  killStage('transformer', 3),
  killStage('loader', 3),
  killAll,
  scaleInOut,
  restartKafka,
  killBroker,
  restartDatabase,
  registryDownAtStart,
  instanceChurn(),
];

/** The quick cases CI runs (apps/e2e/src/faults.int.spec.ts); also `npm run faults -- --only quick`. */
export const QUICK_CASES: Scenario[] = [killStage('extractor', 1), killStage('transformer', 1), killStage('loader', 1), rebalanceExtractor];

export const ALL_SCENARIOS: Scenario[] = [...FULL_SUITE, ...QUICK_CASES];

function shuffle<T>(context: FaultContext, items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = context.rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
