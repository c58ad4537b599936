// A run is fully described by its JSON config file. The schema gives every default, so the config
// written into the run folder is complete; errors name the file and the field.
import Ajv, { type ErrorObject } from 'ajv';
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { DUPLICATE_POLICIES, FORMAT_CHOICES, type DuplicatePolicy } from '../data/types';
import { EMBEDDER_NAMES, type EmbedderName } from '../embed/store';
import type { BackendChoice } from '../engine/backend';
import { CORRUPTION_FAMILIES, CORRUPTION_TARGETS, type CorruptionFamily, type CorruptionMix, type CorruptionTarget } from '../hallucination/corrupt';
import { REVIEW_ORDERS, type ReviewOrder } from '../hallucination/review';
import { LOSS_KINDS, MODEL_DEFAULTS, MODEL_KINDS, type LossKind, type ModelConfig } from '../model/types';
import { withPreset } from './presets';
import { ConfigError } from '../util/errors';
import { MAX_CONFIG_DEPTH, tooDeep } from '../util/jsonLimits';

// Run-config errors are the one ConfigError of src/core/util/errors.ts (its located form); re-exported
// for the modules that import it with validateConfig.
export { ConfigError };

export interface RunConfig {
  /** free-text name, used in the run folder name */
  name?: string;
  data: {
    /** dataset file or folder; relative paths are relative to the config file */
    path: string;
    format: (typeof FORMAT_CHOICES)[number];
    duplicates: DuplicatePolicy;
    userCore: number;
    itemCore: number;
  };
  /** the backbone's settings; the schema fills maskProb for every backbone (only BERT4Rec reads it) */
  model: ModelConfig & { maskProb: number };
  train: {
    epochs: number;
    batchSize: number;
    lr: number;
    beta1: number;
    beta2: number;
    epsilon: number;
    loss: LossKind;
    /** bce: negatives per target position; sampled_softmax: negatives shared by the batch */
    negatives: number;
    /** sampled_softmax: uniform negatives, or by training popularity with the logQ correction */
    negativeSampling: NegativeSamplingChoice;
    /** evaluate on validation every N epochs */
    evalEvery: number;
    /** stop after this many evaluations without a better validation NDCG@10 (0 = never) */
    patience: number;
    seed: number;
    /** several seeds: one run each, then mean ± std (overrides seed) */
    seeds?: number[];
    /** stop each epoch after this many steps (0 = full epochs); for smoke tests */
    maxStepsPerEpoch: number;
    /** wall-time budget in minutes, validation included (0: none) */
    maxMinutes: number;
    /** update only the item-table rows a batch touches (lazy Adam); not with loss "ce" */
    sparseEmbedding: boolean;
  };
  eval: {
    ks: number[];
    batchSize: number;
    /** negatives of the sampled protocol (0 = skip it) */
    sampled: number;
    sampledSeed: number;
    /** also report unmasked full ranking (the PyTorch reference's protocol) */
    unmasked: boolean;
  };
  engine: {
    backend: BackendChoice;
    /** native kernel threads (0 = all cores) */
    threads: number;
    native: boolean;
  };
  /** plain backbone, GRASP around it, or one of the LLM baselines (DESIGN §2) */
  variant: ModelVariant;
  /** text artefacts and GRASP switches; read by every variant but "plain" */
  grasp: GraspSettings;
}

// The lists a run config chooses from, each written once: the types derive from them and the schema's
// enums spread them. Lists a lower module owns are imported (formats and duplicate policies from data,
// backbones and losses from model, embedders from embed, corruption families and targets from
// hallucination/corrupt); these belong to the run config.
export const MODEL_VARIANTS = ['plain', 'grasp', 'llm-init', 'llm-esr'] as const;
export type ModelVariant = (typeof MODEL_VARIANTS)[number];
export const TEXTS_PROVIDERS = ['metadata', 'anthropic', 'raw', 'openai-compatible'] as const;
export type TextsProvider = (typeof TEXTS_PROVIDERS)[number];
export type EmbedderKind = EmbedderName;
export const NEGATIVE_SAMPLINGS = ['uniform', 'popularity'] as const;
export type NegativeSamplingChoice = (typeof NEGATIVE_SAMPLINGS)[number];
export const TEST_RETRIEVALS = ['training', 'history'] as const;
export type TestRetrieval = (typeof TEST_RETRIEVALS)[number];
export const USER_RETRIEVALS = ['sequence', 'position'] as const;
export type UserRetrieval = (typeof USER_RETRIEVALS)[number];

export interface EmbeddingSettings {
  /** the server (openai-compatible: required; voyage: https://api.voyageai.com unless given) */
  baseUrl?: string;
  /** the embedding model (default: voyage-3.5-lite for voyage; required in practice by local servers) */
  model?: string;
  /** output width, for models that can shorten their vectors (OpenAI `dimensions`, Voyage `output_dimension`) */
  dimensions?: number;
  /** texts per request */
  batchSize?: number;
  /** requests in flight */
  concurrency?: number;
  /** texts longer than this are cut before embedding */
  maxChars?: number;
}

export interface GraspSettings {
  texts: {
    /**
     * metadata: offline descriptions written now; anthropic: descriptions already in the synthesis cache;
     * openai-compatible: descriptions written now by a chat server (cached); raw: metadata fields / training titles as they are
     */
    provider: TextsProvider;
    /** item metadata fields the descriptions are written from (absent: every field) */
    fields?: string[];
    /** fields holding lists of codes (Beauty's attribute ids): each code becomes one word `<field><code>` the text embedder reads */
    codeFields?: string[];
    /** openai-compatible: the chat server, e.g. http://127.0.0.1:8000 */
    baseUrl?: string;
    /** openai-compatible: the model the server serves (required); anthropic: read this model's descriptions (default: whichever covers most) */
    model?: string;
    /** openai-compatible: calls in flight */
    concurrency?: number;
  };
  /** lsa: local and offline; voyage (VOYAGE_API_KEY) or openai-compatible (a /v1/embeddings server; OPENAI_API_KEY when it wants one) */
  embedder: EmbedderKind;
  /** voyage / openai-compatible: where and how to embed (never a key: keys come from the environment or VS Code's secret storage) */
  embedding?: EmbeddingSettings;
  /** LSA components before PCA */
  width: number;
  /** d_s: PCA width of the frozen text embeddings */
  dims: number;
  /** K_I / K_U: retrieved neighbours per item / per user */
  kItems: number;
  kUsers: number;
  itemLevel: boolean;
  userLevel: boolean;
  gate: boolean;
  /** user level: add A_u(e_v), the similar user's profile embedding, to r_v (DESIGN §2 as written) */
  userText: boolean;
  /** ablation: adapters read seeded random vectors instead of the text embeddings (neighbours stay) */
  randomEmbeddings: boolean;
  /** grasp: A(e_i) added to E[i] at the item level (default false: x = E[i], E starting from the text) */
  itemAdapter: boolean;
  /** grasp: x̃ = LayerNorm(x + c) (false: x + c) */
  itemNorm: boolean;
  /** grasp: E starts from the text vectors as in llm-init (false: E starts random, the text enters through A only) */
  initFromText: boolean;
  /** each PCA component scaled to unit variance over the fitted rows (false: one scale for all, the leading components dominate) */
  whiten: boolean;
  /** grasp: score_j = (z + W_s c_t)·(E_j + A_s t_j), c_t the mean text vector of the items read up to t (W_s, A_s start at zero) */
  semanticScore: boolean;
  /** grasp: the item level's gradient reaches the neighbours' rows of E (false: neighbours are read, not written) */
  neighbourGradient: boolean;
  /** grasp: the item level's attention writes to E (false: it reads E, and only its own weights learn from it) */
  itemLevelWrites: boolean;
  /** grasp: x̃ rescaled to E[i]'s norm, so the neighbours can turn an item's input but not enlarge it (default: gru4rec only) */
  keepItemScale?: boolean;
  /** grasp: the item level learns how far to trust each text by its detector risk (grasp flag's), see GraspModule */
  distrustGate: boolean;
  /** grasp: the items being scored read their neighbours too: scores z·x̃_j instead of z·E[j] */
  enrichCandidates: boolean;
  /** grasp: similar users for the TEST pass from the training-prefix profile (DESIGN §2) or from the test step's history (+ validation item) */
  testRetrieval: TestRetrieval;
  /** grasp: one list of similar users per user (sequence, DESIGN §2) or one per position, from the items read up to it (position) */
  userRetrieval: UserRetrieval;
  /** rewrite this share of item descriptions with false claims before embedding (hallucination robustness) */
  corruption: {
    fraction: number;
    seed: number;
    /** share of the corrupted items per family (absent: invented specifics only, the original tool) */
    mix?: Partial<CorruptionMix>;
    /** which items are hit: every item equally likely, or ∝ training popularity */
    target: CorruptionTarget;
  };
  /**
   * the healing loop measured: a simulated reviewer reads the top `k` (share of the catalogue) of the
   * corrupted item texts as `grasp flag` ranks them and marks the truly corrupted ones hallucinated, in
   * the run's own annotations file (absent: no review). Needs corruption (its ground truth)
   */
  review?: { simulated?: { k: number; order: ReviewOrder } };
  /** llm-esr: weight of the self-distillation term towards the similar users' representations */
  distillWeight: number;
  /** caches, embeddings and indexes (default <workspace of data.path>/.grasp); relative to the config file */
  cacheDir?: string;
}

// Upper bounds keep a typo (d: 1000000, 12M seeds) from allocating gigabytes or writing thousands of
// folders: each is far above any setting the field uses, and errors name the field before any write.
const upTo = (maximum: number) => ({ type: 'integer', minimum: 1, maximum }) as const;
/** Default negatives of sampled softmax (shared by the batch), when a config does not say. */
export const SAMPLED_SOFTMAX_NEGATIVES = 256;
const nonNegativeInt = { type: 'integer', minimum: 0 } as const;
/** A server address in a config: http(s) only, and short (a key never belongs in it; see validateConfig). */
const HTTP_URL = { type: 'string', minLength: 8, maxLength: 2048, pattern: '^https?://[^\\s]+$' } as const;
/** One corruption family's share in grasp.corruption.mix (normalised when used). */
const CORRUPTION_SHARE = { type: 'number', minimum: 0 } as const;

export const RUN_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['data', 'model'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['path'],
      properties: {
        path: { type: 'string', minLength: 1, maxLength: 4096 },
        format: { enum: [...FORMAT_CHOICES], default: 'auto' },
        duplicates: { enum: [...DUPLICATE_POLICIES], default: 'keep' },
        userCore: { ...nonNegativeInt, default: 0 },
        itemCore: { ...nonNegativeInt, default: 0 },
      },
    },
    model: {
      type: 'object',
      additionalProperties: false,
      required: ['kind'],
      properties: {
        kind: { enum: [...MODEL_KINDS] },
        // the backbone's preset fills these first (withPreset); the defaults are the model module's fallbacks
        d: { ...upTo(4096), default: MODEL_DEFAULTS.d },
        layers: { ...upTo(64), default: MODEL_DEFAULTS.layers },
        heads: { ...upTo(64), default: MODEL_DEFAULTS.heads },
        dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: MODEL_DEFAULTS.dropout },
        maxLen: { type: 'integer', minimum: 2, maximum: 4096, default: MODEL_DEFAULTS.maxLen },
        innerSize: upTo(65536),
        maskProb: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: MODEL_DEFAULTS.maskProb },
      },
    },
    train: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        epochs: { ...upTo(100000), default: 200 },
        batchSize: { ...upTo(65536), default: 128 },
        lr: { type: 'number', exclusiveMinimum: 0, default: 0.001 },
        beta1: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.9 },
        beta2: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.98 },
        epsilon: { type: 'number', exclusiveMinimum: 0, default: 1e-8 },
        loss: { enum: [...LOSS_KINDS], default: 'bce' },
        negatives: {
          ...upTo(1000000),
          default: 1,
          description: 'bce: negatives per target position (default 1); sampled_softmax: negatives shared by the batch (default 256)',
        },
        negativeSampling: { enum: [...NEGATIVE_SAMPLINGS], default: 'uniform' },
        evalEvery: { ...upTo(100000), default: 1 },
        patience: { ...nonNegativeInt, default: 10 },
        seed: { ...nonNegativeInt, default: 42 },
        seeds: { type: 'array', items: nonNegativeInt, minItems: 1, maxItems: 100, uniqueItems: true },
        maxStepsPerEpoch: { ...nonNegativeInt, default: 0 },
        maxMinutes: {
          type: 'number',
          minimum: 0,
          maximum: 100000,
          default: 0,
          description:
            'wall-time budget in minutes (validation included; 0: none): the run ends after the epoch it runs out in, which is validated, and tests its best checkpoint as usual',
        },
        sparseEmbedding: { type: 'boolean', default: false },
      },
    },
    eval: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        ks: { type: 'array', items: upTo(100000), minItems: 1, maxItems: 32, default: [5, 10, 20] },
        batchSize: { ...upTo(65536), default: 512 },
        sampled: { ...nonNegativeInt, default: 100 },
        sampledSeed: { ...nonNegativeInt, default: 12345 },
        unmasked: { type: 'boolean', default: false },
      },
    },
    engine: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        // the list is BACKEND_CHOICES of engine/backend.ts, which loads TensorFlow.js: importing it would load
        // it with every config (and into the bundle that writes the editor's schema). The check below ties
        // these values to its type, test/unit/train/config-lists.test.ts to the list.
        backend: { enum: ['auto', 'tensorflow', 'wasm', 'cpu'], default: 'auto' },
        threads: { ...nonNegativeInt, maximum: 1024, default: 0 },
        native: { type: 'boolean', default: true },
      },
    },
    variant: {
      enum: [...MODEL_VARIANTS],
      default: 'plain',
      description:
        'plain: the backbone alone. grasp: holistic attention over retrieved items and users (DESIGN §2). llm-init: item embeddings initialised from the PCA of the text embeddings. llm-esr: LLM-ESR-style frozen semantic view beside the ID view, plus self-distillation towards similar users.',
    },
    grasp: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Text artefacts (built from training data only) and GRASP switches; used by every variant but plain.',
      properties: {
        texts: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            provider: {
              enum: [...TEXTS_PROVIDERS],
              default: 'metadata',
              description:
                'metadata: offline descriptions from metadata (written into the synthesis cache); anthropic: Claude descriptions already in the cache (`grasp synthesize`); raw: metadata fields and training titles as they are; openai-compatible: descriptions written when the run starts by an OpenAI-compatible chat server (vLLM, Ollama, llama.cpp, LM Studio…; `baseUrl` and `model`), cached like any synthesis',
            },
            fields: {
              type: 'array',
              items: { type: 'string', minLength: 1, maxLength: 256 },
              minItems: 1,
              maxItems: 1000,
              uniqueItems: true,
              description: 'item metadata fields to describe items from (default: all)',
            },
            codeFields: {
              type: 'array',
              items: { type: 'string', minLength: 1, maxLength: 256 },
              minItems: 1,
              maxItems: 1000,
              uniqueItems: true,
              description:
                "metadata fields that hold lists of codes, e.g. Beauty's attribute ids: each code becomes one word <field><code> (attributes17) that the text embedder reads as a token. Without this, bare code lists are left out of the descriptions (they tell a language model nothing)",
            },
            baseUrl: {
              ...HTTP_URL,
              description:
                'openai-compatible: the chat server, e.g. http://127.0.0.1:8000 (vLLM) or http://127.0.0.1:11434 (Ollama); /v1 is added when missing',
            },
            model: {
              type: 'string',
              minLength: 1,
              maxLength: 256,
              description: "openai-compatible: the model the server serves (required); anthropic: use this model's descriptions from the cache",
            },
            concurrency: { ...upTo(256), description: 'openai-compatible: calls in flight (default 8)' },
          },
        },
        embedder: {
          enum: [...EMBEDDER_NAMES],
          default: 'lsa',
          description:
            'lsa: TF-IDF + truncated SVD, local and offline. voyage: the Voyage API (VOYAGE_API_KEY). openai-compatible: any /v1/embeddings server (OpenAI, Ollama, vLLM, TEI, llama.cpp, LM Studio; OPENAI_API_KEY when it wants one), set in `embedding`. Vectors are cached by provider, model and text',
        },
        embedding: {
          type: 'object',
          additionalProperties: false,
          description: 'voyage / openai-compatible: where and how to embed. Keys never go here: they come from the environment or VS Code secret storage',
          properties: {
            baseUrl: {
              ...HTTP_URL,
              description:
                'the embedding server, e.g. http://127.0.0.1:8080 (TEI) or http://127.0.0.1:11434 (Ollama); required for openai-compatible; /v1 is added when missing',
            },
            model: {
              type: 'string',
              minLength: 1,
              maxLength: 256,
              description: 'the embedding model (default voyage-3.5-lite for voyage, text-embedding-3-small for openai-compatible)',
            },
            dimensions: {
              ...upTo(65536),
              description:
                'output width, for models that can shorten their vectors (OpenAI dimensions, Voyage output_dimension); every vector is checked against it',
            },
            batchSize: { ...upTo(4096), description: 'texts per request (default 64)' },
            concurrency: { ...upTo(256), description: 'requests in flight (default 4)' },
            maxChars: { ...upTo(10_000_000), description: 'texts longer than this are cut before embedding (default: sent whole)' },
          },
        },
        width: { ...upTo(4096), default: 128, description: 'LSA components before PCA' },
        dims: { ...upTo(4096), default: 64, description: 'd_s: PCA width of the frozen text embeddings (PCA fitted on training entities)' },
        kItems: { ...upTo(1000), default: 10, description: 'K_I: retrieved neighbours per item' },
        kUsers: { ...upTo(1000), default: 10, description: 'K_U: retrieved similar users per user' },
        itemLevel: {
          type: 'boolean',
          default: true,
          description: 'grasp: item-level attention over the item and its neighbours (false: x = E[i] + A(e_i) only)',
        },
        userLevel: {
          type: 'boolean',
          default: false,
          description:
            'grasp: user-level attention over similar users and the fusion. Off by default: the validation screens on Beauty and Scientific (docs/results.md) scored GRASP higher without it',
        },
        gate: { type: 'boolean', default: true, description: 'grasp: gated fusion (false: z = h + g)' },
        userText: {
          type: 'boolean',
          default: false,
          description:
            "grasp: add A_u(e_v), the similar user's profile embedding, to r_v (DESIGN §2 as written). Off by default: a profile names the user's recent training items, which during training include the query user's own later targets",
        },
        randomEmbeddings: {
          type: 'boolean',
          default: false,
          description: 'ablation: seeded random vectors replace the text embeddings the adapters read (neighbours stay)',
        },
        itemAdapter: {
          type: 'boolean',
          default: false,
          description:
            'grasp: x = E[i] + A(e_i) and m_j = E[j] + A(e_j) as DESIGN §2 writes them. Off by default: E already starts from the text (initFromText), and the extra adapter input lowered validation NDCG@10 on Beauty (docs/results.md)',
        },
        itemNorm: {
          type: 'boolean',
          default: false,
          description:
            'grasp: x̃ = LayerNorm(x + dropout(c)) as DESIGN §2 writes it. Off by default: x̃ = x + dropout(c) keeps every GRASP path a residual that starts at zero, so an untrained GRASP model scores exactly as LLM-init with the same seed and can only add to it',
        },
        initFromText: {
          type: 'boolean',
          default: true,
          description:
            "grasp: the ID embeddings E start from the text vectors, as llm-init's do (false: E starts random and the text enters through the adapters only)",
        },
        whiten: {
          type: 'boolean',
          default: true,
          description:
            'each PCA component of the text vectors scaled to unit variance over the fitted rows (whitening: raw text embeddings are anisotropic, a few directions carry most of the variance; the validation screens kept it). false: one scale for all components',
        },
        neighbourGradient: {
          type: 'boolean',
          default: true,
          description:
            "grasp: the item level's attention passes gradient into the neighbours' rows of E, as every other path (false: an item's neighbours are read as they are, and only the item's own row and the attention's weights learn from it)",
        },
        itemLevelWrites: {
          type: 'boolean',
          default: true,
          description:
            "grasp: the item level's attention (queries, keys, values) passes gradient into E, as every other path (false: it reads E as it is; E learns only as the backbone's input and output table, the attention's own weights learn from the item level)",
        },
        keepItemScale: {
          type: 'boolean',
          description:
            "grasp: the item level's output x̃ = x + c is rescaled to the norm of the item's own row x, so the neighbours' context can turn an item's input towards them but not enlarge it (a backbone without normalisation of its input, GRU4Rec, otherwise grows the context until its gates saturate). false: x̃ = x + c. Default: true for gru4rec, false for the others (what the validation screen chose, docs/results.md)",
        },
        distrustGate: {
          type: 'boolean',
          default: false,
          description:
            "grasp: the item level reads each item text's risk from the detector of `grasp flag` (its defaults, no distrust signal) and learns how far to trust it: a neighbour's contribution is scaled by exp(−θ_n · its risk), an item's whole context by exp(−θ_s · its own risk) (a wrong text also retrieved the wrong neighbours). θ_n and θ_s start at 0, so the model starts as without the gate (each is 20 times a learned parameter, so it can move within a few epochs)",
        },
        enrichCandidates: {
          type: 'boolean',
          default: false,
          description:
            'grasp: the item level enriches the items being scored as well as the items read: item j is scored by z·x̃_j, its row after attending over its own neighbours (without dropout), instead of z·E[j], so a rarely bought item borrows from the items its text is close to when it is a candidate too. The value projection starts at zero, so the model starts as without it',
        },
        semanticScore: {
          type: 'boolean',
          default: false,
          description:
            "grasp: a candidate-aware semantic term: item j is scored by (z + W_s c_t)·(E_j + A_s t_j), where t_j is j's text vector and c_t the mean text vector of the items the sequence has read up to t. W_s and A_s start at zero, so the model starts as without it",
        },
        testRetrieval: {
          enum: [...TEST_RETRIEVALS],
          default: 'history',
          description:
            "grasp: the similar users of the TEST pass are retrieved from the history the test step reads, training prefix + validation item (history, DESIGN §2: the profile is written by the same provider, anthropic's by `grasp synthesize`, and projected with the training fit), or from the training-prefix profile, one step stale at test time (training). Training and validation are the same either way",
        },
        userRetrieval: {
          enum: [...USER_RETRIEVALS],
          default: 'sequence',
          description:
            "grasp: the user level's similar users: one list per user from its profile (sequence, DESIGN §2), or one list per position t, the users whose training items' mean text vector is closest to that of the items the model has read up to t (position: the 'dynamic interests' of the paper; next-item backbones only). With position, every pass reads its own rows, so grasp.testRetrieval does not apply",
        },
        corruption: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            fraction: {
              type: 'number',
              minimum: 0,
              maximum: 1,
              default: 0,
              description: 'share of item descriptions rewritten with false claims before embedding',
            },
            seed: { ...nonNegativeInt, default: 1 },
            mix: {
              type: 'object',
              additionalProperties: false,
              minProperties: 1,
              properties: Object.fromEntries(CORRUPTION_FAMILIES.map((family) => [family, CORRUPTION_SHARE])) as Record<
                CorruptionFamily,
                typeof CORRUPTION_SHARE
              >,
              description:
                "share of the corrupted items per family, normalised: wrong-product (another item's description), specifics (invented category, brand, attributes), generic (filler with nothing item-specific). Absent: specifics only",
            },
            target: {
              enum: [...CORRUPTION_TARGETS],
              default: 'uniform',
              description: 'which items are hit: uniform (head as likely as tail) or head (∝ training interactions + 1)',
            },
          },
        },
        review: {
          type: 'object',
          additionalProperties: false,
          description: 'the review loop, measured (flag → review → retrain); absent: none. Verdicts from the workspace annotations file apply either way',
          properties: {
            simulated: {
              type: 'object',
              additionalProperties: false,
              required: ['k'],
              properties: {
                k: {
                  type: 'number',
                  exclusiveMinimum: 0,
                  maximum: 1,
                  description: 'share of the catalogue the reviewer reads: the round(k × items) riskiest item texts',
                },
                order: {
                  enum: [...REVIEW_ORDERS],
                  default: 'risk',
                  description:
                    'the order the reviewer reads in: risk (riskiest first, as `grasp flag` lists them) or reach (the flagged texts of the items with the most training interactions first, then the rest riskiest first)',
                },
              },
              description:
                "a simulated reviewer: ranks the run's corrupted item texts with the detector of `grasp flag` (no distrust signal), reads the top k, and marks those the corruption's ground truth says are corrupted as hallucinated (→ the metadata-only description is embedded). Its verdicts go to the run's own review.annotations.jsonl, never to the workspace's grasp.annotations.jsonl. Needs grasp.corruption.fraction > 0",
            },
          },
        },
        distillWeight: {
          type: 'number',
          minimum: 0,
          default: 0.1,
          description: 'llm-esr: weight of the self-distillation loss towards the retrieved similar users',
        },
        cacheDir: {
          type: 'string',
          minLength: 1,
          maxLength: 4096,
          description: 'where caches, embeddings and indexes go (default <workspace>/.grasp); relative to the config file',
        },
      },
    },
  },
} as const;

// ---- the schema and RunConfig cannot disagree ----------------------------------------------------------
// ajv's JSONSchemaType<RunConfig> does not fit this schema: it wants `required` to list every key the
// validated config always has (here train, eval, … come from `default`), `nullable: true` on every
// optional key (which would let null through), and a `type` beside every `enum` (which would change
// the errors users read). So the schema's own type is derived from it instead, the way ajv reads it
// (a key is always present when required or defaulted), and must equal RunConfig: a key, an enum
// value, a value type, or optional-vs-present that differs between the two fails to compile at
// RUN_CONFIG_MATCHES_SCHEMA. Hover SchemaConfig to see what the schema says.

/** The value a validated config holds for a schema node. */
type FromSchema<S> = S extends { readonly enum: readonly (infer E)[] }
  ? E
  : S extends { readonly type: 'integer' | 'number' }
    ? number
    : S extends { readonly type: 'string' }
      ? string
      : S extends { readonly type: 'boolean' }
        ? boolean
        : S extends { readonly type: 'array'; readonly items: infer I }
          ? FromSchema<I>[]
          : S extends { readonly type: 'object'; readonly properties: infer P }
            ? FromProperties<P, S extends { readonly required: readonly (infer R)[] } ? R : never>
            : never;
/** Keys of `properties` a validated config always has: required (`R`) or filled by a default. */
type PresentKeys<P, R> = { [K in keyof P]-?: K extends R ? K : P[K] extends { readonly default: unknown } ? K : never }[keyof P];
type FromProperties<P, R> = { [K in PresentKeys<P, R>]: FromSchema<P[K]> } & { [K in Exclude<keyof P, PresentKeys<P, R>>]?: FromSchema<P[K]> };
/** One plain object type per level (intersections merged), so two spellings of one shape compare equal. */
type Normalize<T> = T extends readonly (infer E)[] ? Normalize<E>[] : T extends object ? { [K in keyof T]: Normalize<T[K]> } : T;
/** Exact equality (mutual assignability would let an optional key missing on one side through). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** What the schema validates to; `$schema` is the editor's (a config may name the schema file), not a setting. */
export type SchemaConfig = Normalize<Omit<FromSchema<typeof RUN_CONFIG_SCHEMA>, '$schema'>>;
/** Compile-time only: `true` is assignable only while the schema and RunConfig agree. */
const RUN_CONFIG_MATCHES_SCHEMA: Equal<SchemaConfig, Normalize<RunConfig>> = true;
void RUN_CONFIG_MATCHES_SCHEMA;

/**
 * Settings that came with the current GRASP module (cosine item attention, zero-initialised adapters, E
 * from the text). A stored config is re-validated with today's defaults, so without this check a run
 * trained by an earlier module would be rebuilt, evaluated or reused as if it were a run of this one.
 */
const GRASP_MODULE_SETTINGS = ['initFromText', 'itemAdapter', 'itemNorm'] as const;

/** Throws when `config`, as a run stored it (before validation), is a GRASP run of an earlier module. */
export function checkGraspModule(config: { variant?: unknown; grasp?: unknown }, where: string): void {
  if (config.variant !== 'grasp') return;
  const grasp = (config.grasp ?? {}) as Record<string, unknown>;
  const missing = GRASP_MODULE_SETTINGS.find((key) => grasp[key] === undefined);
  if (missing !== undefined)
    throw new Error(
      `${where}: a GRASP run trained before grasp.${missing} existed, by an earlier GRASP module (other attention and initialisation) that this build does not rebuild: retrain it, or move its folder away`,
    );
}

const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: true });
const validate = ajv.compile(RUN_CONFIG_SCHEMA);

function describe(error: ErrorObject): { field: string; detail: string } {
  const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return { field: field ? `${field}.${extra}` : extra, detail: 'is not a known setting' };
  }
  if (error.keyword === 'required')
    return { field: [field, (error.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.'), detail: 'is required' };
  if (error.keyword === 'enum')
    return { field, detail: `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
  return { field, detail: error.message ?? 'is invalid' };
}

/** Validates a parsed config (its backbone's preset, then the defaults fill what it leaves out) and checks what the schema cannot. */
export function validateConfig(value: unknown, file: string): RunConfig {
  const deep = tooDeep(value);
  if (deep !== undefined) throw new ConfigError(file, deep, `nests deeper than ${MAX_CONFIG_DEPTH} levels (no setting does)`);
  const copy = withPreset(structuredClone(value)) as { train?: { loss?: unknown; negatives?: unknown } };
  // sampled softmax's negatives are shared by the batch: its default is 256, not BCE's 1 per position
  if (copy?.train?.loss === 'sampled_softmax' && copy.train.negatives === undefined) copy.train.negatives = SAMPLED_SOFTMAX_NEGATIVES;
  if (!validate(copy)) {
    const { field, detail } = describe(validate.errors![0]);
    throw new ConfigError(file, field, detail);
  }
  const config = copy as unknown as RunConfig;
  if (config.model.d % config.model.heads !== 0) throw new ConfigError(file, 'model.heads', `must divide model.d (${config.model.d})`);
  if (config.train.sparseEmbedding && config.train.loss === 'ce')
    throw new ConfigError(file, 'train.sparseEmbedding', 'cannot be used with loss "ce" (it scores every item, so every row changes)');
  if (config.variant !== 'plain' && config.train.sparseEmbedding && config.variant !== 'llm-init')
    throw new ConfigError(file, 'train.sparseEmbedding', `cannot be used with variant "${config.variant}" (it reads the rows of retrieved neighbours too)`);
  // Claude profiles of the test-time histories are never in the cache (`grasp synthesize` writes training-prefix ones)
  checkTextSettings(config.grasp, file);
  // the simulated reviewer marks what the corruption's ground truth calls corrupted: without corruption it has nothing to know
  if (config.grasp.review?.simulated && config.grasp.corruption.fraction <= 0)
    throw new ConfigError(
      file,
      'grasp.review.simulated',
      'needs grasp.corruption.fraction > 0 (the simulated reviewer marks the texts the corruption ground truth says are corrupted)',
    );
  if (config.variant === 'llm-init' && config.grasp.dims > config.model.d)
    throw new ConfigError(file, 'grasp.dims', `must be at most model.d (${config.model.d}) for llm-init (the PCA fills the first grasp.dims columns)`);
  if (!config.eval.ks.includes(10)) throw new ConfigError(file, 'eval.ks', 'must include 10 (model selection uses validation NDCG@10)');
  // its default depends on the backbone: the screen kept it for GRU4Rec only (experiments/grasp-llm-init-backbones-*.json)
  config.grasp.keepItemScale ??= config.model.kind === 'gru4rec';
  if (config.variant === 'grasp' && config.grasp.userRetrieval === 'position' && config.model.kind === 'bert4rec')
    throw new ConfigError(
      file,
      'grasp.userRetrieval',
      '"position" needs a next-item backbone (sasrec, gru4rec): bert4rec reads both sides of every position, so no prefix is what it has read',
    );
  return config;
}

/** What the schema cannot say about the text side: which settings go with which provider and embedder. */
function checkTextSettings(grasp: GraspSettings, file: string): void {
  const { texts, embedder, embedding } = grasp;
  if (texts.provider === 'openai-compatible') {
    if (!texts.baseUrl)
      throw new ConfigError(
        file,
        'grasp.texts.baseUrl',
        'is required with grasp.texts.provider "openai-compatible" (the chat server, e.g. http://127.0.0.1:8000)',
      );
    if (!texts.model)
      throw new ConfigError(file, 'grasp.texts.model', 'is required with grasp.texts.provider "openai-compatible" (the model the server serves)');
  } else {
    if (texts.baseUrl !== undefined)
      throw new ConfigError(file, 'grasp.texts.baseUrl', `is read only with grasp.texts.provider "openai-compatible", not "${texts.provider}"`);
    if (texts.concurrency !== undefined)
      throw new ConfigError(file, 'grasp.texts.concurrency', `is read only with grasp.texts.provider "openai-compatible", not "${texts.provider}"`);
    if (texts.model !== undefined && texts.provider !== 'anthropic')
      throw new ConfigError(file, 'grasp.texts.model', `is read only with grasp.texts.provider "openai-compatible" or "anthropic", not "${texts.provider}"`);
  }
  if (embedder === 'lsa' && embedding !== undefined)
    throw new ConfigError(
      file,
      'grasp.embedding',
      'is read only by the voyage and openai-compatible embedders (grasp.embedder is "lsa"; its setting is grasp.width)',
    );
  if (embedder === 'openai-compatible' && !embedding?.baseUrl)
    throw new ConfigError(
      file,
      'grasp.embedding.baseUrl',
      'is required with grasp.embedder "openai-compatible" (the embedding server, e.g. http://127.0.0.1:8080)',
    );
  for (const [field, url] of [
    ['grasp.texts.baseUrl', texts.baseUrl],
    ['grasp.embedding.baseUrl', embedding?.baseUrl],
  ] as const) {
    if (url === undefined) continue;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(file, field, 'is not a URL');
    }
    // the config is written into the run folder and shown in views: a key has no place in it
    if (parsed.username || parsed.password || /key|token|secret/i.test(parsed.search))
      throw new ConfigError(file, field, 'must not carry credentials (keys come from the environment or VS Code secret storage only)');
  }
}

/** The settings that are switches of the GRASP module (model/grasp.ts GraspOptions), under the same names. */
export const GRASP_MODULE_SWITCHES = [
  'itemLevel',
  'userLevel',
  'gate',
  'itemAdapter',
  'itemNorm',
  'semanticScore',
  'neighbourGradient',
  'itemLevelWrites',
  'keepItemScale',
  'distrustGate',
  'enrichCandidates',
] as const satisfies ReadonlyArray<keyof GraspSettings>;

/** Settings only the GRASP module reads: llm-init and llm-esr runs are the same run whatever they say. */
const GRASP_ONLY_SETTINGS = [...GRASP_MODULE_SWITCHES, 'userText', 'initFromText', 'testRetrieval', 'userRetrieval'] as const satisfies ReadonlyArray<
  keyof GraspSettings
>;

/**
 * What of a validated config decides a run: a plain run reads no `grasp` section, and the LLM baselines
 * read its text side but not the GRASP module's settings, so a changed default (or setting) they never
 * read does not make a finished run "another config".
 */
export function effectiveConfig(config: RunConfig): Omit<RunConfig, 'grasp'> & { grasp?: Partial<RunConfig['grasp']> } {
  const variant = config.variant ?? 'plain';
  if (variant === 'grasp') return config;
  const { grasp, ...rest } = config;
  if (variant === 'plain') return rest;
  const textSide: Partial<GraspSettings> = { ...grasp };
  for (const key of GRASP_ONLY_SETTINGS) delete textSide[key];
  return { ...rest, grasp: textSide };
}

/**
 * Settings added after runs were first stored, with the value a run stored without them trained with.
 * A stored config is read with these before the schema's defaults: when a default changes (whiten did),
 * a run from before the setting existed keeps meaning what it trained as.
 */
const LEGACY_GRASP_VALUES: Partial<GraspSettings> = {
  whiten: false,
  semanticScore: false,
  userRetrieval: 'sequence',
  keepItemScale: false,
  distrustGate: false,
  enrichCandidates: false,
};

/** validateConfig for a config a run folder stored (config.json): settings it predates take their legacy values. */
export function validateStoredConfig(raw: unknown, file: string): RunConfig {
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const stored = raw as { grasp?: unknown };
    const grasp = stored.grasp !== null && typeof stored.grasp === 'object' && !Array.isArray(stored.grasp) ? stored.grasp : {};
    return validateConfig({ ...stored, grasp: { ...LEGACY_GRASP_VALUES, ...grasp } }, file);
  }
  return validateConfig(raw, file);
}

/** Reads, parses and validates a config file; data.path becomes absolute (relative to the file). */
export async function loadConfig(file: string): Promise<RunConfig> {
  let text: string;
  try {
    // a FIFO or device named as the config would block the read for ever: refuse it first
    if (!(await stat(file)).isFile()) throw new ConfigError(file, '', 'is not a regular file');
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(file, '', `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, '', `is not valid JSON (${(error as Error).message})`);
  }
  const config = validateConfig(parsed, file);
  if (!isAbsolute(config.data.path)) config.data.path = resolve(dirname(resolve(file)), config.data.path);
  if (config.grasp.cacheDir && !isAbsolute(config.grasp.cacheDir)) config.grasp.cacheDir = resolve(dirname(resolve(file)), config.grasp.cacheDir);
  return config;
}
