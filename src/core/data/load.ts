import { basename, dirname } from 'node:path';
import { CancelledError } from '../util/jobContext';
import { detectFormat, findDatasetFiles } from './detect';
import { DataError } from './errors';
import { applyDuplicatePolicy, applyKCore, compact, countRepeats } from './filter';
import { readInteractions } from './interactions';
import { loadItemMetadata } from './metadata';
import type { Dataset, LoadOptions } from './types';

/**
 * Loads a dataset file or folder: detects the format (unless given), streams the interactions,
 * orders each user's items by time, applies the duplicate policy and k-core, and aligns item
 * metadata. Reads only; never writes anything.
 */
export async function loadDataset(path: string, options: LoadOptions = {}): Promise<Dataset> {
  const files = await findDatasetFiles(path);
  const format = !options.format || options.format === 'auto' ? await detectFormat(files.interactions) : options.format;
  const collector = await readInteractions(files.interactions, format, options);
  const collected = collector.build();
  const duplicatesFound = countRepeats(collected.sequences, collected.itemIds.length);
  const duplicatesRemoved = applyDuplicatePolicy(collected, options.duplicates ?? 'keep');
  const coreRemoved = applyKCore(collected, options.userCore ?? 0, options.itemCore ?? 0);
  const data = compact(collected);
  if (data.userIds.length === 0) {
    throw new DataError(
      files.interactions,
      undefined,
      'interactions left after filtering',
      `none (k-core ${options.userCore ?? 0}/${options.itemCore ?? 0} removed all)`,
    );
  }
  if (options.isCancelled?.()) throw new CancelledError();
  const metadataPaths = options.metadataPaths ?? files.metadata;
  const metadata = metadataPaths.length > 0 ? await loadItemMetadata(metadataPaths, data.itemIds) : undefined;
  return {
    name: datasetName(path, files.interactions),
    source: files.interactions,
    format,
    ...data,
    metadata,
    duplicatesFound,
    duplicatesRemoved,
    coreRemoved,
  };
}

function datasetName(path: string, interactions: string): string {
  return path === interactions ? basename(interactions).replace(/(\.inter)?\.[a-z]+$/i, '') : basename(path) || basename(dirname(interactions));
}
