// How much GRASP's item level changes what the backbone reads, from a finished run's best checkpoint:
// over the catalogue's first items, the norm of E's rows and of the item level's output x̃, the
// context's size relative to the row (‖x̃ − E[i]‖ / ‖E[i]‖), the cosine of x̃ and E[i], and, for
// GRU4Rec, how far its first layer's reset and update gates are driven (mean |pre-activation| and the
// share beyond ±2, where σ's slope is below a third of its peak). Run folders of LLM-init give the
// reference (x̃ = E[i]). With the distrust gate, its learned θ_n and θ_s.
//   node --import tsx bench/grasp-input-scale.ts <run folder>...
import { tf, type Tensor, type Tensor2D, type Tensor3D } from '../src/core/engine/tf';
import { DISTRUST_SCALE } from '../src/core/model/grasp';
import { openRun } from '../src/core/train/attention';

const ITEMS = 3000;

async function describe(run: string): Promise<string> {
  const { config, model } = await openRun(run);
  try {
    return tf.tidy(() => {
      const n = Math.min(ITEMS, model.numItems);
      const ids = tf.tensor2d(
        Int32Array.from({ length: n }, (_, i) => i + 1),
        [1, n],
        'int32',
      ) as Tensor2D;
      const rows = tf.gather(model.itemEmbedding, ids) as Tensor3D;
      const input = model.hooks.inputItems ? model.hooks.inputItems(ids, rows, false) : rows;
      const norm = (t: Tensor) => tf.sqrt(tf.sum(tf.square(t), -1));
      const mean = (t: Tensor) => tf.mean(t).dataSync()[0].toFixed(3);
      const parts = [
        `|E[i]| ${mean(norm(rows))}`,
        `|x~| ${mean(norm(input))}`,
        `context/|E[i]| ${mean(tf.div(norm(tf.sub(input, rows)), norm(rows)))}`,
        `cos(x~, E[i]) ${mean(tf.div(tf.sum(tf.mul(input, rows), -1), tf.mul(norm(input), norm(rows))))}`,
      ];
      const variables = new Map(model.namedVariables());
      const w = variables.get('gru0.input.w');
      const b = variables.get('gru0.input.b');
      if (w && b) {
        const d = config.model.d;
        const gates = tf.slice(tf.add(tf.matMul(tf.reshape(input, [n, d]), w), b), [0, 0], [n, 2 * d]);
        parts.push(`gates |pre| ${mean(tf.abs(gates))}`, `beyond ±2 ${mean(tf.cast(tf.greater(tf.abs(gates), 2), 'float32'))}`);
      }
      const gate = ['neighbour', 'self'].map((side) => variables.get(`grasp.distrust.${side}`));
      if (gate[0] && gate[1])
        parts.push(`distrust θ_n ${(gate[0].dataSync()[0] * DISTRUST_SCALE).toFixed(3)}, θ_s ${(gate[1].dataSync()[0] * DISTRUST_SCALE).toFixed(3)}`);
      return `${run}: ${parts.join(', ')}`;
    });
  } finally {
    model.dispose();
  }
}

async function main(): Promise<void> {
  const runs = process.argv.slice(2);
  if (runs.length === 0) throw new Error('usage: grasp-input-scale.ts <run folder>...');
  for (const run of runs) console.log(await describe(run));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
