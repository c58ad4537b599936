// Finding a dataset's GRASP runs without loading the engine: the neighbours view and the flag job's
// model-distrust signal read the newest one's checkpoint. Runs are matched to the dataset by identity
// (the canonical interactions file of their data.path, runReader.ts), never by folder names.
import { findGraspRunFor } from './runReader';

/**
 * The newest GRASP run folder (with a checkpoint) trained on this dataset, under any of the runs folders:
 * a dataset's caches and the runs trained on it may live under different `.grasp` folders (the demo keeps
 * its caches in `<dataset>/.grasp`, runs go to `<workspace>/.grasp/runs`).
 */
export async function findGraspRun(datasetPath: string, runsDirs: string | readonly string[]): Promise<string | undefined> {
  return findGraspRunFor(datasetPath, typeof runsDirs === 'string' ? [runsDirs] : [...new Set(runsDirs)]);
}
