import { HEADERS } from '@brokered-etl/contracts';
import { queueSplits } from './plan.handler';
import { recordPatchIndex } from './record-patch';
import type { StageDeps } from './stage.deps';

/**
 * A redriven whole message (not a record patch) is the one whose dead letter
 * failed its run: the run goes on in its generation. While it was failed, its
 * queued splits were skipped and their chains ended, so an extraction still
 * under way is queued again from its first window (finished splits are
 * skipped and pass the chain on). A record patch never failed its run, so it
 * never resumes one that failed for another reason.
 */
export async function resumeIfRedriven(deps: StageDeps, message: { headers: Record<string, string> }, runId: string): Promise<boolean> {
  if (!message.headers[HEADERS.redriveOf] || recordPatchIndex(message.headers) !== undefined) return false;
  if (!(await deps.staging.resumeRun(runId, (deps.now ?? (() => new Date()))()))) return false;
  const [run, plan] = await Promise.all([deps.staging.getRun(runId), deps.staging.getPlan(runId)]);
  if (run && plan && !run.sourceEndedAt) await queueSplits(deps, plan, run, message.headers[HEADERS.traceId] ?? runId);
  return true;
}
