import { HEADERS } from '@brokered-etl/contracts';
import { EtlError } from '@brokered-etl/errors';
import type { MessageProducer } from '@brokered-etl/messaging';
import type { DeadLetterRecord, StagingStore } from '@brokered-etl/staging';
import { refreshHeaders, type ReplayOptions } from './rerun';

export type RedriveSelection = { runId: string } | { ids: string[] };

export interface RedriveResult {
  redriven: Array<{ id: string; topic: string; runId: string | null }>;
}

/**
 * Republishes dead letters' original bytes (key, value, headers) to their
 * original topic, marked `etl-redrive-of: <id>`. A rejected record goes back
 * as the one-record chunk its letter carries, so only that record is
 * reprocessed; if it fails again it is dead-lettered again under the same id.
 */
export async function redriveDeadLetters(deps: { staging: StagingStore; producer: MessageProducer; now?: () => Date }, selection: RedriveSelection, options: ReplayOptions = {}): Promise<RedriveResult> {
  const at = (deps.now ?? (() => new Date()))();
  let letters: DeadLetterRecord[];
  if ('runId' in selection) {
    letters = await deps.staging.listDeadLetters({ runId: selection.runId, open: true, limit: 100_000 });
  } else {
    letters = [];
    for (const id of selection.ids) {
      const letter = await deps.staging.getDeadLetter(id);
      if (!letter) throw new EtlError('NOT_FOUND', `no dead letter "${id}" (see etl dlq list)`);
      letters.push(letter);
    }
  }
  const redriven: RedriveResult['redriven'] = [];
  for (const letter of letters) {
    const headers: Record<string, Buffer> = {};
    for (const h of letter.headers) if (h.value !== null && h.key !== HEADERS.redriveOf) headers[h.key] = h.value;
    headers[HEADERS.redriveOf] = Buffer.from(letter.id);
    for (const [key, value] of Object.entries(refreshHeaders(options, at))) headers[key] = Buffer.from(value);
    // marked before sent: a stage that fails the record again re-opens the letter, and must not be overwritten by this mark
    await deps.staging.markRedriven(letter.id, at);
    await deps.producer.sendRaw(letter.topic, [{ key: letter.key, value: letter.value, headers }]);
    redriven.push({ id: letter.id, topic: letter.topic, runId: letter.runId });
  }
  return { redriven };
}
