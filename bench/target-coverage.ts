// How often the held-out targets are within reach of GRASP's retrieval, for the validation and the test
// split: the share of users whose target is among their similar users' recent training items (what r_v
// averages; u's own training items left out) and among the text neighbours of their last input item.
// The similar users are retrieved once, from training-prefix profiles (DESIGN §2), so for the test
// target they are one step stale. Reads the experiment's cached text artefacts (built if missing).
//   node --import tsx bench/target-coverage.ts <dataset folder> <comma-separated item fields> [maxLen]
import { leaveOneOut, loadDataset } from '../src/core/data';
import { silentContext } from '../src/core/util/jobContext';
import { validateConfig } from '../src/core/train/config';
import { buildTextArtifacts } from '../src/core/train/textArtifacts';
import { join } from 'node:path';

async function main(): Promise<void> {
  const [path, fields, maxLenArg] = process.argv.slice(2);
  if (!path || !fields) throw new Error('usage: target-coverage.ts <dataset folder> <fields> [maxLen]');
  const maxLen = Number(maxLenArg ?? 20);
  const config = validateConfig(
    {
      data: { path },
      model: { kind: 'sasrec', maxLen },
      variant: 'grasp',
      grasp: { texts: { provider: 'metadata', fields: fields.split(',') }, cacheDir: join(__dirname, '..', '.grasp') },
    },
    'target-coverage',
  );
  const dataset = await loadDataset(path);
  const split = leaveOneOut(dataset.sequences);
  const artifacts = await buildTextArtifacts(dataset, split, config, silentContext);
  const kUsers = artifacts.users.k;
  const kItems = artifacts.items.k;
  const itemNeighbours = (item: number): Int32Array => artifacts.items.neighbours.subarray(item * kItems, (item + 1) * kItems);
  const hits = { validUsers: 0, testUsers: 0, validItems: 0, testItems: 0 };
  let users = 0;
  for (let u = 0; u < split.train.length; u++) {
    const valid = split.valid[u];
    const test = split.test[u];
    const train = split.train[u];
    if (valid < 0 || test < 0 || train.length === 0) continue;
    users++;
    const own = new Set(train);
    const pool = new Set<number>();
    for (let j = 0; j < kUsers; j++) {
      const v = artifacts.users.neighbours[u * kUsers + j];
      if (v < 0) continue;
      const items = split.train[v];
      for (let i = Math.max(0, items.length - maxLen); i < items.length; i++) if (!own.has(items[i])) pool.add(items[i]);
    }
    if (pool.has(valid)) hits.validUsers++;
    if (pool.has(test)) hits.testUsers++;
    // the last input item: the last training item for validation, the validation item for test
    if (itemNeighbours(train[train.length - 1]).includes(valid)) hits.validItems++;
    if (itemNeighbours(valid).includes(test)) hits.testItems++;
  }
  const share = (count: number): number => Math.round((count / users) * 10_000) / 10_000;
  console.log(
    JSON.stringify({
      dataset: path,
      users,
      kUsers,
      kItems,
      maxLen,
      valid_in_similar_users_items: share(hits.validUsers),
      test_in_similar_users_items: share(hits.testUsers),
      valid_in_last_item_neighbours: share(hits.validItems),
      test_in_last_item_neighbours: share(hits.testItems),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
