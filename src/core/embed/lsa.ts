import { randomizedSvd } from './linalg';
import { fitTfidf, selectRows, sparseOperator, tokenize, transformTfidf } from './tfidf';

export interface LsaOptions {
  /** Components kept (the embedding width). */
  width: number;
  seed?: number;
  powerIterations?: number;
}

export interface LsaResult {
  /** count × width, row-major. */
  vectors: Float32Array;
  width: number;
  vocabularySize: number;
  /** Share of the fitting matrix's squared norm the components keep. */
  explained: number;
}

/**
 * Latent semantic analysis: TF-IDF, then a truncated SVD, both fitted on the `fitRows` documents
 * (training entities) and applied to all (rows outside the fit are folded in by projection).
 * Local, offline and deterministic for a seed: the default embedder.
 */
export function lsaEmbed(texts: string[], fitRows: ArrayLike<number>, options: LsaOptions): LsaResult {
  const documents = texts.map(tokenize);
  const fitDocuments = Array.from(fitRows, (row) => documents[row]);
  const model = fitTfidf(fitDocuments);
  const all = transformTfidf(model, documents);
  const fit = selectRows(all, fitRows);
  const width = Math.max(1, options.width);
  const vectors = new Float32Array(texts.length * width);
  if (model.idf.length === 0 || fit.rows === 0) return { vectors, width, vocabularySize: 0, explained: 0 };
  const svd = randomizedSvd(sparseOperator(fit), width, { seed: options.seed ?? 1, powerIterations: options.powerIterations });
  // Project every row (fitted or not) onto the components: X V gives U Σ for the fitted rows.
  const projected = sparseOperator(all).multiply(svd.components, svd.k);
  for (let r = 0; r < texts.length; r++) for (let c = 0; c < svd.k; c++) vectors[r * width + c] = projected[r * svd.k + c];
  let total = 0;
  for (const value of fit.values) total += value * value;
  let kept = 0;
  for (const sigma of svd.singularValues) kept += sigma * sigma;
  return { vectors, width, vocabularySize: model.idf.length, explained: total > 0 ? kept / total : 0 };
}
