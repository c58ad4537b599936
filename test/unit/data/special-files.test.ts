import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataError, detectFormat, loadDataset, type LoadOptions } from '../../../src/core/data';
import { snapshot, tempFolder } from '../helpers';

// FIFOs, sockets and devices where a dataset file is expected: a clear error naming the file, before
// anything is opened (opening a FIFO with no writer blocks; reading one at an offset fails with ESPIPE).
const POSIX = process.platform !== 'win32';

async function expectNotRegular(path: string, kind: RegExp, options: LoadOptions = {}): Promise<void> {
  await assert.rejects(loadDataset(path, options), (error: unknown) => {
    assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
    assert.equal(error.line, undefined);
    assert.ok(error.message.startsWith(`${error.file}: expected a regular file, found `), error.message);
    assert.match(error.message, kind);
    assert.match(error.message, /not a regular file$/);
    return true;
  });
}

test('a FIFO as the dataset fails at once, with a writer and without one', { skip: !POSIX }, async () => {
  const dir = tempFolder();
  const fifo = join(dir, 'pipe.txt');
  execFileSync('mkfifo', [fifo]);
  const before = snapshot(dir);
  // A writer first: there the old reader failed with a bare ESPIPE instead of blocking forever.
  const writer = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  try {
    await expectNotRegular(fifo, /^.*pipe\.txt: .*a FIFO/);
  } finally {
    closeSync(writer);
  }
  await expectNotRegular(fifo, /a FIFO/);
  await assert.rejects(detectFormat(fifo), /pipe\.txt: expected a regular file, found a FIFO/);
  assert.equal(snapshot(dir), before, 'nothing written');
});

test('a FIFO with an interactions name inside a dataset folder is named', { skip: !POSIX }, async () => {
  const dir = tempFolder({ 'x.item': 'item_id:token\ttitle:token_seq\n1\tone\n' });
  execFileSync('mkfifo', [join(dir, 'x.inter')]);
  await assert.rejects(loadDataset(dir), (error: unknown) => error instanceof DataError && error.file === join(dir, 'x.inter') && /a FIFO/.test(error.message));
});

test('a socket as the dataset', { skip: !POSIX }, async () => {
  const dir = tempFolder();
  const socket = join(dir, 'sock.txt');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  try {
    await expectNotRegular(socket, /a socket/);
  } finally {
    server.close();
  }
});

test('a character device as the dataset', { skip: !POSIX || !existsSync('/dev/null') }, () =>
  expectNotRegular('/dev/null', /\/dev\/null: .*a character device/),
);

test('a folder given as a metadata file', async () => {
  const dir = tempFolder({ 'x.inter': 'user_id:token\titem_id:token\n1\t2\n' });
  mkdirSync(join(dir, 'meta.tsv'));
  await expectNotRegular(join(dir, 'x.inter'), /meta\.tsv: .*a folder/, { metadataPaths: [join(dir, 'meta.tsv')] });
});
