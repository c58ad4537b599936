/**
 * Formats the loaders understand. The one list: the run-config schema, the CLI's --format choices and
 * the types all read it.
 * - s3rec: `user item item …` per line, items in time order
 * - pairs: `user item` per line, file order is time order
 * - recbole: RecBole atomic `.inter` with `name:type` header
 * - csv, tsv, jsonl: a row per interaction (columns named or mapped)
 * - json-seq: one JSON object `{user: [item, …]}` (LC-Rec / LETTER style)
 */
export const INTERACTION_FORMATS = ['s3rec', 'pairs', 'recbole', 'csv', 'tsv', 'jsonl', 'json-seq'] as const;
export type InteractionFormat = (typeof INTERACTION_FORMATS)[number];
/** What a user may ask for: a format, or `auto` (detected from the file name and first lines). */
export const FORMAT_CHOICES = ['auto', ...INTERACTION_FORMATS] as const;

/** Repeated (user, item) interactions: the one list of the run-config schema, the CLI and the types. */
export const DUPLICATE_POLICIES = ['keep', 'first', 'last', 'drop-consecutive'] as const;
export type DuplicatePolicy = (typeof DUPLICATE_POLICIES)[number];

/** Which column (name or 0-based index) holds what, for csv/tsv/jsonl. */
export interface ColumnMapping {
  user?: string;
  item?: string;
  timestamp?: string;
  rating?: string;
}

export interface LoadOptions {
  format?: InteractionFormat | 'auto';
  columns?: ColumnMapping;
  /** Item metadata file; when the dataset is a folder it is found automatically. */
  metadataPaths?: string[];
  duplicates?: DuplicatePolicy;
  /** Iterative k-core: drop users and items with fewer interactions, until stable. 0 = off. */
  userCore?: number;
  itemCore?: number;
  /** Called with bytes read so far and the total, for progress bars. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** csv/tsv only: false when the first row is data (columns are then 0 = user, 1 = item unless mapped). */
  hasHeader?: boolean;
  /** Checked between chunks; a load stops with CancelledError when it returns true. */
  isCancelled?: () => boolean;
}

/** Item metadata: field name → value per dense item id (missing = undefined). */
export interface ItemMetadata {
  /** The metadata files merged, in order. */
  sources: string[];
  fields: string[];
  /** Indexed by dense item id. Values are untrusted dataset text. */
  rows: Array<Record<string, string> | undefined>;
  /** Metadata rows whose item never appears in the interactions (catalogue-only items). */
  unmatchedItems: number;
}

/** A loaded dataset with dense ids (0-based) and per-user time-ordered sequences. */
export interface Dataset {
  name: string;
  /** The interactions file that was read. */
  source: string;
  format: InteractionFormat;
  /** Dense id → raw id as it appeared in the file. */
  userIds: string[];
  itemIds: string[];
  /** sequences[u] = dense item ids of user u in time order. */
  sequences: Int32Array[];
  /** Present when the format has timestamps; aligned with sequences. */
  timestamps?: Float64Array[];
  metadata?: ItemMetadata;
  /** Repeated (user, item) interactions found in the file, before the duplicate policy. */
  duplicatesFound: number;
  duplicatesRemoved: number;
  /** Interactions removed by k-core filtering. */
  coreRemoved: number;
}

export interface Split {
  /** Per user: the training prefix (all but the last two items). */
  train: Int32Array[];
  /** Per user: validation target, or -1 when the user has fewer than 3 interactions. */
  valid: Int32Array;
  /** Per user: test target, or -1 when the user has fewer than 3 interactions. */
  test: Int32Array;
}

export interface Histogram {
  /** Bin i covers [edges[i], edges[i+1]). */
  edges: number[];
  counts: number[];
}

export interface DatasetStats {
  name: string;
  source: string;
  format: InteractionFormat;
  users: number;
  items: number;
  interactions: number;
  density: number;
  sequenceLength: { min: number; median: number; mean: number; p90: number; max: number; histogram: Histogram };
  popularity: {
    min: number;
    median: number;
    mean: number;
    max: number;
    gini: number;
    /** Share of interactions that go to the 20 % most popular items. */
    top20Share: number;
    /** Head = the 20 % most popular items; tail = the rest. */
    headItems: number;
    tailItems: number;
    /** (rank, count) points of the sorted popularity curve, downsampled, for a log-scale chart. */
    curve: Array<[number, number]>;
  };
  users80_20: { headUsers: number; tailUsers: number; headMinLength: number };
  coldItems: {
    /** Items in the metadata with no interaction at all. */
    catalogueOnly: number;
    /** Items whose every interaction is a validation/test target (never in a training prefix). */
    noTrainInteractions: number;
  };
  metadataCoverage: Array<{ field: string; covered: number; share: number }>;
  duplicates: { found: number; removed: number };
  /** The most popular items, with their title when the metadata has one (untrusted dataset text). */
  topItems: Array<{ id: string; interactions: number; title?: string }>;
}
