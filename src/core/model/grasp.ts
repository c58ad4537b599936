// GRASP holistic attention (DESIGN §2 step 4) around any backbone, through its encoder hooks:
//   item level (input hook): x_i = E[i] (+ A(e_i) with itemAdapter); attention of W_q x_i over
//     m_j = E[j] (+ A(e_j)) for j ∈ {i} ∪ N_I(i), scored by the cosine of W_q x_i and W_k m_j over a
//     fixed temperature; x̃_i = LayerNorm(x_i + dropout(c_i)) (no norm with itemNorm off; rescaled to ‖x_i‖
//     with keepItemScale, GRU4Rec's default). With distrustGate, neighbour j's value is scaled by
//     exp(−θ_n r_j) and c_i by exp(−θ_s r_i), r the detector's risk of each text. Both depend on
//     the item alone, so they are computed once per distinct item of a batch and gathered to positions.
//   user level (final-state hook): r_v = mean of E over v's training items (the last maxLen, less
//     u's own training items) [+ A_u(e_v) with userText: see neighbourRepresentations];
//     g_t = attention of W'_q h_t over r_v for v ∈ N_U(u); z_t = h_t + σ(W_g [h_t; g_t; A_u(e_u)]) ⊙ g_t.
//     With prefixUsers, N_U(u, t) instead: the users retrieved for the items read up to t.
// E itself starts from the text vectors (train/variant.ts, grasp.initFromText), which is why the item
// adapter is off by default. The adapters and both value projections start at zero, and x̃ has no layer
// norm by default (itemNorm), so an untrained module adds exactly nothing: the model starts as the
// backbone with E from the text (LLM-init) and takes from the neighbours only what lowers its loss.
// Scores stay z·E (tied; with enrichCandidates z·x̃_j: the candidates read their neighbours too, through
// the same item level), and the loss is the backbone's own; with semanticScore, a candidate-aware
// semantic term: z' = z + W_s c_t and scores z'·(E_j + A_s t_j), c_t the mean text vector of the items
// read up to t (both zero at the start, like every other path). Text vectors and neighbour tables are
// frozen inputs (built from training data only, see train/textArtifacts.ts).
import { tf, type Tensor, type Tensor1D, type Tensor2D, type Tensor3D, type Variable } from '../engine/tf';
import { indexedAttention, pooledRows, unitRows } from '../engine/ops';
import { DropoutStream } from './dropout';
import type { Random } from '../util/random';
import { gatherItems } from './embedding';
import { applyDense, applyLayerNorm, type Dense, type LayerNorm } from './layers';
import { ParamStore } from './params';
import type { SequentialRecommender } from './types';
import { wrapBackbone } from './wrap';
import type { PrefixUserRetrieval } from '../retrieval/prefixUsers';

/** The frozen side GRASP reads: d_s-wide text vectors and retrieved neighbours, by DENSE ids. */
export interface GraspInputs {
  dims: number;
  /** numItems × dims */
  itemVectors: Float32Array;
  kItems: number;
  /** numItems × kItems dense item ids, -1 = none */
  itemNeighbours: Int32Array;
  /** numUsers × dims */
  userVectors: Float32Array;
  kUsers: number;
  /** numUsers × kUsers dense user ids, -1 = none */
  userNeighbours: Int32Array;
  /** similar users per position instead (grasp.userRetrieval "position"): userNeighbours is then not read by the user level */
  prefixUsers?: PrefixUserRetrieval;
  /** per item (dense), the detector's risk of its text in [0, 1] (the distrust gate reads it) */
  itemRisk?: Float32Array;
  /** each user's TRAINING items (dense ids, time order) */
  userItems: Int32Array[];
}

export interface GraspOptions {
  itemLevel: boolean;
  userLevel: boolean;
  gate: boolean;
  /** add A_u(e_v), the similar user's profile embedding, to r_v (DESIGN §2 as written; off by default, see neighbourRepresentations) */
  userText: boolean;
  /** A(e_i) added to E[i] in x and in the candidates m (DESIGN §2); false: x = E[i], m_j = E[j] */
  itemAdapter: boolean;
  /** x̃ = LayerNorm(x + c) as DESIGN §2 writes it; false: x̃ = x + c */
  itemNorm: boolean;
  /** the candidate-aware semantic term (see the header); absent: off */
  semanticScore?: boolean;
  /** false: the neighbours' rows of E enter the item level without gradient (absent: with, as always) */
  neighbourGradient?: boolean;
  /** false: the item level's attention reads E without writing to it; E learns only as the backbone's input x and its output table (absent: it writes) */
  itemLevelWrites?: boolean;
  /** x̃ rescaled to the norm of x (absent: not) */
  keepItemScale?: boolean;
  /** the distrust gate (see itemState; needs inputs.itemRisk; absent: off) */
  distrustGate?: boolean;
  /** the scoring table's item rows are x̃ too (see scoringTable; absent: E's rows) */
  enrichCandidates?: boolean;
  dropout: number;
  seed: number;
}

/** The user level's pairs (batch row → similar user, -1 none) and each computed position's K slots over them. */
interface UserSlots {
  owners: Int32Array;
  similar: Int32Array;
  /** [positions × K] pair index, -1 = no user in that slot */
  slots: Int32Array;
  /** per batch row: 0 when its user has no neighbour at all */
  anyByUser: Float32Array;
  /** per computed position: 0 when it has no neighbour at all */
  anyByRow?: Float32Array;
}

/** Item-level weights of one item: slot 0 is the item itself, then its neighbours (dense ids). */
export interface ItemAttention {
  candidates: number[];
  weights: number[];
}

/** User-level weights at one state: over the user's retrieved neighbours (dense ids), and the mean gate. */
export interface UserAttention {
  neighbours: number[];
  weights: number[];
  gate: number | null;
}

/**
 * Item-level logits are cosines divided by this temperature (range ±1/ITEM_TEMPERATURE). Why not
 * the dot product of DESIGN §2: trained rows of popular items grow, and with raw dot products one
 * large-norm candidate took most of every item's weight on Beauty whether or not it was similar
 * (docs/results.md, diagnostics). Cosines judge direction only.
 */
export const ITEM_TEMPERATURE = 0.2;

/**
 * The distrust gate's θ is this times its learned parameter φ. Why: Adam moves a parameter by about its
 * learning rate per step, so a θ learned directly moved by less than 0.1 before the best validation
 * epoch of a Scientific run (a trust of 0.92 for the riskiest text); at this scale the gate can close
 * within a few epochs if the loss asks it to.
 */
export const DISTRUST_SCALE = 20;

export class GraspModule {
  private readonly params: ParamStore;
  private readonly d: number;
  private readonly table: Variable;
  private readonly itemText: Tensor2D;
  private readonly userText: Tensor2D;
  private readonly itemAdapter: Dense;
  private readonly userAdapter: Dense;
  private readonly item: { q: Dense; k: Dense; v: Dense; norm: LayerNorm };
  private readonly user: { q: Dense; k: Dense; v: Dense; gate: { wh: Dense; wg: Variable; wu: Variable } };
  private readonly dropout: DropoutStream;
  /** the semantic term's W_s (state side) and A_s (candidate side), [dims, d] each */
  private readonly semantic?: { state: Variable; item: Variable; textScale: number };
  /** the distrust gate's φ_n (neighbours' values) and φ_s (the item's own context), θ = DISTRUST_SCALE · φ, and the risk per model id */
  private readonly distrust?: { neighbour: Variable; self: Variable; risk: Float32Array };

  get dropoutRandom(): Random {
    return this.dropout.random;
  }
  /** model id → its neighbours as model ids (0 = none), kItems per row */
  private readonly itemNeighbourIds: Int32Array;
  /** last attention weights, kept only while `recording` (explanations) */
  recording = false;
  lastItem?: { items: Int32Array; candidates: Int32Array; weights: Float32Array };
  lastUser?: { users: Int32Array; neighbours: Int32Array; weights: Float32Array; gate?: Float32Array; positions: number };

  constructor(
    private readonly model: SequentialRecommender,
    private readonly inputs: GraspInputs,
    private readonly options: GraspOptions,
  ) {
    const d = model.config.d;
    this.d = d;
    this.table = model.itemEmbedding;
    const rows = this.table.shape[0];
    const { dims } = inputs;
    if (inputs.itemVectors.length !== model.numItems * dims)
      throw new Error(`GRASP: ${inputs.itemVectors.length / dims} item text vectors for ${model.numItems} items`);
    this.params = new ParamStore(options.seed ^ 0x6a09e667);
    // Model-id rows: 0 (padding) and any extra rows (BERT4Rec's mask) have no text and no neighbours.
    const itemText = new Float32Array(rows * dims);
    itemText.set(inputs.itemVectors, dims);
    this.itemText = tf.keep(tf.tensor2d(itemText, [rows, dims]));
    this.userText = tf.keep(tf.tensor2d(inputs.userVectors, [inputs.userVectors.length / dims, dims]));
    this.itemNeighbourIds = new Int32Array(rows * inputs.kItems);
    for (let i = 0; i < model.numItems; i++)
      for (let j = 0; j < inputs.kItems; j++) this.itemNeighbourIds[(i + 1) * inputs.kItems + j] = inputs.itemNeighbours[i * inputs.kItems + j] + 1;
    // The layer norm's gain starts at the table's scale, so x̃ has the scale the backbone was tuned for.
    const scale = tableScale(this.table);
    const zero = (name: string, inputs: number): Dense => ({
      w: this.params.constant(`${name}.w`, [inputs, d], 0),
      b: this.params.constant(`${name}.b`, [d], 0),
    });
    const projection = (name: string): Dense => ({
      w: this.params.normal(`${name}.w`, [d, d], Math.sqrt(2 / (4 * d))),
      b: this.params.constant(`${name}.b`, [d], 0),
    });
    this.itemAdapter = zero('grasp.item_adapter', dims);
    this.userAdapter = zero('grasp.user_adapter', dims);
    this.item = {
      q: projection('grasp.item_attn.q'),
      k: { w: this.params.normal('grasp.item_attn.k.w', [d, d], Math.sqrt(2 / (4 * d))) },
      v: zero('grasp.item_attn.v', d),
      norm: { gamma: this.params.constant('grasp.item_ln.gamma', [d], scale), beta: this.params.constant('grasp.item_ln.beta', [d], 0), epsilon: 1e-8 },
    };
    this.user = {
      q: projection('grasp.user_attn.q'),
      k: { w: this.params.normal('grasp.user_attn.k.w', [d, d], Math.sqrt(2 / (4 * d))) },
      v: zero('grasp.user_attn.v', d),
      // W_g of [h; g; A_u(e_u)] as its three [d, d] blocks (xavier of the whole [3d, d] matrix)
      gate: {
        wh: { w: this.params.normal('grasp.gate.wh', [d, d], Math.sqrt(2 / (4 * d))), b: this.params.constant('grasp.gate.b', [d], 0) },
        wg: this.params.normal('grasp.gate.wg', [d, d], Math.sqrt(2 / (4 * d))),
        wu: this.params.normal('grasp.gate.wu', [d, d], Math.sqrt(2 / (4 * d))),
      },
    };
    this.dropout = new DropoutStream(options.seed ^ 0x3f3f3f3f);
    // created last, and only when on, so the other parameters' seeded values do not depend on the switch
    if (options.semanticScore)
      this.semantic = {
        state: this.params.constant('grasp.semantic.state', [dims, d], 0),
        item: this.params.constant('grasp.semantic.item', [dims, d], 0),
        // The candidate side reads the text at the table's scale, as llm-init writes it into E: at unit
        // scale every step of the shared A_s moved all items' scores far faster than E's own rows move.
        textScale: scale,
      };
    if (options.distrustGate) {
      if (!inputs.itemRisk || inputs.itemRisk.length !== model.numItems) throw new Error('GRASP distrust gate: needs the detector risk of every item text');
      const risk = new Float32Array(rows); // padding and mask rows: no text, no risk
      risk.set(inputs.itemRisk, 1);
      this.distrust = { neighbour: this.params.constant('grasp.distrust.neighbour', [1], 0), self: this.params.constant('grasp.distrust.self', [1], 0), risk };
    }
  }

  variables(): Array<[string, Variable]> {
    return this.params.entries();
  }

  dispose(): void {
    this.params.dispose();
    this.itemText.dispose();
    this.userText.dispose();
  }

  /** Input hook: E[ids] (base, not needed: the rows are gathered with the neighbours') → x̃ per position; padding positions stay zero. */
  inputItems(ids: Tensor2D, base: Tensor3D, training: boolean): Tensor3D {
    const [B, L] = ids.shape;
    const flat = ids.dataSync() as Int32Array;
    // Distinct items of the batch first, then the neighbours they bring: one row each.
    const local = new Map<number, number>();
    const order: number[] = [];
    const position = new Int32Array(B * L);
    for (let p = 0; p < flat.length; p++) {
      const id = flat[p];
      if (id === 0) continue;
      let at = local.get(id);
      if (at === undefined) {
        at = order.length;
        local.set(id, at);
        order.push(id);
      }
      position[p] = at + 1;
    }
    if (order.length === 0) return base;
    const x = this.itemState(Int32Array.from(order), local, order, training);
    const padded = tf.concat([tf.zeros([1, this.d]), x], 0);
    return tf.reshape(tf.gather(padded, tf.tensor1d(position, 'int32')), [B, L, this.d]) as Tensor3D;
  }

  /**
   * x̃ for the given items (model ids, [n, d]). `local`/`order` map ids to rows and are extended
   * with the neighbours; the first n rows of `order` must be `items`.
   */
  private itemState(items: Int32Array, local: Map<number, number>, order: number[], training: boolean): Tensor2D {
    const n = items.length;
    const represent = (ids: Tensor1D): Tensor2D => {
      const rows = gatherItems(this.table, ids) as Tensor2D;
      return this.options.itemAdapter ? (tf.add(rows, applyDense(this.itemAdapter, tf.gather(this.itemText, ids) as Tensor2D)) as Tensor2D) : rows;
    };
    if (!this.options.itemLevel) return represent(tf.tensor1d(items, 'int32'));
    const K = this.inputs.kItems;
    const slots = K + 1;
    // rows of `order` (−1: no neighbour in that slot)
    const candidates = new Int32Array(n * slots);
    for (let r = 0; r < n; r++) {
      candidates[r * slots] = r;
      for (let j = 0; j < K; j++) {
        const neighbour = this.itemNeighbourIds[items[r] * K + j];
        let at = neighbour <= 0 ? -1 : local.get(neighbour);
        if (at === undefined) {
          at = order.length;
          local.set(neighbour, at);
          order.push(neighbour);
        }
        candidates[r * slots + 1 + j] = at;
      }
    }
    const ids = tf.tensor1d(Int32Array.from(order), 'int32');
    let m = represent(ids); // [|C|, d]
    // x keeps its gradient as the residual's base whatever the switches say
    const x = tf.slice(m, [0, 0], [n, this.d]) as Tensor2D;
    const readOnly = this.options.itemLevelWrites === false;
    // the attention reads E without writing to it: all of it (itemLevelWrites), or the rows that are only neighbours (neighbourGradient)
    if (readOnly) m = withoutGradient(m);
    else if (this.options.neighbourGradient === false && order.length > n)
      m = tf.concat([tf.slice(m, [0, 0], [n, this.d]), withoutGradient(tf.slice(m, [n, 0], [order.length - n, this.d]))], 0);
    const q = unitRows(applyDense(this.item.q, readOnly ? (tf.slice(m, [0, 0], [n, this.d]) as Tensor2D) : x));
    const keys = unitRows(tf.matMul(m, this.item.k.w) as Tensor2D); // a key bias would only shift the cosines
    const { out, weights } = this.distrust
      ? this.distrustedAttention(q, keys, m, candidates, order, n)
      : indexedAttention(q, keys, m, candidates, 1 / ITEM_TEMPERATURE);
    if (this.recording)
      this.lastItem = {
        items: items.slice(),
        candidates: Int32Array.from(candidates, (row) => (row < 0 ? 0 : order[row])),
        weights: weights.dataSync() as Float32Array,
      };
    let context = applyDense(this.item.v, out);
    if (this.distrust) context = tf.mul(context, this.trust(this.distrust.self, order.slice(0, n))) as Tensor2D;
    const sum = tf.add(x, this.dropout.apply(context, this.options.dropout, training)) as Tensor2D;
    if (this.options.itemNorm) return applyLayerNorm(this.item.norm, sum);
    return this.options.keepItemScale ? withNormOf(sum, x) : sum;
  }

  /** exp(−θ · risk) per model id, [ids, 1], θ = DISTRUST_SCALE · φ: 1 while φ is 0, and for a text the detector finds no risk in. */
  private trust(phi: Variable, ids: number[]): Tensor2D {
    const risk = tf.tensor2d(
      Float32Array.from(ids, (id) => this.distrust!.risk[id]),
      [ids.length, 1],
    );
    return tf.exp(tf.neg(tf.mul(risk, tf.mul(phi, DISTRUST_SCALE)))) as Tensor2D;
  }

  /**
   * The item-level attention with each neighbour's value scaled by its trust. The weights are the
   * plain attention's (the same keys); an item's own slot reads its unscaled row (its own risk gates
   * its whole context instead), so the values are [the n items' rows; every row × trust] and the
   * candidate slots are renumbered into them.
   */
  private distrustedAttention(
    q: Tensor2D,
    keys: Tensor2D,
    m: Tensor2D,
    candidates: Int32Array,
    order: number[],
    n: number,
  ): { out: Tensor2D; weights: Tensor2D } {
    const slots = candidates.length / n;
    const own = (t: Tensor2D) => tf.slice(t, [0, 0], [n, this.d]) as Tensor2D;
    const values = tf.concat([own(m), tf.mul(m, this.trust(this.distrust!.neighbour, order))], 0) as Tensor2D;
    const renumbered = Int32Array.from(candidates, (row, at) => (at % slots === 0 ? row : row < 0 ? -1 : n + row));
    return indexedAttention(q, tf.concat([own(keys), keys], 0) as Tensor2D, values, renumbered, 1 / ITEM_TEMPERATURE);
  }

  /** Final-state hook: the user level (h → z), then the semantic term's state side. */
  finalState(states: Tensor3D, context: { ids: Tensor2D; users?: Int32Array; training: boolean }): Tensor3D {
    const fused = this.options.userLevel ? this.userLevel(states, context) : states;
    return this.semantic ? this.semanticState(fused, context.ids, this.semantic.state) : fused;
  }

  /**
   * The scoring table: E, or with enrichCandidates every item's x̃ in its row (padding and BERT4Rec's mask
   * row kept), plus the semantic term's candidate side T A_s (T: the frozen text rows, zero for padding and mask).
   */
  scoringTable(table: Variable): Tensor2D {
    const rows = this.options.enrichCandidates && this.options.itemLevel ? this.enrichedRows(table) : (table as unknown as Tensor2D);
    if (!this.semantic) return rows;
    return tf.add(rows, tf.mul(tf.matMul(this.itemText, this.semantic.item), this.semantic.textScale)) as Tensor2D;
  }

  /**
   * Every item's x̃, in its model-id row. No dropout: the table is read whole, the same way in training and
   * evaluation (the items read keep theirs). Not recorded: the explanations read the items of the sequence.
   */
  private enrichedRows(table: Variable): Tensor2D {
    const count = this.model.numItems;
    const items = Int32Array.from({ length: count }, (_, row) => row + 1);
    const local = new Map<number, number>();
    items.forEach((id, row) => local.set(id, row));
    const recording = this.recording;
    this.recording = false;
    let enriched: Tensor2D;
    try {
      enriched = this.itemState(items, local, Array.from(items), false);
    } finally {
      this.recording = recording;
    }
    const extra = table.shape[0] - count - 1;
    const parts = [tf.slice(table, [0, 0], [1, this.d]) as Tensor2D, enriched];
    if (extra > 0) parts.push(tf.slice(table, [count + 1, 0], [extra, this.d]) as Tensor2D);
    return tf.concat(parts, 0) as Tensor2D;
  }

  /**
   * z + c_t W_s: c_t is the mean text vector of the items the sequence has read up to t (next-item
   * models), or of the whole row (a cloze model, which reads both sides, and a last-state pass).
   * Text vectors are frozen inputs, so c_t is plain arithmetic on the ids, outside the gradient.
   */
  private semanticState(states: Tensor3D, ids: Tensor2D, weights: Variable): Tensor3D {
    const [B, L, d] = states.shape;
    const width = ids.shape[1];
    const flat = ids.dataSync() as Int32Array;
    const dims = this.inputs.dims;
    const text = this.inputs.itemVectors;
    const causal = L === width && this.model.objective === 'next';
    const means = new Float32Array(B * L * dims);
    const sum = new Float64Array(dims);
    for (let b = 0; b < B; b++) {
      sum.fill(0);
      let count = 0;
      for (let t = 0; t < width; t++) {
        const id = flat[b * width + t];
        if (id >= 1 && id <= this.model.numItems) {
          for (let c = 0; c < dims; c++) sum[c] += text[(id - 1) * dims + c];
          count++;
        }
        if (causal && count > 0) for (let c = 0; c < dims; c++) means[(b * L + t) * dims + c] = sum[c] / count;
      }
      if (!causal && count > 0) for (let t = 0; t < L; t++) for (let c = 0; c < dims; c++) means[(b * L + t) * dims + c] = sum[c] / count;
    }
    const term = tf.matMul(tf.tensor2d(means, [B * L, dims]), weights);
    return tf.add(states, tf.reshape(term, [B, L, d])) as Tensor3D;
  }

  /**
   * User-level attention and gated fusion: h → z. Only positions holding an item are computed (padding
   * states are never scored, and short sequences are mostly padding); the result is added back at
   * those positions. The gate's W_g [h; g; a] is kept as three blocks, h·W_h + g·W_g + a·W_a, so
   * nothing is concatenated or broadcast per position.
   */
  private userLevel(states: Tensor3D, context: { ids: Tensor2D; users?: Int32Array; training: boolean }): Tensor3D {
    const users = context.users;
    if (!users) throw new Error('GRASP user-level attention needs the batch users (encode(ids, training, users))');
    const [B, L, d] = states.shape;
    // rows: flat positions (b·L + t) to compute; rowUser: their batch row
    const ids = L === context.ids.shape[1] ? (context.ids.dataSync() as Int32Array) : undefined;
    const picked: number[] = [];
    for (let p = 0; p < B * L; p++) if (!ids || ids[p] !== 0) picked.push(p);
    if (picked.length === 0) return states;
    const n = picked.length;
    const rows = Int32Array.from(picked);
    const rowUser = Int32Array.from(rows, (p) => Math.floor(p / L));
    const rowUserIds = tf.tensor1d(rowUser, 'int32');
    const plan = this.inputs.prefixUsers ? this.positionSlots(users, context.ids, L, rows) : this.sequenceSlots(users, rowUser);
    const r = this.neighbourRepresentations(users, plan.owners, plan.similar); // [pairs, d]
    const h = tf.gather(tf.reshape(states, [B * L, d]), tf.tensor1d(rows, 'int32')) as Tensor2D; // [n, d]
    // projections moved to the queries' side, as at the item level (the same attention)
    const q = tf.matMul(applyDense(this.user.q, h), this.user.k.w, false, true) as Tensor2D;
    const { out, weights } = indexedAttention(q, r, r, plan.slots, 1 / Math.sqrt(d)); // weights: [n, K]
    // no dropout on g: DESIGN §2 drops only c_t
    let g = applyDense(this.user.v, out);
    // positions without any neighbour get g = 0 (their attention output is 0, but v's bias is not)
    if (plan.anyByUser.some((a) => a === 0)) g = tf.mul(g, tf.gather(tf.tensor2d(plan.anyByUser, [B, 1]), rowUserIds));
    if (plan.anyByRow?.some((a) => a === 0)) g = tf.mul(g, tf.tensor2d(plan.anyByRow, [n, 1]));
    let delta: Tensor2D = g;
    let gate: Tensor2D | undefined;
    if (this.options.gate) {
      const own = applyDense(this.userAdapter, tf.gather(this.userText, tf.tensor1d(users, 'int32')) as Tensor2D); // A_u(e_u), [B, d]
      const ownTerm = tf.gather(tf.matMul(own, this.user.gate.wu), rowUserIds); // [n, d]
      const logits = tf.add(tf.add(applyDense(this.user.gate.wh, h), tf.matMul(g, this.user.gate.wg)), ownTerm);
      gate = tf.sigmoid(logits) as Tensor2D;
      delta = tf.mul(gate, g) as Tensor2D;
    }
    if (this.recording)
      this.lastUser = {
        users: users.slice(),
        neighbours: Int32Array.from(plan.slots, (slot) => (slot < 0 ? -1 : plan.similar[slot])),
        weights: weights.dataSync() as Float32Array,
        gate: gate ? (tf.mean(gate, -1).dataSync() as Float32Array) : undefined,
        positions: n,
      };
    // Back to [B, L, d]. Padding positions were not computed and take row 0's delta: their states are
    // never scored (no target there, and inference reads the last position, which holds an item),
    // so no zero row is concatenated for them.
    if (n === B * L) return tf.add(states, tf.reshape(delta, [B, L, d])) as Tensor3D;
    const slot = new Int32Array(B * L);
    rows.forEach((p, i) => (slot[p] = i));
    return tf.add(states, tf.reshape(tf.gather(delta, tf.tensor1d(slot, 'int32')), [B, L, d])) as Tensor3D;
  }

  /**
   * Slots of the user's retrieved neighbours (DESIGN §2: one list per user): pair b·K + j is batch
   * row b's j-th similar user, and every computed position of row b attends over its K pairs.
   */
  private sequenceSlots(users: Int32Array, rowUser: Int32Array): UserSlots {
    const K = this.inputs.kUsers;
    const neighbours = this.inputs.userNeighbours;
    const owners = new Int32Array(users.length * K);
    const similar = new Int32Array(users.length * K).fill(-1);
    users.forEach((u, b) => {
      for (let j = 0; j < K; j++) {
        owners[b * K + j] = b;
        similar[b * K + j] = neighbours[u * K + j];
      }
    });
    const slots = new Int32Array(rowUser.length * K);
    rowUser.forEach((b, i) => {
      for (let j = 0; j < K; j++) slots[i * K + j] = similar[b * K + j] < 0 ? -1 : b * K + j;
    });
    const anyByUser = Float32Array.from(users, (u) => (neighbours.subarray(u * K, (u + 1) * K).some((v) => v >= 0) ? 1 : 0));
    return { owners, similar, slots, anyByUser };
  }

  /**
   * Slots of the users retrieved for each position from the items read up to it (userRetrieval
   * "position", see retrieval/prefixUsers.ts): one pair per distinct (batch row, similar user).
   * A position's item index in its row is found from the row's right-aligned items.
   */
  private positionSlots(users: Int32Array, ids: Tensor2D, L: number, rows: Int32Array): UserSlots {
    const K = this.inputs.kUsers;
    const [B, width] = ids.shape;
    const flat = ids.dataSync() as Int32Array;
    const numItems = this.model.numItems;
    const requests = Array.from(users, (user, b) => {
      const row = flat.subarray(b * width, (b + 1) * width);
      const items: number[] = [];
      for (const id of row) if (id >= 1 && id <= numItems) items.push(id - 1);
      return { user, items: Int32Array.from(items) };
    });
    const found = this.inputs.prefixUsers!.neighbours(requests);
    const pairOf = new Map<number, number>();
    const owners: number[] = [];
    const similar: number[] = [];
    const slots = new Int32Array(rows.length * K).fill(-1);
    const anyByRow = new Float32Array(rows.length);
    rows.forEach((p, i) => {
      const b = Math.floor(p / L);
      const column = L === width ? p % L : width - 1;
      const at = column - (width - requests[b].items.length);
      if (at < 0) return;
      for (let j = 0; j < K; j++) {
        const v = found[b][at * K + j];
        if (v < 0) continue;
        const key = b * this.inputs.userItems.length + v;
        let pair = pairOf.get(key);
        if (pair === undefined) {
          pair = owners.length;
          pairOf.set(key, pair);
          owners.push(b);
          similar.push(v);
        }
        slots[i * K + j] = pair;
        anyByRow[i] = 1;
      }
    });
    return { owners: Int32Array.from(owners), similar: Int32Array.from(similar), slots, anyByUser: new Float32Array(B).fill(1), anyByRow };
  }

  /**
   * r_v for every (batch row b, similar user v) pair ([pairs, d]): mean of E over v's last maxLen
   * training items that are NOT among u's own training items (u = users[b]), + A_u(e_v). Why the
   * exclusion: during training, the items u meets later in its own training sequence are the targets
   * of earlier positions, and similar users share exactly those, so r_v would hand them over (measured
   * on the demo world: the user level then fits training and loses on validation). At test time u's
   * training items are masked from the ranking anyway, so excluding them costs nothing there.
   * A_u(e_v) only with `userText`: v's profile names v's recent training items by title, which
   * carries the same shortcut and cannot be filtered per u (demo world, one seed, validation
   * NDCG@10: 0.141 with the term, 0.147 without; SASRec 0.146). A pair without a user (-1) is a zero row.
   */
  private neighbourRepresentations(users: Int32Array, owners: Int32Array, similar: Int32Array): Tensor2D {
    const maxLen = this.model.config.maxLen;
    const pairs = owners.length;
    const items: number[] = [];
    const segments: number[] = [];
    const inverse = new Float32Array(pairs);
    const ownItems = new Map<number, Set<number>>();
    for (let pair = 0; pair < pairs; pair++) {
      const v = similar[pair];
      if (v < 0) continue;
      const b = owners[pair];
      let own = ownItems.get(b);
      if (!own) ownItems.set(b, (own = new Set(this.inputs.userItems[users[b]])));
      const sequence = this.inputs.userItems[v];
      let count = 0;
      for (let i = Math.max(0, sequence.length - maxLen); i < sequence.length; i++) {
        if (own.has(sequence[i])) continue;
        items.push(sequence[i] + 1);
        segments.push(pair);
        count++;
      }
      inverse[pair] = count > 0 ? 1 / count : 0;
    }
    const text = this.options.userText
      ? applyDense(
          this.userAdapter,
          tf.gather(
            this.userText,
            tf.tensor1d(
              Int32Array.from(similar, (v) => Math.max(0, v)),
              'int32',
            ),
          ) as Tensor2D,
        )
      : undefined;
    if (items.length === 0) return text ?? (tf.zeros([pairs, this.d]) as Tensor2D);
    const mean = pooledRows(this.table, Int32Array.from(items), Int32Array.from(segments), inverse);
    return text ? (tf.add(mean, text) as Tensor2D) : mean;
  }

  /** Item-level weights of one item (dense id), as the model computes them at inference. */
  explainItem(item: number): ItemAttention {
    if (!this.options.itemLevel) return { candidates: [item], weights: [1] };
    const id = item + 1;
    this.recording = true;
    try {
      tf.tidy(() => this.itemState(Int32Array.of(id), new Map([[id, 0]]), [id], false));
      const last = this.lastItem!;
      const slots = this.inputs.kItems + 1;
      const candidates: number[] = [];
      const weights: number[] = [];
      for (let j = 0; j < slots; j++) {
        if (j > 0 && this.itemNeighbourIds[id * this.inputs.kItems + j - 1] <= 0) continue;
        candidates.push(last.candidates[j] - 1);
        weights.push(last.weights[j]);
      }
      return { candidates, weights };
    } finally {
      this.recording = false;
      this.lastItem = undefined;
    }
  }

  /**
   * User-level weights for one user at inference: the model reads `inputRow` (its inferenceRow) and
   * the weights at the last position, which predicts the next item, are returned.
   */
  explainUser(user: number, inputRow: Int32Array): UserAttention {
    if (!this.options.userLevel) return { neighbours: [], weights: [], gate: null };
    this.recording = true;
    try {
      tf.tidy(() => {
        const ids = tf.tensor2d(inputRow, [1, inputRow.length], 'int32') as Tensor2D;
        return this.model.encodeLast ? this.model.encodeLast(ids, Int32Array.of(user)) : this.model.encode(ids, false, Int32Array.of(user));
      });
      const last = this.lastUser;
      if (!last) return { neighbours: [], weights: [], gate: null };
      const K = this.inputs.kUsers;
      const offset = (last.positions - 1) * K;
      const neighbours: number[] = [];
      const weights: number[] = [];
      for (let j = 0; j < K; j++) {
        const v = last.neighbours[offset + j];
        if (v < 0) continue;
        neighbours.push(v);
        weights.push(last.weights[offset + j]);
      }
      return { neighbours, weights, gate: last.gate ? last.gate[last.positions - 1] : null };
    } finally {
      this.recording = false;
      this.lastUser = undefined;
    }
  }
}

/**
 * rows · ‖reference row‖ / ‖row‖. While the context is zero the ratio is exactly 1 (the same
 * arithmetic on the same numbers), so the module still starts exactly at LLM-init.
 */
function withNormOf(rows: Tensor2D, reference: Tensor2D): Tensor2D {
  const norm = (t: Tensor2D) => tf.sqrt(tf.sum(tf.square(t), -1, true));
  return tf.mul(rows, tf.div(norm(reference), tf.maximum(norm(rows), 1e-12))) as Tensor2D;
}

/** The identity whose gradient is zero (tfjs has no stop-gradient op). */
const withoutGradient = tf.customGrad((...inputs) => ({
  value: tf.clone(inputs[0] as Tensor),
  gradFunc: (dy: Tensor | Tensor[]) => tf.zerosLike(dy as Tensor),
})) as <T extends Tensor>(x: T) => T;

/** Mean of E over each user's last maxLen training items ([n, d]; 0 for a user without any). */
export function meanItemEmbedding(table: Variable, userItems: Int32Array[], maxLen: number, users: Int32Array): Tensor2D {
  let total = 0;
  for (const v of users) total += Math.min(maxLen, userItems[v].length);
  const items = new Int32Array(total);
  const segments = new Int32Array(total);
  const inverse = new Float32Array(users.length);
  let at = 0;
  users.forEach((v, row) => {
    const sequence = userItems[v];
    const start = Math.max(0, sequence.length - maxLen);
    for (let i = start; i < sequence.length; i++) {
      items[at] = sequence[i] + 1;
      segments[at++] = row;
    }
    inverse[row] = sequence.length > start ? 1 / (sequence.length - start) : 0;
  });
  if (total === 0) return tf.zeros([users.length, table.shape[1]!]) as Tensor2D;
  return pooledRows(table, items, segments, inverse);
}

/** RMS of the item table's real rows (row 0 is padding). */
export function tableScale(table: Variable): number {
  const values = table.dataSync() as Float32Array;
  const d = table.shape[1]!;
  let sum = 0;
  for (let i = d; i < values.length; i++) sum += values[i] * values[i];
  const rms = Math.sqrt(sum / Math.max(1, values.length - d));
  return rms > 0 ? rms : 0.02;
}

/** Wraps a backbone with GRASP through its hooks; the module is disposed with the model. */
export function attachGrasp(model: SequentialRecommender, inputs: GraspInputs, options: GraspOptions): GraspModule {
  return wrapBackbone(
    model,
    () => new GraspModule(model, inputs, options),
    (module) => ({
      inputItems: (ids, base, training) => module.inputItems(ids, base, training),
      finalState: (states, context) => module.finalState(states, context),
      ...(options.semanticScore || options.enrichCandidates ? { scoringTable: (table: Variable) => module.scoringTable(table) } : {}),
      variables: () => module.variables(),
      randomStreams: () => [module.dropoutRandom],
    }),
  );
}
