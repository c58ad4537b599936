// Finding a dataset's GRASP runs without loading the engine: the neighbours view and the flag job's
// model-distrust signal read the newest one's checkpoint.
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** The newest GRASP run folder trained on this dataset (its folder or a file in it), with a checkpoint. */
export async function findGraspRun(datasetPath: string, runsDir: string): Promise<string | undefined> {
  const names = await readdir(runsDir).catch(() => [] as string[]);
  const wanted = new Set([resolve(datasetPath), dirname(resolve(datasetPath))]);
  const found: Array<{ dir: string; time: number }> = [];
  for (const name of names) {
    const dir = join(runsDir, name);
    try {
      const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { variant?: string; data?: { path?: string } };
      if (config.variant !== 'grasp' || !config.data?.path) continue;
      const data = resolve(config.data.path);
      if (!wanted.has(data) && !wanted.has(dirname(data))) continue;
      const checkpoint = await stat(join(dir, 'checkpoint.json')).catch(() => undefined);
      if (checkpoint) found.push({ dir, time: checkpoint.mtimeMs });
    } catch {
      // not a run folder, or one still being written
    }
  }
  return found.sort((a, b) => b.time - a.time)[0]?.dir;
}

