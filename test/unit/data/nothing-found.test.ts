import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataError, loadDataset } from '../../../src/core/data';
import { snapshot, tempFolder } from '../helpers';

async function expectMessage(path: string, message: RegExp): Promise<string> {
  let text = '';
  await assert.rejects(loadDataset(path), (error: unknown) => {
    assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
    assert.equal(error.file, path);
    text = error.message;
    assert.match(text, message);
    return true;
  });
  return text;
}

test('a file with a header and no rows says so, naming the file', async () => {
  const dir = tempFolder({ 'h.inter': 'user_id:token\titem_id:token\n', 'h.csv': 'user,item,timestamp\r\n\r\n' });
  const before = snapshot(dir);
  for (const name of ['h.inter', 'h.csv']) {
    const path = join(dir, name);
    const message = await expectMessage(path, /a header but no interactions$/);
    assert.ok(message.startsWith(`${path}: `), message);
    assert.doesNotMatch(message, /empty/);
  }
  assert.equal(snapshot(dir), before);
});

test('a folder without an interactions file lists what it holds, quoted', async () => {
  const dir = tempFolder({ 'README.md': '# notes\n', 'train.py': '', 'evil\u001b[2J\u001b]0;pwned\u0007.md': '' });
  mkdirSync(join(dir, 'runs'));
  const message = await expectMessage(
    dir,
    /found none; the folder holds "README\.md", "evil\\u001b\[2J\\u001b\]0;pwned\\u0007\.md", "runs" \(folder\), "train\.py"$/,
  );
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(message, /[\u0000-\u001f]/);
});

test('a long listing is capped', async () => {
  const files = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`notes-${String(i).padStart(2, '0')}.md`, '']));
  const message = await expectMessage(tempFolder(files), /"notes-09\.md" and 15 more$/);
  assert.doesNotMatch(message, /notes-10/);
});

test('an empty folder says it is empty', async () => {
  await expectMessage(tempFolder(), /found none: the folder is empty$/);
});
