import { Option, type Command } from 'commander';
import { EMBEDDER_NAMES, type EmbedderName } from '../../core/embed/store';
import { indexJob } from '../../core/jobs/indexJob';
import type { IndexMethod, IndexSpace } from '../../core/retrieval/store';
import { entityOf, entityOption } from '../datasetOptions';
import { nonNegativeInteger } from '../options';
import { terminalContext } from '../progress';

interface IndexFlags {
  entity: string;
  embedder: EmbedderName;
  method: IndexMethod | 'auto';
  space: IndexSpace;
  k: number;
  m: number;
  efConstruction: number;
  ef: number;
  cacheDir?: string;
  json?: boolean;
}

// Named indexCommand.ts rather than index.ts, which reads as a folder's barrel module.
export function registerIndex(program: Command): void {
  program
    .command('index')
    .description("Build the cosine neighbour index (HNSW, or exact for small sets) of a stored embedding, with every row's top-K neighbours.")
    .argument('<dataset>', 'dataset file or folder (its embedding must exist: grasp embed)')
    .addOption(entityOption())
    .addOption(new Option('--embedder <name>', 'which embedding').choices(EMBEDDER_NAMES).default('lsa'))
    .addOption(new Option('--method <method>', 'hnsw, exact, or auto (exact below 2000 rows)').choices(['auto', 'hnsw', 'exact']).default('auto'))
    .addOption(new Option('--space <space>', 'index the embedder output (vectors) or its PCA (reduced)').choices(['vectors', 'reduced']).default('vectors'))
    .option('--k <n>', 'neighbours stored per row', nonNegativeInteger, 20)
    .option('--m <n>', 'HNSW links per node', nonNegativeInteger, 16)
    .option('--ef-construction <n>', 'HNSW build breadth', nonNegativeInteger, 200)
    .option('--ef <n>', 'HNSW search breadth', nonNegativeInteger, 128)
    .option('--cache-dir <dir>', 'where grasp embed kept the embedding (default <workspace>/.grasp)')
    .option('--json', 'print one JSON object')
    .action(async (dataset: string, flags: IndexFlags) => {
      const ctx = terminalContext({ quiet: flags.json });
      try {
        const result = await indexJob(
          {
            dataset,
            cacheDir: flags.cacheDir,
            entity: entityOf(flags.entity),
            embedder: flags.embedder,
            method: flags.method,
            space: flags.space,
            k: Math.max(1, flags.k),
            hnsw: { m: Math.max(2, flags.m), efConstruction: Math.max(1, flags.efConstruction), efSearch: Math.max(1, flags.ef) },
          },
          ctx,
        );
        ctx.dispose();
        const { manifest } = result;
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(result)}\n`
            : `${manifest.entity}s: ${manifest.method} index of ${manifest.count} × ${manifest.dim} (${manifest.space}) in ${manifest.buildSeconds.toFixed(2)} s, recall@10 ${manifest.recall.value.toFixed(4)}, top-${manifest.neighbours.k} neighbours stored\n  → ${result.manifestPath}\n`,
        );
      } finally {
        ctx.dispose();
      }
    });
}
