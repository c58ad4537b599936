export * from './types';
export { DataError } from './errors';
export { loadDataset } from './load';
export { computeStats, median, percentile, gini, histogram, HEAD_SHARE } from './stats';
export { leaveOneOut, MIN_EVALUATED_LENGTH } from './split';
export { detectFormat, findDatasetFiles } from './detect';
