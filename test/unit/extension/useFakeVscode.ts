// Import first: from then on, `vscode` in this test process resolves to ./fakeVscode.ts (each test file runs
// in its own process, so nothing else sees it).
import Module from 'node:module';
import { join } from 'node:path';

const resolver = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
const resolve = resolver._resolveFilename;
resolver._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  return request === 'vscode' ? join(__dirname, 'fakeVscode.ts') : resolve.call(this, request, ...rest);
};
