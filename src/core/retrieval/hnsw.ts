import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { HierarchicalNSW } from 'hnswlib-node';
import { CancelledError, type JobContext } from '../util/jobContext';
import type { SearchResult } from './exact';

export interface HnswParams {
  /** Links per node (hnswlib's M). */
  m: number;
  efConstruction: number;
  /** Search breadth; raised to k when a query asks for more. */
  efSearch: number;
  seed: number;
}

export const DEFAULT_HNSW: HnswParams = { m: 16, efConstruction: 200, efSearch: 128, seed: 100 };

/** A cosine HNSW index (hnswlib-node) over the rows of a matrix; labels are row numbers. */
export class HnswIndex {
  private efSearch: number;

  private constructor(
    readonly index: HierarchicalNSW,
    readonly dim: number,
    readonly params: HnswParams,
  ) {
    this.efSearch = params.efSearch;
  }

  /** Search breadth from now on: higher is slower and finds more of the true neighbours. */
  setEfSearch(ef: number): void {
    this.efSearch = Math.max(1, ef);
    this.index.setEf(this.efSearch);
  }

  /** Inserts rows in order (deterministic for a seed), checking for cancel every few thousand. */
  static async build(
    data: Float32Array,
    count: number,
    dim: number,
    params: HnswParams,
    ctx?: JobContext,
    onRows?: (done: number) => void,
  ): Promise<HnswIndex> {
    const index = new HierarchicalNSW('cosine', dim);
    index.initIndex({ maxElements: Math.max(1, count), m: params.m, efConstruction: params.efConstruction, randomSeed: params.seed });
    // hnswlib-node takes plain arrays only; one is reused for every row.
    const row: number[] = new Array(dim);
    for (let r = 0; r < count; r++) {
      const base = r * dim;
      for (let c = 0; c < dim; c++) row[c] = data[base + c];
      index.addPoint(row, r);
      if (r % 5000 === 4999) {
        onRows?.(r + 1);
        await new Promise((resolve) => setImmediate(resolve));
        if (ctx?.isCancelled()) throw new CancelledError();
      }
    }
    index.setEf(params.efSearch);
    return new HnswIndex(index, dim, params);
  }

  static load(path: string, dim: number, params: HnswParams): HnswIndex {
    const index = new HierarchicalNSW('cosine', dim);
    index.readIndexSync(path);
    index.setEf(params.efSearch);
    return new HnswIndex(index, dim, params);
  }

  /** Written to a temporary sibling and renamed, so a reader never sees half an index. */
  save(path: string): void {
    const temporary = `${path}.tmp-${process.pid}`;
    mkdirSync(dirname(path), { recursive: true });
    try {
      this.index.writeIndexSync(temporary);
      renameSync(temporary, path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  }

  get count(): number {
    return this.index.getCurrentCount();
  }

  search(query: Float32Array | number[], k: number): SearchResult {
    const want = Math.min(k, this.count);
    if (want > this.index.getEf()) this.index.setEf(want);
    const found = this.index.searchKnn(Array.isArray(query) ? query : Array.from(query), want);
    if (this.index.getEf() !== this.efSearch) this.index.setEf(this.efSearch);
    // hnswlib answers nearest last-to-first by distance; cosine distance is 1 - similarity.
    const order = found.neighbors.map((_, i) => i).sort((a, b) => found.distances[a] - found.distances[b]);
    return { labels: order.map((i) => found.neighbors[i]), similarities: order.map((i) => 1 - found.distances[i]) };
  }
}
