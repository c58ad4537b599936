import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The folder a dataset path belongs to: the nearest folder at or above the dataset that holds
 * `.grasp`, `.git` or `.vscode`; failing that, the dataset's own folder.
 */
export function datasetWorkspace(datasetPath: string): string {
  const dataset = resolve(datasetPath);
  const datasetFolder = existsSync(dataset) && statSync(dataset).isDirectory() ? dataset : dirname(dataset);
  return findWorkspace(datasetFolder) ?? datasetFolder;
}

/**
 * `<workspace>/.grasp`, or the given cache folder (for read-only data): it holds `templates/`,
 * `runs/` and `datasets/`. Only the root: a dataset's own cache folder is `cachePaths` in
 * core/data, which also checks that the folder belongs to that dataset.
 */
export function cacheRoot(datasetPath: string, cacheDir?: string): string {
  return cacheDir ? resolve(cacheDir) : join(datasetWorkspace(datasetPath), '.grasp');
}

function findWorkspace(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (['.grasp', '.git', '.vscode'].some((marker) => existsSync(join(dir, marker)))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
