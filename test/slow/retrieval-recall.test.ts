// Retrieval on Beauty-sized data (12,101 items, 22,363 users), read in place from ../shared/data:
// metadata synthesis, LSA embeddings, HNSW with the default parameters; recall@10 against exact search.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDataset } from '../../src/core/data/load';
import { leaveOneOut } from '../../src/core/data/split';
import { embed } from '../../src/core/embed/embed';
import { silentContext } from '../../src/core/util/jobContext';
import { synthesize } from '../../src/core/llm/synthesize';
import { buildIndex } from '../../src/core/retrieval/build';
import { cachePaths } from '../../src/core/data/cachePaths';
import { tempFolder } from '../unit/helpers';

const BEAUTY = join(__dirname, '..', '..', '..', 'shared', 'data', 'beauty');

test(
  'HNSW recall@10 against exact search is at least 0.98 for Beauty items and users',
  { skip: existsSync(BEAUTY) ? false : `no Beauty data at ${BEAUTY}` },
  async () => {
    const dataset = await loadDataset(BEAUTY);
    const split = leaveOneOut(dataset.sequences);
    const paths = cachePaths(BEAUTY, tempFolder());
    assert.deepEqual([dataset.itemIds.length, dataset.userIds.length], [12101, 22363]);
    for (const entity of ['item', 'user'] as const) {
      await synthesize(dataset, split, paths, { entity, provider: 'metadata' }, silentContext);
      const embedding = await embed(dataset, split, paths.dataset, { entity }, silentContext);
      const { manifest } = await buildIndex(embedding.manifestPath, paths.dataset, { method: 'hnsw', recallQueries: 2000 }, silentContext);
      assert.equal(manifest.count, entity === 'item' ? 12101 : 22363);
      assert.ok(manifest.recall.value >= 0.98, `${entity}s: recall@10 ${manifest.recall.value}`);
    }
  },
);
