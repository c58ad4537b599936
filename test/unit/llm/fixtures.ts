import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SynthesizeJobParams } from '../../../src/core/jobs/synthesize';
import type { JobContext } from '../../../src/core/util/jobContext';
import { tempFolder } from '../helpers';

/** An obviously fake key: tests check it never lands in a file, a log or an error. */
// Key-shaped (so redaction is exercised) but built at run time: no committed line looks like a real key.
export const FAKE_KEY = ['sk', 'ant', 'test-FAKE-0123456789abcdef'].join('-');

/**
 * A RecBole dataset where every user ends with two items of their own (validation `V<u>`, test
 * `T<u>`), after a few shared training items: any leak of those titles into a prompt is visible.
 */
export function leakageDataset(users = 12): string {
  const dir = tempFolder();
  const items = ['item_id:token\ttitle:token_seq\tbrand:token'];
  for (let i = 1; i <= 8; i++) items.push(`s${i}\tShared Soap ${i}\tAcme`);
  const rows = ['user_id:token\titem_id:token\ttimestamp:float'];
  for (let u = 1; u <= users; u++) {
    items.push(`v${u}\tVALIDONLY${u} Lotion\tAcme`, `t${u}\tTESTONLY${u} Serum\tAcme`);
    const sequence = [`s${1 + (u % 8)}`, `s${1 + ((u + 3) % 8)}`, `s${1 + ((u + 5) % 8)}`, `v${u}`, `t${u}`];
    sequence.forEach((item, time) => rows.push(`u${u}\t${item}\t${time}`));
  }
  writeFileSync(join(dir, 'shop.inter'), `${rows.join('\n')}\n`);
  writeFileSync(join(dir, 'shop.item'), `${items.join('\n')}\n`);
  return dir;
}

/** A job context that keeps what the job said; cancelWhen is asked at each of the job's cancellation checks. */
export function recordingContext(cancelWhen?: () => boolean): JobContext & { lines: string[]; messages: string[] } {
  const lines: string[] = [];
  const messages: string[] = [];
  return {
    lines,
    messages,
    progress: (update) => void (update.message && messages.push(update.message)),
    log: (line) => void lines.push(line),
    isCancelled: () => cancelWhen?.() ?? false,
  };
}

/**
 * Synthesis of a dataset's items into cacheDir through a mock server: 8 requests at a time, a 3 s
 * timeout and 4 attempts with a 5 ms backoff base, unless the test says otherwise.
 */
export function mockSynthesisParams(
  server: Pick<SynthesizeJobParams, 'dataset' | 'cacheDir' | 'provider' | 'baseURL'>,
  extra: Partial<SynthesizeJobParams> = {},
): SynthesizeJobParams {
  return { entity: 'item', concurrency: 8, timeoutMs: 3000, backoffBaseMs: 5, maxAttempts: 4, ...server, ...extra };
}
