import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

export interface CachePaths {
  /** `<workspace>/.grasp`, or the given cache folder. Holds `templates/` and `datasets/`. */
  root: string;
  /** `<root>/datasets/<slug>`: this dataset's synthesis caches, embeddings and indexes. */
  dataset: string;
}

/**
 * Where a dataset's caches live. The workspace is the nearest folder at or above the dataset that
 * holds `.grasp`, `.git` or `.vscode`; failing that, the dataset's own folder. A cache folder
 * replaces `<workspace>/.grasp` (for read-only data, or to share caches between checkouts).
 */
export function cachePaths(datasetPath: string, cacheDir?: string): CachePaths {
  const dataset = resolve(datasetPath);
  const datasetFolder = existsSync(dataset) && statSync(dataset).isDirectory() ? dataset : dirname(dataset);
  const workspace = findWorkspace(datasetFolder) ?? datasetFolder;
  const root = cacheDir ? resolve(cacheDir) : join(workspace, '.grasp');
  const inside = relative(workspace, dataset);
  const name = inside && !inside.startsWith('..') ? inside : basename(dataset);
  return { root, dataset: join(root, 'datasets', slug(name)) };
}

function findWorkspace(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (['.grasp', '.git', '.vscode'].some((marker) => existsSync(join(dir, marker)))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function slug(path: string): string {
  const cleaned = path.split(sep).join('-').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.-]+/, '');
  return cleaned || 'dataset';
}
