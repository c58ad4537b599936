// Drives the built worker (dist/worker.js) over the protocol, as the extension does: handshake, jobs,
// failures, cancellation with the time until the process is gone, and the Anthropic key check.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import { WorkerClient } from '../../../src/worker/client';
import { JobCancelledError, JobFailedError } from '../../../src/worker/errors';
import { ANTHROPIC_KEY_ENV, ErrorCode, InitializeRequest, JobStartRequest, PROTOCOL_VERSION, ShutdownRequest } from '../../../src/worker/protocol';
import { WORKER, ensureBuilt, spawnRaw, tempDir, withTimeout, writeLargePairs } from './harness';

// Waits on exits only catch a worker that never goes (a loaded machine may take seconds); times are reported, not asserted.
const NEVER_EXITS_MS = 30_000;

const fixtures = tempDir();
const tinyPairs = join(fixtures.dir, 'tiny.txt');
const largePairs = join(fixtures.dir, 'large.txt');

before(() => {
  ensureBuilt();
  // 3 users, 4 items, 6 interactions; file order is time order.
  writeFileSync(tinyPairs, 'u1 i1\nu1 i2\nu1 i3\nu2 i2\nu2 i4\nu3 i1\n');
  writeLargePairs(largePairs, 4_000_000);
});
after(() => fixtures.cleanup());

function startClient(env?: NodeJS.ProcessEnv): Promise<WorkerClient> {
  return WorkerClient.start({ workerPath: WORKER, env, client: 'test' });
}

/** Starts a stats job on the large file and waits until it is past 5%, so a cancel meets a running job. */
async function startLargeStats(client: WorkerClient): Promise<{ job: Promise<unknown>; cancel: CancellationTokenSource }> {
  const cancel = new CancellationTokenSource();
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const job = client.run(
    'stats',
    { path: largePairs, options: { format: 'pairs' } },
    {
      token: cancel.token,
      onProgress: (update) => (update.fraction ?? 0) > 0.05 && started(),
    },
  );
  await withTimeout(running, 20_000, 'progress from the large stats job');
  return { job, cancel };
}

describe('initialize', () => {
  test('answers the protocol version and who it is', async () => {
    const client = await startClient();
    try {
      assert.equal(client.info?.protocolVersion, PROTOCOL_VERSION);
      assert.equal(client.info?.pid, client.pid);
      assert.match(client.info?.nodeVersion ?? '', /^v\d+/);
    } finally {
      await client.stop();
    }
  });

  test('refuses a client that speaks another version', async () => {
    const worker = spawnRaw();
    try {
      await assert.rejects(worker.connection.sendRequest(InitializeRequest, { protocolVersion: PROTOCOL_VERSION + 1, client: 'test' }), (error) => {
        assert.ok(error instanceof ResponseError);
        assert.equal(error.code, ErrorCode.VersionMismatch);
        return true;
      });
    } finally {
      await worker.connection.sendRequest(ShutdownRequest);
      assert.equal((await withTimeout(worker.exited, NEVER_EXITS_MS, 'exit after shutdown')).code, 0);
    }
  });
});

describe('jobs', () => {
  test('stats on a tiny pairs file counts users, items and interactions', async () => {
    const client = await startClient();
    try {
      const progress: number[] = [];
      const stats = await client.run(
        'stats',
        { path: tinyPairs, options: { format: 'pairs' } },
        { onProgress: (u) => u.fraction !== undefined && progress.push(u.fraction) },
      );
      assert.equal(stats.users, 3);
      assert.equal(stats.items, 4);
      assert.equal(stats.interactions, 6);
      assert.equal(stats.format, 'pairs');
    } finally {
      await client.stop();
    }
  });

  test('a failing job names the file it was about', async () => {
    const client = await startClient();
    const missing = join(fixtures.dir, 'does-not-exist.inter');
    try {
      await assert.rejects(client.run('stats', { path: missing }), (error) => {
        assert.ok(error instanceof JobFailedError, String(error));
        assert.ok(error.describe(missing).includes(missing), error.describe(missing));
        return true;
      });
    } finally {
      await client.stop();
    }
  });

  test('an unknown job kind is refused, and the worker keeps serving', async () => {
    const worker = spawnRaw();
    try {
      await worker.connection.sendRequest(InitializeRequest, { protocolVersion: PROTOCOL_VERSION, client: 'test' });
      const bogus = { jobId: 'x', kind: 'mine-bitcoin', params: {} } as unknown as Parameters<typeof worker.connection.sendRequest<typeof JobStartRequest>>[1];
      await assert.rejects(
        worker.connection.sendRequest(JobStartRequest, bogus),
        (error) => error instanceof ResponseError && error.code === ErrorCode.UnknownJob,
      );
      const check = await worker.connection.sendRequest(JobStartRequest, { jobId: 'y', kind: 'keyCheck', params: {} });
      assert.ok(check);
    } finally {
      await worker.connection.sendRequest(ShutdownRequest);
      await withTimeout(worker.exited, NEVER_EXITS_MS, 'exit after shutdown');
    }
  });

  test('demo writes a dataset folder and returns its statistics', async () => {
    const out = tempDir();
    const client = await startClient();
    try {
      const result = await client.run('demo', { outDir: join(out.dir, 'demo'), users: 60, items: 40, seed: 3 });
      assert.ok(result.files.length > 0);
      for (const file of result.files) assert.ok(existsSync(join(result.dir, file)) || existsSync(file), file);
      assert.ok(result.stats.users > 0 && result.stats.interactions > 0);
    } finally {
      await client.stop();
      out.cleanup();
    }
  });
});

describe('cancellation', () => {
  // How fast a cancel takes effect is a figure (the diagnostics), not an assertion: a loaded machine
  // would fail any threshold. What is asserted is that the cancel, not completion, ended the job.
  test('a cancelled stats job stops, and the worker process is gone', async (t) => {
    const client = await startClient();
    const { job, cancel } = await startLargeStats(client);
    const cancelledAt = Date.now();
    cancel.cancel();
    const stopped = client.stop(); // what the run manager does: cancel, then shutdown/SIGTERM/SIGKILL
    await assert.rejects(job, JobCancelledError);
    const exit = await stopped;
    const elapsed = Date.now() - cancelledAt;
    t.diagnostic(`worker gone ${elapsed} ms after the cancel (${exit.signal ?? `exit code ${exit.code}`})`);
    assert.equal(client.hasExited, true);
  });

  test('the JSON-RPC cancel alone reaches the core job (isCancelled), without killing the worker', async (t) => {
    const client = await startClient();
    try {
      const { job, cancel } = await startLargeStats(client);
      const cancelledAt = Date.now();
      cancel.cancel();
      await assert.rejects(job, JobCancelledError);
      t.diagnostic(`job stopped ${Date.now() - cancelledAt} ms after the cancel`);
      assert.equal(client.hasExited, false);
      const after = await client.run('stats', { path: tinyPairs, options: { format: 'pairs' } });
      assert.equal(after.interactions, 6, 'the same worker still runs jobs');
    } finally {
      await client.stop();
    }
  });

  test('a worker that does not answer is killed (SIGTERM, then SIGKILL)', async (t) => {
    const client = await startClient();
    process.kill(client.pid!, 'SIGSTOP'); // frozen: it cannot answer shutdown nor handle SIGTERM
    const started = Date.now();
    const exit = await client.stop();
    const elapsed = Date.now() - started;
    t.diagnostic(`frozen worker gone ${elapsed} ms after stop() (${exit.signal})`);
    assert.equal(exit.signal, 'SIGKILL');
  });
});

describe('lifecycle', () => {
  test('exits when the parent closes its stdin', async () => {
    const worker = spawnRaw();
    await worker.connection.sendRequest(InitializeRequest, { protocolVersion: PROTOCOL_VERSION, client: 'test' });
    worker.child.stdin.end();
    const exit = await withTimeout(worker.exited, NEVER_EXITS_MS, 'exit after stdin closed');
    assert.equal(exit.code, 0);
  });

  test('exits on SIGTERM', async () => {
    const worker = spawnRaw();
    await worker.connection.sendRequest(InitializeRequest, { protocolVersion: PROTOCOL_VERSION, client: 'test' });
    worker.child.kill('SIGTERM');
    const exit = await withTimeout(worker.exited, NEVER_EXITS_MS, 'exit after SIGTERM');
    assert.equal(exit.code, 143);
    worker.connection.dispose();
  });

  test('stdout carries protocol frames only', async () => {
    const worker = spawnRaw();
    await worker.connection.sendRequest(InitializeRequest, { protocolVersion: PROTOCOL_VERSION, client: 'test' });
    await worker.connection.sendRequest(JobStartRequest, { jobId: 'j', kind: 'stats', params: { path: tinyPairs, options: { format: 'pairs' } } });
    await worker.connection.sendRequest(ShutdownRequest);
    await withTimeout(worker.exited, NEVER_EXITS_MS, 'exit after shutdown');
    // Every byte on stdout belongs to a Content-Length framed message.
    let rest = worker.stdout();
    while (rest.length > 0) {
      const match = /^Content-Length: (\d+)\r\n\r\n/.exec(rest);
      assert.ok(match, `unframed bytes on stdout: ${JSON.stringify(rest.slice(0, 80))}`);
      const start = match[0].length;
      JSON.parse(rest.slice(start, start + Number(match[1])));
      rest = rest.slice(start + Number(match[1]));
    }
  });
});

describe('keyCheck', () => {
  test('reports the sha256 prefix of ANTHROPIC_API_KEY and never the key', async () => {
    const key = `sk-ant-test-${createHash('sha256').update(String(Math.random())).digest('hex')}`;
    const worker = spawnRaw({ ...process.env, [ANTHROPIC_KEY_ENV]: key });
    await worker.connection.sendRequest(InitializeRequest, { protocolVersion: PROTOCOL_VERSION, client: 'test' });
    const result = await worker.connection.sendRequest(JobStartRequest, { jobId: 'k', kind: 'keyCheck', params: {} });
    await worker.connection.sendRequest(ShutdownRequest);
    await withTimeout(worker.exited, NEVER_EXITS_MS, 'exit after shutdown');
    const expected = createHash('sha256').update(key).digest('hex').slice(0, 12);
    assert.deepEqual(result, { present: true, sha256Prefix: expected });
    assert.match(expected, /^[0-9a-f]{12}$/);
    assert.ok(!worker.stdout().includes(key), 'key on stdout');
    assert.ok(!worker.stderr().includes(key), 'key on stderr');
    assert.ok(!worker.stdout().includes(key.slice(12, 40)), 'part of the key on stdout');
  });

  test('reports no key when the environment has none', async () => {
    const env = { ...process.env };
    delete env[ANTHROPIC_KEY_ENV];
    const client = await startClient(env);
    try {
      assert.deepEqual(await client.run('keyCheck', {}), { present: false });
    } finally {
      await client.stop();
    }
  });
});
