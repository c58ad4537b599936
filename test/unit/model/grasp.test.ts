// GRASP's holistic attention (src/core/model/grasp.ts) and the LLM baselines on tiny synthetic
// inputs: attention numerics, gradients into the adapters, each ablation flag, every backbone.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initEngine } from '../../../src/core/engine/backend';
import { tf, type Tensor2D } from '../../../src/core/engine/tf';
import { createModel, type ModelConfig, type SequentialRecommender } from '../../../src/core/model';
import { attachGrasp, DISTRUST_SCALE, type GraspInputs, type GraspModule, type GraspOptions } from '../../../src/core/model/grasp';
import { attachLlmEsr, initFromText } from '../../../src/core/model/llmBaselines';
import { NextItemSampler } from '../../../src/core/train/sampler';
import { batchLoss } from '../../../src/core/train/step';
import { scoringTable } from '../../../src/core/model/embedding';
import { evaluate } from '../../../src/core/eval/evaluator';
import { leaveOneOut } from '../../../src/core/data/split';
import { validateConfig } from '../../../src/core/train/config';
import { Random } from '../../../src/core/util/random';
import { PrefixUserRetrieval } from '../../../src/core/retrieval/prefixUsers';
import { TINY_ITEMS as NUM_ITEMS, TINY_TRAIN as train, tinyBatch } from './tiny';

function inputs(overrides: Partial<GraspInputs> = {}): GraspInputs {
  const random = new Random(11);
  const dims = 4;
  const kItems = 3;
  const kUsers = 2;
  const itemNeighbours = new Int32Array(NUM_ITEMS * kItems).map((_, i) => (Math.floor(i / kItems) + 1 + (i % kItems)) % NUM_ITEMS);
  itemNeighbours[5 * kItems + 2] = -1; // item 5 has a missing slot
  return {
    dims,
    itemVectors: Float32Array.from({ length: NUM_ITEMS * dims }, () => random.next() * 2 - 1),
    kItems,
    itemNeighbours,
    userVectors: Float32Array.from({ length: train.length * dims }, () => random.next() * 2 - 1),
    kUsers,
    userNeighbours: Int32Array.from([1, 2, 0, 3, 3, -1, 0, 1]),
    userItems: train,
    ...overrides,
  };
}

const ALL: GraspOptions = { itemLevel: true, userLevel: true, gate: true, userText: true, itemAdapter: true, itemNorm: true, dropout: 0, seed: 1 };
const sasrec: ModelConfig = { kind: 'sasrec', d: 8, layers: 1, heads: 1, dropout: 0, maxLen: 5 };

before(async () => {
  await initEngine({});
});

/**
 * attachGrasp, then seeded random values in the zero-initialised GRASP weights (adapters, value
 * projections), as if trained: an untrained module adds nothing, so the ablations would not show.
 */
function attachTrained(model: SequentialRecommender, given: GraspInputs, options: GraspOptions): GraspModule {
  const module = attachGrasp(model, given, options);
  const random = new Random(17);
  for (const [name, variable] of module.variables()) {
    if (!/(adapter|attn\.v)\.w$/.test(name)) continue; // biases stay 0
    variable.assign(
      tf.tensor(
        Float32Array.from({ length: variable.size }, () => (random.next() * 2 - 1) * 0.3),
        variable.shape,
      ),
    );
  }
  return module;
}

function encodeOnce(config: ModelConfig, options: GraspOptions | null, given = inputs()): Float32Array {
  const model = createModel(config, NUM_ITEMS, 3);
  try {
    if (options) attachTrained(model, given, options);
    return tf.tidy(() => {
      const ids = tf.tensor2d(Int32Array.from([0, 1, 2, 3, 4, 0, 0, 6, 5, 6]), [2, 5], 'int32');
      return model.encode(ids as Tensor2D, false, Int32Array.of(0, 2)).dataSync() as Float32Array;
    });
  } finally {
    model.dispose();
  }
}

/** Test ranks from evaluate with the model's scoring-table hook, and with the hook taken away (then put back). */
async function testRanksWithAndWithoutTable(model: SequentialRecommender): Promise<{ withTable: number[]; withoutTable: number[] }> {
  const split = leaveOneOut(train);
  const ranked = async () => Array.from((await evaluate(model, split, 'test', { sampled: 0 })).ranks);
  const withTable = await ranked();
  const hook = model.hooks.scoringTable;
  delete model.hooks.scoringTable;
  try {
    return { withTable, withoutTable: await ranked() };
  } finally {
    model.hooks.scoringTable = hook;
  }
}

function differs(a: Float32Array, b: Float32Array): boolean {
  return a.some((value, i) => Math.abs(value - b[i]) > 1e-6);
}

test('item-level weights are a softmax over the item itself and its neighbours (missing slots get none)', () => {
  const model = createModel(sasrec, NUM_ITEMS, 3);
  try {
    const module = attachTrained(model, inputs(), ALL);
    for (const item of [0, 5, 11]) {
      const { candidates, weights } = module.explainItem(item);
      assert.equal(candidates[0], item, 'slot 0 is the item itself');
      assert.equal(candidates.length, item === 5 ? 3 : 4);
      assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-5, `weights of ${item} sum to 1: ${weights}`);
      assert.ok(weights.every((w) => w > 0));
    }
    const user = module.explainUser(2, Int32Array.from([0, 0, 4, 5, 6]));
    assert.deepEqual(user.neighbours, [3]);
    assert.ok(Math.abs(user.weights[0] - 1) < 1e-6, 'one neighbour takes all the weight');
    assert.ok(user.gate !== null && user.gate > 0 && user.gate < 1);
  } finally {
    model.dispose();
  }
});

test('neighbours identical to the item give the same output as no neighbours at all', () => {
  // Items 0 and 1 made identical (same E row and text): item 0 with neighbour 1 must equal item 0 alone.
  const base = inputs();
  const vectors = base.itemVectors.slice();
  vectors.set(vectors.subarray(0, base.dims), base.dims);
  const withTwin = inputs({ itemVectors: vectors, kItems: 1, itemNeighbours: Int32Array.from({ length: NUM_ITEMS }, (_, i) => (i === 0 ? 1 : -1)) });
  const alone = inputs({ itemVectors: vectors, kItems: 1, itemNeighbours: new Int32Array(NUM_ITEMS).fill(-1) });
  const run = (given: GraspInputs): Float32Array => {
    const model = createModel(sasrec, NUM_ITEMS, 3);
    try {
      const table = model.itemEmbedding.arraySync() as number[][];
      table[2] = table[1].slice();
      model.itemEmbedding.assign(tf.tensor2d(table));
      attachTrained(model, given, { ...ALL, userLevel: false });
      return tf.tidy(() => model.encode(tf.tensor2d(Int32Array.from([0, 0, 0, 3, 1]), [1, 5], 'int32') as Tensor2D, false).dataSync() as Float32Array);
    } finally {
      model.dispose();
    }
  };
  const a = run(withTwin);
  const b = run(alone);
  assert.ok(!differs(a, b), 'same output');
  // and a neighbour that is NOT identical changes it
  const other = run(inputs({ itemVectors: vectors, kItems: 1, itemNeighbours: Int32Array.from({ length: NUM_ITEMS }, (_, i) => (i === 0 ? 7 : -1)) }));
  assert.ok(differs(a, other));
});

test('each ablation flag changes the computation; all off leaves only the adapter input', () => {
  const full = encodeOnce(sasrec, ALL);
  const plain = encodeOnce(sasrec, null);
  assert.ok(differs(full, plain));
  for (const flag of ['itemLevel', 'userLevel', 'gate', 'userText', 'itemAdapter', 'itemNorm'] as const)
    assert.ok(differs(full, encodeOnce(sasrec, { ...ALL, [flag]: false })), `${flag}: false changes the output`);
  const random = new Random(5);
  const noise = inputs({
    itemVectors: Float32Array.from({ length: NUM_ITEMS * 4 }, () => random.next()),
    userVectors: Float32Array.from({ length: train.length * 4 }, () => random.next()),
  });
  assert.ok(differs(full, encodeOnce(sasrec, ALL, noise)), 'other text vectors change the output');
  // without the item adapter the item texts are not read (the user texts still are, by the gate)
  const otherItems = inputs({ itemVectors: Float32Array.from({ length: NUM_ITEMS * 4 }, () => random.next()) });
  assert.ok(
    !differs(encodeOnce(sasrec, { ...ALL, itemAdapter: false }), encodeOnce(sasrec, { ...ALL, itemAdapter: false }, otherItems)),
    'itemAdapter: false ignores the item texts',
  );
  assert.ok(differs(full, encodeOnce(sasrec, ALL, otherItems)), 'with it, they count');
  // gate off and user level off differ from each other too (z = h + g vs z = h)
  assert.ok(differs(encodeOnce(sasrec, { ...ALL, gate: false }), encodeOnce(sasrec, { ...ALL, userLevel: false })));
});

test('an untrained module adds nothing: neither the neighbours nor the texts change the output, yet every zero-initialised weight gets a gradient', () => {
  const run = (given: GraspInputs): Float32Array => {
    const model = createModel(sasrec, NUM_ITEMS, 3);
    try {
      attachGrasp(model, given, ALL);
      return tf.tidy(
        () =>
          model
            .encode(tf.tensor2d(Int32Array.from([0, 1, 2, 3, 4, 0, 0, 6, 5, 6]), [2, 5], 'int32') as Tensor2D, false, Int32Array.of(0, 2))
            .dataSync() as Float32Array,
      );
    } finally {
      model.dispose();
    }
  };
  const random = new Random(5);
  const base = run(inputs());
  assert.ok(
    !differs(base, run(inputs({ itemNeighbours: new Int32Array(NUM_ITEMS * 3).fill(-1), userNeighbours: new Int32Array(8).fill(-1) }))),
    'no neighbours: same output',
  );
  assert.ok(
    !differs(
      base,
      run(
        inputs({
          itemVectors: Float32Array.from({ length: NUM_ITEMS * 4 }, () => random.next()),
          userVectors: Float32Array.from({ length: train.length * 4 }, () => random.next()),
        }),
      ),
    ),
    'other texts: same output',
  );
  const model = createModel(sasrec, NUM_ITEMS, 3);
  try {
    attachGrasp(model, inputs(), ALL);
    const batch = new NextItemSampler(train, NUM_ITEMS, sasrec.maxLen, { kind: 'per-position', count: 2 }, new Random(5)).batch(Int32Array.from([0, 1, 2, 3]));
    const named = model.namedVariables();
    const { value, grads } = tf.variableGrads(
      () => batchLoss(model, batch, 'bce'),
      named.map(([, v]) => v),
    );
    for (const name of ['grasp.item_adapter.w', 'grasp.item_attn.v.w', 'grasp.user_attn.v.w']) {
      const variable = named.find(([n]) => n === name)![1];
      assert.ok(
        (variable.dataSync() as Float32Array).every((w) => w === 0),
        `${name} starts at zero`,
      );
      assert.ok(
        (grads[variable.name].dataSync() as Float32Array).some((g) => g !== 0),
        `gradient into ${name}`,
      );
    }
    tf.dispose([value, ...Object.values(grads)]);
  } finally {
    model.dispose();
  }
});

test('padding positions stay zero through the input hook', () => {
  const model = createModel({ ...sasrec, kind: 'gru4rec' }, NUM_ITEMS, 3);
  try {
    attachTrained(model, inputs(), ALL);
    const x = tf.tidy(() => {
      const ids = tf.tensor2d(Int32Array.from([0, 0, 1, 2, 3]), [1, 5], 'int32') as Tensor2D;
      return model.hooks.inputItems!(ids, tf.gather(model.itemEmbedding, ids) as tf.Tensor3D, false).dataSync() as Float32Array;
    });
    assert.ok(x.subarray(0, 16).every((v) => v === 0));
    assert.ok(x.subarray(16).some((v) => v !== 0));
  } finally {
    model.dispose();
  }
});

for (const config of [sasrec, { ...sasrec, kind: 'gru4rec' as const }, { ...sasrec, kind: 'bert4rec' as const, heads: 2, maskProb: 0.4 }]) {
  test(`${config.kind} wraps: loss is finite and gradients reach the adapters, the attention and E`, () => {
    const model = createModel(config, NUM_ITEMS, 3);
    try {
      attachTrained(model, inputs(), ALL);
      const batch = tinyBatch(model);
      const named = model.namedVariables();
      const names = named.map(([name]) => name);
      for (const name of ['grasp.item_adapter.w', 'grasp.user_adapter.w', 'grasp.item_attn.q.w', 'grasp.user_attn.k.w', 'grasp.gate.wh'])
        assert.ok(names.includes(name), name);
      const { value, grads } = tf.variableGrads(
        () => batchLoss(model, batch, model.objective === 'cloze' ? 'ce' : 'bce'),
        named.map(([, v]) => v),
      );
      assert.ok(Number.isFinite(value.dataSync()[0]));
      const norm = (name: string): number => {
        const variable = named.find(([n]) => n === name)![1];
        return Math.sqrt((grads[variable.name].dataSync() as Float32Array).reduce((s, g) => s + g * g, 0));
      };
      for (const name of ['grasp.item_adapter.w', 'grasp.user_adapter.w', 'grasp.item_attn.k.w', 'grasp.user_attn.q.w', 'grasp.gate.wh', 'item_emb'])
        assert.ok(norm(name) > 0, `gradient into ${name}`);
      // the padding row of E gets no gradient (it must stay zero)
      const table = named.find(([n]) => n === 'item_emb')![1];
      assert.ok(
        (grads[table.name].dataSync() as Float32Array).subarray(0, config.d).every((g) => g === 0),
        'no gradient into the padding row',
      );
      tf.dispose([value, ...Object.values(grads)]);
    } finally {
      model.dispose();
    }
  });
}

test('BERT4Rec: the mask token has no text and no neighbours, so a masked position attends to itself only', () => {
  const model = createModel({ ...sasrec, kind: 'bert4rec', maskProb: 0.4 }, NUM_ITEMS, 3);
  try {
    const module = attachTrained(model, inputs(), ALL);
    assert.equal(model.itemEmbedding.shape[0], NUM_ITEMS + 2);
    const out = tf.tidy(
      () =>
        model
          .encode(tf.tensor2d(Int32Array.from([0, 1, 2, 3, NUM_ITEMS + 1]), [1, 5], 'int32') as Tensor2D, false, Int32Array.of(1))
          .dataSync() as Float32Array,
    );
    assert.ok(out.every(Number.isFinite));
    module.recording = true;
    tf.tidy(() =>
      model.hooks.inputItems!(
        tf.tensor2d(Int32Array.from([0, 0, 0, 0, NUM_ITEMS + 1]), [1, 5], 'int32') as Tensor2D,
        tf.zeros([1, 5, 8]) as tf.Tensor3D,
        false,
      ),
    );
    assert.equal(module.lastItem!.weights[0], 1, 'all weight on the mask token itself');
  } finally {
    model.dispose();
  }
});

test('llm-init copies the scaled text vectors into E; llm-esr adds a distillation term only in training', () => {
  const model = createModel(sasrec, NUM_ITEMS, 3);
  try {
    const given = inputs();
    const before = model.itemEmbedding.arraySync() as number[][];
    initFromText(model, given.itemVectors, given.dims);
    const after = model.itemEmbedding.arraySync() as number[][];
    assert.deepEqual(after[0], before[0], 'padding row untouched');
    const ratio = after[1][0] / given.itemVectors[0];
    assert.ok(Math.abs(after[2][1] / given.itemVectors[given.dims + 1] - ratio) < 1e-4, 'one common scale');
    assert.deepEqual(after[1].slice(given.dims), before[1].slice(given.dims), 'columns beyond d_s keep their init');
  } finally {
    model.dispose();
  }
  const esr = createModel(sasrec, NUM_ITEMS, 3);
  try {
    attachLlmEsr(esr, inputs(), { distillWeight: 0.5, seed: 1 });
    const batch = new NextItemSampler(train, NUM_ITEMS, 5, { kind: 'per-position', count: 1 }, new Random(5)).batch(Int32Array.from([0, 1, 2, 3]));
    const named = esr.namedVariables();
    const withTerm = tf.tidy(() => batchLoss(esr, batch, 'bce').dataSync()[0]);
    const { grads } = tf.variableGrads(
      () => batchLoss(esr, batch, 'bce'),
      named.map(([, v]) => v),
    );
    assert.ok(
      (grads[named.find(([n]) => n === 'llmesr.adapter.w')![1].name].dataSync() as Float32Array).some((g) => g !== 0),
      'gradient into the semantic adapter',
    );
    tf.tidy(() => esr.encode(tf.tensor2d(batch.input, [4, 5], 'int32') as Tensor2D, false, batch.users));
    assert.equal(esr.hooks.auxiliaryLoss!(), undefined, 'no distillation term outside training');
    esr.hooks = { ...esr.hooks, auxiliaryLoss: undefined };
    const without = tf.tidy(() => batchLoss(esr, batch, 'bce').dataSync()[0]);
    assert.ok(withTerm > without, `distillation adds to the loss (${withTerm} vs ${without})`);
  } finally {
    esr.dispose();
  }
});

test('GRASP-SASRec loss and gradients on wasm (the fast kernels) match the reference cpu backend', async () => {
  const run = (): { loss: number; grads: Map<string, Float32Array> } => {
    const model = createModel({ ...sasrec, dropout: 0.2 }, NUM_ITEMS, 3);
    try {
      attachTrained(model, inputs(), { ...ALL, dropout: 0.2 });
      const batch = new NextItemSampler(train, NUM_ITEMS, 5, { kind: 'per-position', count: 2 }, new Random(5)).batch(Int32Array.from([0, 1, 2, 3]));
      const named = model.namedVariables();
      const { value, grads } = tf.variableGrads(
        () => batchLoss(model, batch, 'bce'),
        named.map(([, v]) => v),
      );
      const out = new Map(named.map(([name, v]) => [name, grads[v.name].dataSync() as Float32Array]));
      const loss = value.dataSync()[0];
      tf.dispose([value, ...Object.values(grads)]);
      return { loss, grads: out };
    } finally {
      model.dispose();
    }
  };
  await initEngine({ backend: 'cpu', native: false, fused: false });
  const expected = run();
  await initEngine({ backend: 'wasm' });
  const actual = run();
  assert.ok(Math.abs(expected.loss - actual.loss) < 1e-4 * (1 + Math.abs(expected.loss)), `loss ${expected.loss} vs ${actual.loss}`);
  for (const [name, e] of expected.grads) {
    const a = actual.grads.get(name)!;
    const scale = Math.max(1e-6, ...Array.from(e, Math.abs));
    const worst = Math.max(...Array.from(e, (x, i) => Math.abs(x - a[i])));
    assert.ok(worst <= 1e-3 * scale + 1e-7, `${name}: max difference ${worst} (scale ${scale})`);
  }
});

test("r_v leaves out the query user's own training items (they are its later targets in training)", () => {
  // user 0 = [0..5]; its only similar user holds items inside user 0's set, then one item outside it
  const run = (similarItems: number[]): Float32Array => {
    const model = createModel(sasrec, NUM_ITEMS, 3);
    try {
      const userItems = [train[0], Int32Array.from(similarItems), train[2], train[3]];
      attachTrained(model, inputs({ userItems, userNeighbours: Int32Array.from([1, -1, 0, -1, 0, -1, 0, -1]) }), { ...ALL, userText: false });
      return tf.tidy(
        () => model.encode(tf.tensor2d(Int32Array.from([1, 2, 3, 4, 5]), [1, 5], 'int32') as Tensor2D, false, Int32Array.of(0)).dataSync() as Float32Array,
      );
    } finally {
      model.dispose();
    }
  };
  const inside = run([1, 2, 3]);
  const model = createModel(sasrec, NUM_ITEMS, 3);
  let noUser: Float32Array;
  try {
    attachTrained(model, inputs(), { ...ALL, userLevel: false });
    noUser = tf.tidy(
      () => model.encode(tf.tensor2d(Int32Array.from([1, 2, 3, 4, 5]), [1, 5], 'int32') as Tensor2D, false, Int32Array.of(0)).dataSync() as Float32Array,
    );
  } finally {
    model.dispose();
  }
  assert.ok(!differs(inside, noUser), 'only own items: r_v is empty, so the user level adds nothing (W_v bias starts at 0)');
  assert.ok(differs(run([1, 2, 9]), noUser), 'an item the user has not had reaches it');
});

test('with its default settings an untrained GRASP model is LLM-init exactly: same scores, same training loss at step 0 (same seed)', () => {
  const defaults = validateConfig({ data: { path: 'x' }, model: { kind: 'sasrec' }, variant: 'grasp' }, 'grasp.json').grasp;
  const config: ModelConfig = { ...sasrec, dropout: 0.2 };
  const given = inputs();
  const build = (withGrasp: boolean): SequentialRecommender => {
    const model = createModel(config, NUM_ITEMS, 3);
    initFromText(model, given.itemVectors, given.dims);
    if (withGrasp)
      attachGrasp(model, given, {
        itemLevel: defaults.itemLevel,
        userLevel: defaults.userLevel,
        gate: defaults.gate,
        userText: defaults.userText,
        itemAdapter: defaults.itemAdapter,
        itemNorm: defaults.itemNorm,
        dropout: 0.2,
        seed: 3,
      });
    return model;
  };
  const llmInit = build(false);
  const grasp = build(true);
  try {
    const ids = Int32Array.from([0, 1, 2, 3, 4, 0, 0, 6, 5, 6]);
    const scores = (model: SequentialRecommender) =>
      tf.tidy(() => {
        const states = model.encode(tf.tensor2d(ids, [2, 5], 'int32') as Tensor2D, false, Int32Array.of(0, 2));
        return tf.matMul(tf.reshape(states, [10, config.d]), model.itemEmbedding, false, true).dataSync() as Float32Array;
      });
    assert.deepEqual(scores(grasp), scores(llmInit), 'every score identical, not merely close');
    const batch = new NextItemSampler(train, NUM_ITEMS, config.maxLen, { kind: 'per-position', count: 1 }, new Random(5)).batch(Int32Array.from([0, 1, 2, 3]));
    const loss = (model: SequentialRecommender) => tf.tidy(() => batchLoss(model, batch, 'bce').dataSync()[0]);
    assert.equal(loss(grasp), loss(llmInit), 'training loss with dropout: identical');
  } finally {
    llmInit.dispose();
    grasp.dispose();
  }
});

test('the semantic term starts at zero (scores and the full-CE loss equal LLM-init), learns through both sides, reads the history causally, and is what evaluate ranks with', async () => {
  const given = inputs();
  const build = (semanticScore: boolean, kind: ModelConfig['kind'] = 'sasrec'): SequentialRecommender => {
    const model = createModel({ ...sasrec, kind, ...(kind === 'bert4rec' ? { heads: 2, maskProb: 0.4 } : {}) }, NUM_ITEMS, 3);
    initFromText(model, given.itemVectors, given.dims);
    attachGrasp(model, given, { ...ALL, userText: false, itemAdapter: false, itemNorm: false, semanticScore });
    return model;
  };
  const ids = Int32Array.from([0, 1, 2, 3, 4, 0, 0, 6, 5, 6]);
  const scores = (model: SequentialRecommender): Float32Array =>
    tf.tidy(() => {
      const states = model.encode(tf.tensor2d(ids, [2, 5], 'int32') as Tensor2D, false, Int32Array.of(0, 2));
      return tf.matMul(tf.reshape(states, [10, sasrec.d]), scoringTable(model), false, true).dataSync() as Float32Array;
    });
  const off = build(false);
  const on = build(true);
  try {
    assert.deepEqual(scores(on), scores(off), 'untrained: every score identical');
    const batch = new NextItemSampler(train, NUM_ITEMS, sasrec.maxLen, { kind: 'per-position', count: 1 }, new Random(5)).batch(Int32Array.from([0, 1, 2, 3]));
    assert.equal(
      tf.tidy(() => batchLoss(on, batch, 'ce').dataSync()[0]),
      tf.tidy(() => batchLoss(off, batch, 'ce').dataSync()[0]),
    );
    const named = on.namedVariables();
    const { value, grads } = tf.variableGrads(
      () => batchLoss(on, batch, 'ce'),
      named.map(([, v]) => v),
    );
    for (const name of ['grasp.semantic.state', 'grasp.semantic.item']) {
      const variable = named.find(([n]) => n === name)![1];
      assert.ok(
        (grads[variable.name].dataSync() as Float32Array).some((g) => g !== 0),
        `gradient into ${name}`,
      );
    }
    tf.dispose([value, ...Object.values(grads)]);
    // trained state side: position t reads the items up to t only (a later item leaves earlier states alone)
    const stateSide = named.find(([n]) => n === 'grasp.semantic.state')![1];
    stateSide.assign(tf.fill(stateSide.shape, 0.5));
    const states = (row: number[]) =>
      tf.tidy(() => on.encode(tf.tensor2d(Int32Array.from(row), [1, 5], 'int32') as Tensor2D, false, Int32Array.of(0)).dataSync() as Float32Array);
    const a = states([0, 1, 2, 3, 4]);
    const b = states([0, 1, 2, 3, 7]);
    assert.ok(!differs(a.subarray(0, 4 * sasrec.d), b.subarray(0, 4 * sasrec.d)), 'earlier positions unchanged');
    assert.ok(differs(a.subarray(4 * sasrec.d), b.subarray(4 * sasrec.d)), 'the last position reads the new item');
    // the evaluator ranks through the same table: without the candidate side the ranks change
    const itemSide = named.find(([n]) => n === 'grasp.semantic.item')![1];
    const random = new Random(9);
    itemSide.assign(
      tf.tensor(
        Float32Array.from({ length: itemSide.size }, () => (random.next() * 2 - 1) * 5),
        itemSide.shape,
      ),
    );
    const { withTable, withoutTable } = await testRanksWithAndWithoutTable(on);
    assert.notDeepEqual(withTable, withoutTable, 'evaluate scores against the semantic table');
  } finally {
    on.dispose();
    off.dispose();
  }
  const cloze = build(true, 'bert4rec');
  try {
    const batch = tinyBatch(cloze);
    const value = tf.tidy(() => batchLoss(cloze, batch, 'ce').dataSync()[0]);
    assert.ok(Number.isFinite(value), 'BERT4Rec with the semantic term trains');
  } finally {
    cloze.dispose();
  }
});

test('similar users per position: each position attends over the users retrieved for the items read up to it; untrained, it is LLM-init exactly', () => {
  const given = inputs();
  const retrieval = new PrefixUserRetrieval(given.itemVectors, given.dims, train, sasrec.maxLen, given.kUsers);
  const positional = { ...given, prefixUsers: retrieval };
  // rows as the model reads them: left-padded model ids
  const rows = Int32Array.from([0, 1, 2, 3, 4, 0, 0, 6, 5, 6]);
  const users = Int32Array.of(0, 2);
  const model = createModel(sasrec, NUM_ITEMS, 3);
  const llmInit = createModel(sasrec, NUM_ITEMS, 3);
  initFromText(model, given.itemVectors, given.dims);
  initFromText(llmInit, given.itemVectors, given.dims);
  try {
    const module = attachGrasp(model, positional, { ...ALL, userText: false, itemAdapter: false, itemNorm: false });
    const encode = (m: SequentialRecommender) =>
      tf.tidy(() => m.encode(tf.tensor2d(rows, [2, 5], 'int32') as Tensor2D, false, users).dataSync() as Float32Array);
    assert.deepEqual(encode(model), encode(llmInit), 'every residual path at zero: identical states');
    module.recording = true;
    encode(model);
    const recorded = module.lastUser!;
    module.recording = false;
    // computed positions: row 0 columns 1-4 (items 0,1,2,3), row 1 columns 2-4 (items 5,4,5)
    const items = [Int32Array.of(0, 1, 2, 3), Int32Array.of(5, 4, 5)];
    const expected = retrieval.neighbours(items.map((row, b) => ({ user: users[b], items: row })));
    assert.equal(recorded.positions, 7);
    assert.deepEqual(Array.from(recorded.neighbours), [...expected[0], ...expected[1]]);
    const perPosition = Array.from({ length: 4 }, (_, t) => Array.from(expected[0].subarray(t * given.kUsers, (t + 1) * given.kUsers)).join());
    assert.ok(new Set(perPosition).size > 1, 'the neighbours change along the sequence (else this test shows nothing)');
    // inference reads the last position: explainUser names the users retrieved for the whole row
    const explained = module.explainUser(0, rows.subarray(0, 5));
    assert.deepEqual(
      explained.neighbours,
      Array.from(expected[0].subarray(3 * given.kUsers)).filter((v) => v >= 0),
    );
    // a later item changes the later positions' users only: a position never reads ahead
    const searched = retrieval.searched;
    retrieval.neighbours([{ user: 0, items: Int32Array.of(0, 1, 2, 3) }]);
    assert.equal(retrieval.searched, searched, 'rows already read come from the cache');
    // trained: the per-position users change the states, and the sequence-level lists give other states
    const trained = createModel(sasrec, NUM_ITEMS, 3);
    const sequenceLevel = createModel(sasrec, NUM_ITEMS, 3);
    try {
      attachTrained(trained, positional, { ...ALL, userText: false });
      attachTrained(sequenceLevel, given, { ...ALL, userText: false });
      assert.ok(differs(encode(trained), encode(sequenceLevel)));
    } finally {
      trained.dispose();
      sequenceLevel.dispose();
    }
  } finally {
    model.dispose();
    llmInit.dispose();
  }
  assert.throws(
    () => validateConfig({ data: { path: 'x' }, model: { kind: 'bert4rec' }, variant: 'grasp', grasp: { userRetrieval: 'position' } }, 'run.json'),
    /run\.json: grasp\.userRetrieval "position" needs a next-item backbone/,
  );
  assert.equal(validateConfig({ data: { path: 'x' }, model: { kind: 'sasrec' }, variant: 'grasp' }, 'run.json').grasp.userRetrieval, 'sequence');
});

test('neighbourGradient false: same loss, and the item level no longer writes to rows of E that are only neighbours', () => {
  const given = inputs();
  const batch = new NextItemSampler(train, NUM_ITEMS, sasrec.maxLen, { kind: 'per-position', count: 1 }, new Random(5)).batch(Int32Array.from([1]));
  const gradient = (neighbourGradient: boolean) => {
    const model = createModel(sasrec, NUM_ITEMS, 3);
    try {
      attachTrained(model, given, { ...ALL, userLevel: false, neighbourGradient });
      const { value, grads } = tf.variableGrads(() => batchLoss(model, batch, 'bce'), [model.itemEmbedding]);
      const result = { loss: value.dataSync()[0], table: grads[model.itemEmbedding.name].dataSync() as Float32Array };
      tf.dispose([value, ...Object.values(grads)]);
      return result;
    } finally {
      model.dispose();
    }
  };
  const withGradient = gradient(true);
  const without = gradient(false);
  assert.equal(without.loss, withGradient.loss, 'the forward pass is the same');
  // user 1 reads items 5, 4 (model ids 6, 5); its targets and negatives get output gradients either way
  const read = new Set(Array.from(batch.input).filter((id) => id > 0));
  const rowDiffers = (row: number) =>
    differs(without.table.subarray(row * sasrec.d, (row + 1) * sasrec.d), withGradient.table.subarray(row * sasrec.d, (row + 1) * sasrec.d));
  for (const id of read) assert.ok(!rowDiffers(id), `row ${id}, an item the batch reads, learns the same`);
  const neighboursOnly = [...read]
    .flatMap((id) => Array.from(given.itemNeighbours.subarray((id - 1) * given.kItems, id * given.kItems), (j) => j + 1))
    .filter((id) => id > 0 && !read.has(id));
  assert.ok(neighboursOnly.length > 0);
  assert.ok(neighboursOnly.some(rowDiffers), 'a row that is only a neighbour gets less gradient without it');
});

test('itemLevelWrites false: same loss and the same gradients into the attention, none from it into E', () => {
  const given = inputs();
  const batch = new NextItemSampler(train, NUM_ITEMS, sasrec.maxLen, { kind: 'per-position', count: 1 }, new Random(5)).batch(Int32Array.from([0, 1, 2, 3]));
  const gradients = (itemLevelWrites: boolean) => {
    const model = createModel(sasrec, NUM_ITEMS, 3);
    try {
      attachTrained(model, given, { ...ALL, userLevel: false, itemAdapter: false, itemLevelWrites });
      const named = model.namedVariables();
      const { value, grads } = tf.variableGrads(
        () => batchLoss(model, batch, 'bce'),
        named.map(([, v]) => v),
      );
      const byName = new Map(named.flatMap(([name, v]) => (grads[v.name] ? [[name, grads[v.name].dataSync() as Float32Array] as const] : [])));
      const loss = value.dataSync()[0];
      tf.dispose([value, ...Object.values(grads)]);
      return { loss, byName, table: byName.get(named.find(([, v]) => v === model.itemEmbedding)![0])! };
    } finally {
      model.dispose();
    }
  };
  const writes = gradients(true);
  const reads = gradients(false);
  assert.equal(reads.loss, writes.loss, 'the forward pass is the same');
  for (const name of ['grasp.item_attn.q.w', 'grasp.item_attn.k.w', 'grasp.item_attn.v.w'])
    assert.ok(!differs(reads.byName.get(name)!, writes.byName.get(name)!), `${name}: the same gradient`);
  assert.ok(differs(reads.table, writes.table), 'E no longer gets the attention path');
});

test("keepItemScale: untrained it is LLM-init exactly (GRU4Rec); trained, each item's input keeps its own row's norm but turns towards the neighbours", () => {
  const gru: ModelConfig = { kind: 'gru4rec', d: 8, layers: 1, heads: 1, dropout: 0.2, maxLen: 5 };
  const given = inputs();
  const options: GraspOptions = { ...ALL, userLevel: false, itemAdapter: false, itemNorm: false, keepItemScale: true, dropout: 0.2 };
  const ids = tf.tensor2d(Int32Array.from([0, 1, 2, 3, 4, 0, 0, 6, 5, 6]), [2, 5], 'int32') as Tensor2D;
  const build = (grasp: 'none' | 'untrained' | 'trained'): { model: SequentialRecommender; module?: GraspModule } => {
    const model = createModel(gru, NUM_ITEMS, 3);
    initFromText(model, given.itemVectors, given.dims);
    if (grasp === 'none') return { model };
    return { model, module: grasp === 'trained' ? attachTrained(model, given, options) : attachGrasp(model, given, options) };
  };
  const plain = build('none');
  const untrained = build('untrained');
  const trained = build('trained');
  const unscaled = createModel(gru, NUM_ITEMS, 3);
  try {
    initFromText(unscaled, given.itemVectors, given.dims);
    attachTrained(unscaled, given, { ...options, keepItemScale: false });
    const encode = (model: SequentialRecommender) => tf.tidy(() => model.encode(ids, false, Int32Array.of(0, 2)).dataSync() as Float32Array);
    assert.deepEqual(encode(untrained.model), encode(plain.model), 'untrained: every state identical, not merely close');
    const batch = new NextItemSampler(train, NUM_ITEMS, gru.maxLen, { kind: 'per-position', count: 1 }, new Random(5)).batch(Int32Array.from([0, 1, 2, 3]));
    const loss = (model: SequentialRecommender) => tf.tidy(() => batchLoss(model, batch, 'bce').dataSync()[0]);
    assert.equal(loss(untrained.model), loss(plain.model), 'training loss with dropout: identical');
    // the input hook's rows: same norms as E's rows, other directions than E's, and other values than without the rescaling
    const rows = (model: SequentialRecommender) =>
      tf.tidy(() => {
        const items = tf.tensor2d(Int32Array.from([1, 2, 3, 4, 5, 6]), [1, 6], 'int32') as Tensor2D;
        return model.hooks.inputItems!(items, tf.gather(model.itemEmbedding, items) as never, false).dataSync() as Float32Array;
      });
    const table = trained.model.itemEmbedding.dataSync() as Float32Array;
    const scaled = rows(trained.model);
    const d = gru.d;
    for (let i = 0; i < 6; i++) {
      const norm = (values: Float32Array, offset: number) => Math.hypot(...values.subarray(offset, offset + d));
      assert.ok(Math.abs(norm(scaled, i * d) - norm(table, (i + 1) * d)) < 1e-5, `item ${i + 1}: the norm of its own row`);
    }
    assert.ok(differs(scaled, table.slice(d, 7 * d)), 'the neighbours still turn the input');
    assert.ok(differs(scaled, rows(unscaled)), 'the rescaling changes the unscaled input');
  } finally {
    for (const { model } of [plain, untrained, trained]) model.dispose();
    unscaled.dispose();
    ids.dispose();
  }
});

test('distrust gate: untrained it changes nothing; trained, a risky neighbour gives nothing and a risky item keeps no context; both θ learn', () => {
  const risk = new Float32Array(NUM_ITEMS).map((_, i) => (i % 2 === 0 ? 1 : 0)); // even dense ids: fully risky
  const given = inputs({ itemRisk: risk });
  const options: GraspOptions = { ...ALL, userLevel: false, itemAdapter: false, itemNorm: false };
  const items = Int32Array.from({ length: NUM_ITEMS }, (_, i) => i + 1);
  const rowsOf = (model: SequentialRecommender) =>
    tf.tidy(() => {
      const ids = tf.tensor2d(items, [1, NUM_ITEMS], 'int32') as Tensor2D;
      return model.hooks.inputItems!(ids, tf.gather(model.itemEmbedding, ids) as never, false).dataSync() as Float32Array;
    });
  const build = (gate: boolean, trained: boolean, theta?: { neighbour: number; self: number }) => {
    const model = createModel(sasrec, NUM_ITEMS, 3);
    const module = trained ? attachTrained(model, given, { ...options, distrustGate: gate }) : attachGrasp(model, given, { ...options, distrustGate: gate });
    if (theta)
      for (const [name, variable] of module.variables()) {
        if (name === 'grasp.distrust.neighbour') variable.assign(tf.tensor1d([theta.neighbour / DISTRUST_SCALE]));
        if (name === 'grasp.distrust.self') variable.assign(tf.tensor1d([theta.self / DISTRUST_SCALE]));
      }
    return { model, module };
  };
  const made: SequentialRecommender[] = [];
  const keep = <T extends { model: SequentialRecommender }>(built: T) => (made.push(built.model), built);
  try {
    assert.deepEqual(rowsOf(keep(build(true, false)).model), rowsOf(keep(build(false, false)).model), 'untrained: identical');
    assert.deepEqual(rowsOf(keep(build(true, true)).model), rowsOf(keep(build(false, true)).model), 'θ = 0: identical even with trained values');

    // θ_n large: every risky neighbour's value is gone; the weights stay the plain attention's
    const { model, module } = keep(build(true, true, { neighbour: 60, self: 0 }));
    const rows = rowsOf(model);
    const table = model.itemEmbedding.arraySync() as number[][];
    const named = new Map(module.variables());
    const wv = named.get('grasp.item_attn.v.w')!.arraySync() as number[][];
    const d = sasrec.d;
    for (let item = 0; item < NUM_ITEMS; item++) {
      const { candidates, weights } = module.explainItem(item);
      const pooled = new Array<number>(d).fill(0);
      candidates.forEach((candidate, slot) => {
        if (slot > 0 && risk[candidate] === 1) return; // distrusted: contributes nothing
        for (let c = 0; c < d; c++) pooled[c] += weights[slot] * table[candidate + 1][c];
      });
      for (let c = 0; c < d; c++) {
        const expected = table[item + 1][c] + pooled.reduce((sum, value, k) => sum + value * wv[k][c], 0);
        assert.ok(Math.abs(rows[item * d + c] - expected) < 1e-4, `item ${item}, column ${c}: ${rows[item * d + c]} vs ${expected}`);
      }
    }
    // θ_s large: a risky item reads its own row only; a clean one as without the gate
    const selfGated = rowsOf(keep(build(true, true, { neighbour: 0, self: 60 })).model);
    const plain = rowsOf(keep(build(false, true)).model);
    for (let item = 0; item < NUM_ITEMS; item++)
      for (let c = 0; c < d; c++) {
        const expected = risk[item] === 1 ? table[item + 1][c] : plain[item * d + c];
        assert.ok(Math.abs(selfGated[item * d + c] - expected) < 1e-5, `item ${item}: ${risk[item] === 1 ? 'its own row' : 'as without the gate'}`);
      }

    // both θ get a gradient once the context is not zero
    const trained = keep(build(true, true));
    const batch = new NextItemSampler(train, NUM_ITEMS, sasrec.maxLen, { kind: 'per-position', count: 1 }, new Random(5)).batch(Int32Array.from([0, 1, 2, 3]));
    const variables = trained.module.variables().filter(([name]) => name.startsWith('grasp.distrust.'));
    const { value, grads } = tf.variableGrads(
      () => batchLoss(trained.model, batch, 'bce'),
      variables.map(([, v]) => v),
    );
    for (const [name, variable] of variables) assert.ok(Math.abs(grads[variable.name].dataSync()[0]) > 0, `${name} learns`);
    tf.dispose([value, ...Object.values(grads)]);
  } finally {
    for (const model of made) model.dispose();
  }
});

test('distrust gate: refused without the risk of every item text', () => {
  const model = createModel(sasrec, NUM_ITEMS, 3);
  try {
    assert.throws(() => attachGrasp(model, inputs(), { ...ALL, distrustGate: true }), /distrust gate: needs the detector risk of every item text/);
  } finally {
    model.dispose();
  }
});

test('enrichCandidates: untrained the scores and loss are LLM-init exactly; trained, each item is scored against its own x̃, padding and mask rows kept, and evaluate ranks with it', async () => {
  const given = inputs();
  const options: GraspOptions = { ...ALL, userLevel: false, itemAdapter: false, itemNorm: false, dropout: 0.2 };
  const build = (grasp: 'none' | 'untrained' | 'trained', kind: ModelConfig['kind'] = 'sasrec'): SequentialRecommender => {
    const model = createModel({ ...sasrec, dropout: 0.2, kind, ...(kind === 'bert4rec' ? { heads: 2, maskProb: 0.4 } : {}) }, NUM_ITEMS, 3);
    initFromText(model, given.itemVectors, given.dims);
    if (grasp === 'untrained') attachGrasp(model, given, { ...options, enrichCandidates: true });
    if (grasp === 'trained') attachTrained(model, given, { ...options, enrichCandidates: true });
    return model;
  };
  const plain = build('none');
  const untrained = build('untrained');
  const trained = build('trained');
  const d = sasrec.d;
  try {
    const table = (model: SequentialRecommender) => tf.tidy(() => scoringTable(model).dataSync() as Float32Array);
    assert.deepEqual(table(untrained), table(plain), 'untrained: the scoring table is E, every value');
    const batch = new NextItemSampler(train, NUM_ITEMS, sasrec.maxLen, { kind: 'per-position', count: 1 }, new Random(5)).batch(Int32Array.from([0, 1, 2, 3]));
    const loss = (model: SequentialRecommender) => tf.tidy(() => batchLoss(model, batch, 'ce').dataSync()[0]);
    assert.equal(loss(untrained), loss(plain), 'full-CE training loss with dropout: identical');
    // trained: row i of the scoring table is what the input hook gives item i outside training
    const enriched = table(trained);
    const items = Int32Array.from({ length: NUM_ITEMS }, (_, i) => i + 1);
    const read = tf.tidy(() => {
      const ids = tf.tensor2d(items, [1, NUM_ITEMS], 'int32') as Tensor2D;
      return trained.hooks.inputItems!(ids, tf.gather(trained.itemEmbedding, ids) as never, false).dataSync() as Float32Array;
    });
    const rowsOfE = trained.itemEmbedding.dataSync() as Float32Array;
    assert.deepEqual(Array.from(enriched.subarray(0, d)), Array.from(rowsOfE.subarray(0, d)), 'padding row kept');
    for (let i = 0; i < NUM_ITEMS * d; i++) assert.ok(Math.abs(enriched[d + i] - read[i]) < 1e-5, `item ${Math.floor(i / d) + 1}: its x̃`);
    assert.ok(differs(enriched.subarray(d), rowsOfE.subarray(d)), 'the neighbours change the candidates');
    // the candidate side is trained: the table alone passes gradient to the item level's attention
    const named = trained.namedVariables();
    const probe = Float32Array.from({ length: enriched.length }, (_, i) => Math.sin(i));
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(scoringTable(trained), tf.tensor2d(probe, [enriched.length / d, d]))) as tf.Scalar,
      named.map(([, v]) => v),
    );
    for (const name of ['grasp.item_attn.q.w', 'grasp.item_attn.v.w']) {
      const variable = named.find(([n]) => n === name)![1];
      assert.ok(
        (grads[variable.name].dataSync() as Float32Array).some((g) => g !== 0),
        `the table's gradient reaches ${name}`,
      );
    }
    tf.dispose([value, ...Object.values(grads)]);
    const { withTable, withoutTable } = await testRanksWithAndWithoutTable(trained);
    assert.notDeepEqual(withTable, withoutTable, 'evaluate scores against the enriched table');
  } finally {
    for (const model of [plain, untrained, trained]) model.dispose();
  }
  const cloze = build('trained', 'bert4rec');
  try {
    const rows = tf.tidy(() => scoringTable(cloze).dataSync() as Float32Array);
    const rowsOfE = cloze.itemEmbedding.dataSync() as Float32Array;
    assert.equal(rows.length, rowsOfE.length, 'BERT4Rec: one row per row of E');
    assert.deepEqual(Array.from(rows.subarray((NUM_ITEMS + 1) * d)), Array.from(rowsOfE.subarray((NUM_ITEMS + 1) * d)), "BERT4Rec: the mask token's row kept");
    assert.ok(Number.isFinite(tf.tidy(() => batchLoss(cloze, tinyBatch(cloze), 'ce').dataSync()[0])), 'BERT4Rec trains with it');
  } finally {
    cloze.dispose();
  }
});
