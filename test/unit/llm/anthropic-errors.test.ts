import assert from 'node:assert/strict';
import { test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { AnthropicProvider } from '../../../src/core/llm/anthropicProvider';
import { FAKE_KEY } from './fixtures';

// A bundler renames classes that clash in its scope: in dist/cli.js esbuild turns the SDK's
// AuthenticationError into `AuthenticationError2`. These subclasses stand in for that renaming; the
// SDK's own `name` (set from the class it was declared as) stays what the user should read.
class AuthenticationError2 extends Anthropic.AuthenticationError {}
class APIConnectionError2 extends Anthropic.APIConnectionError {}

const provider = new AnthropicProvider({ apiKey: FAKE_KEY });

test('an SDK error is described by its stable name, never by a bundler-renamed class name', () => {
  const auth = provider.classify(
    new AuthenticationError2(401, { error: { type: 'authentication_error', message: 'invalid x-api-key' } }, undefined, new Headers()),
  );
  assert.equal(auth.kind, 'fatal');
  assert.match(auth.reason, /^401 AuthenticationError: 401 .*invalid x-api-key/);
  const connection = provider.classify(new APIConnectionError2({ message: 'Connection error.' }));
  assert.equal(connection.kind, 'retry');
  assert.equal(connection.reason, 'connection APIConnectionError: Connection error.');
});
