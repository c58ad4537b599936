import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { findWasmDir, initEngine } from '../../../src/core/engine/backend';
import { tf } from '../../../src/core/engine/tf';
import { tempFolder } from '../helpers';

test('auto picks tfjs-node from the accelerator folder when it is installed there', async () => {
  // A stand-in accelerator: registers a backend named "tensorflow" (a cpu backend underneath).
  const dir = tempFolder();
  const entry = join(dir, 'node_modules', '@tensorflow', 'tfjs-node');
  mkdirSync(entry, { recursive: true });
  writeFileSync(join(entry, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version: '4.22.0', main: 'index.js' }));
  writeFileSync(join(entry, 'index.js'), "const e = globalThis._tfengine; e.registerBackend('tensorflow', e.registryFactory.cpu.factory, 0);\n");
  const previous = process.env.GRASP_ACCELERATOR_DIR;
  process.env.GRASP_ACCELERATOR_DIR = dir;
  try {
    const info = await initEngine({ backend: 'auto' });
    assert.equal(info.backend, 'tensorflow');
    assert.equal(tf.getBackend(), 'tensorflow');
    assert.equal(info.native, null);
    assert.match(info.nativeDetail, /tfjs-node has its own native kernels/);
  } finally {
    if (previous === undefined) delete process.env.GRASP_ACCELERATOR_DIR;
    else process.env.GRASP_ACCELERATOR_DIR = previous;
    tf.removeBackend('tensorflow');
  }
});

test('without tfjs-node, auto falls back to wasm and says why; a forced backend is used as asked', async () => {
  const previous = process.env.GRASP_ACCELERATOR_DIR;
  process.env.GRASP_ACCELERATOR_DIR = tempFolder();
  try {
    const info = await initEngine({ backend: 'auto' });
    assert.equal(info.backend, 'wasm');
    assert.equal(info.wasmSimd, true);
    assert.match(info.fallbacks[0], /^tensorflow: @tensorflow\/tfjs-node not available/);
    assert.ok(findWasmDir());
    assert.equal((await initEngine({ backend: 'cpu' })).backend, 'cpu');
    await assert.rejects(initEngine({ backend: 'gpu' as never }), /unknown backend "gpu"/);
  } finally {
    if (previous === undefined) delete process.env.GRASP_ACCELERATOR_DIR;
    else process.env.GRASP_ACCELERATOR_DIR = previous;
  }
});
