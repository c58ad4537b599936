// What Train Model's quick setup, Synthesize Descriptions and Build Neighbour Index send, built from the
// settings (src/extension/quickConfig.ts, src/extension/textSettings.ts: no `vscode` in them), checked
// against the run-config validator the train job applies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateConfig } from '../../../src/core/train/config';
import { BUDGETS, quickRunConfig } from '../../../src/extension/quickConfig';
import { costText, embedParams, graspTextSection, synthesisParams, type TextSideSettings } from '../../../src/extension/textSettings';

const URL_EMBED = 'http://127.0.0.1:8080';
const URL_CHAT = 'http://127.0.0.1:8000';

function settings(embedder: Partial<TextSideSettings['embedder']> = {}, synthesis: Partial<TextSideSettings['synthesis']> = {}): TextSideSettings {
  return { embedder: { provider: 'lsa', baseUrl: '', model: '', ...embedder }, synthesis: { provider: 'auto', baseUrl: '', model: '', ...synthesis } };
}

function section(s: TextSideSettings) {
  const built = graspTextSection(s);
  assert.ok(built.ok, `built: ${JSON.stringify(built)}`);
  return built.value;
}

/** The config the palette would send for a GRASP run on a dataset, validated as the train job does. */
function validated(s: TextSideSettings, train = {}) {
  const run = quickRunConfig({ dataset: '/data/demo', datasetName: 'demo', model: 'sasrec', variant: 'grasp', train, text: section(s) });
  return { run, config: validateConfig(run.config, 'quick setup') };
}

describe('Train Model quick setup: budgets', () => {
  test('every budget builds a valid config; a time budget keeps the preset’s 200 epochs and early stopping', () => {
    const time = BUDGETS.filter((budget) => budget.group === 'time');
    assert.deepEqual(
      time.map((budget) => budget.train?.maxMinutes),
      [5, 15, 60],
    );
    for (const budget of BUDGETS.filter((b) => !b.custom)) {
      const { run, config } = validated(settings(), budget.train);
      if (budget.group === 'time') {
        assert.equal(config.train.maxMinutes, budget.train!.maxMinutes, budget.label);
        assert.equal(config.train.epochs, 200, `${budget.label}: the preset's epochs`);
        assert.equal(config.train.patience, 5, `${budget.label}: the preset's early stopping`);
        assert.equal(run.maxMinutes, budget.train!.maxMinutes, 'the dashboard is told the time budget');
        assert.equal(run.epochs, undefined, 'the epoch budget comes from the trainer’s line');
      } else assert.equal(config.train.maxMinutes, 0, `${budget.label}: no time budget`);
    }
    const quick = validated(settings(), BUDGETS.find((b) => b.label.startsWith('Quick look'))!.train).config.train;
    assert.deepEqual([quick.epochs, quick.evalEvery, quick.patience], [10, 1, 0]);
  });

  test('a plain run has no text side, whatever the settings', () => {
    const run = quickRunConfig({
      dataset: '/d',
      datasetName: 'd',
      model: 'gru4rec',
      variant: 'plain',
      train: {},
      text: section(settings({ provider: 'openai-compatible', baseUrl: URL_EMBED })),
    });
    assert.equal('grasp' in run.config, false);
    assert.equal(run.label, 'gru4rec-d');
    assert.equal(validateConfig(run.config, 'quick setup').variant, 'plain');
  });
});

describe('text side from the settings', () => {
  test('openai-compatible embedder and chat server: the run config names both, with their servers and models', () => {
    const s = settings(
      { provider: 'openai-compatible', baseUrl: URL_EMBED, model: 'nomic-embed-text', dimensions: 256 },
      { provider: 'openai-compatible', baseUrl: URL_CHAT, model: 'qwen2.5' },
    );
    assert.deepEqual(section(s), {
      embedder: 'openai-compatible',
      embedding: { baseUrl: URL_EMBED, model: 'nomic-embed-text', dimensions: 256 },
      texts: { provider: 'openai-compatible', baseUrl: URL_CHAT, model: 'qwen2.5' },
    });
    const { config } = validated(s);
    assert.equal(config.grasp.embedder, 'openai-compatible');
    assert.equal(config.grasp.texts.provider, 'openai-compatible');
    assert.deepEqual(synthesisParams(s), { ok: true, value: { provider: 'openai-compatible', baseURL: URL_CHAT, model: 'qwen2.5' } });
    assert.deepEqual(embedParams(s), { ok: true, value: { embedder: 'openai-compatible', baseURL: URL_EMBED, model: 'nomic-embed-text', dimensions: 256 } });
  });

  test('lsa sends no embedding object, even with the server settings filled in (the validator refuses one)', () => {
    const s = settings({ provider: 'lsa', baseUrl: URL_EMBED, model: 'm', dimensions: 64 });
    assert.deepEqual(section(s), { embedder: 'lsa' });
    validated(s);
    assert.deepEqual(embedParams(s), { ok: true, value: { embedder: 'lsa' } });
  });

  test('empty settings are left out, not sent as empty strings', () => {
    assert.deepEqual(section(settings({ provider: 'voyage' })), { embedder: 'voyage' });
    assert.deepEqual(section(settings({ provider: 'voyage', model: 'voyage-3.5' })), { embedder: 'voyage', embedding: { model: 'voyage-3.5' } });
    assert.deepEqual(section(settings({}, { provider: 'anthropic' })).texts, { provider: 'anthropic' });
    assert.deepEqual(synthesisParams(settings({}, { provider: 'anthropic' })), { ok: true, value: { provider: 'anthropic' } });
    validated(settings({ provider: 'voyage' }, { provider: 'anthropic', model: 'claude-haiku-4-5' }));
  });

  test('a chat server URL is sent with the openai-compatible provider only', () => {
    for (const provider of ['auto', 'metadata', 'anthropic'] as const) {
      const s = settings({}, { provider, baseUrl: URL_CHAT, model: 'claude-haiku-4-5' });
      const texts = section(s).texts;
      assert.equal(texts?.baseUrl, undefined, provider);
      const params = synthesisParams(s);
      assert.ok(params.ok && params.value.baseURL === undefined, `${provider}: ${JSON.stringify(params)}`);
      validated(s);
    }
    assert.equal(section(settings({}, { provider: 'auto' })).texts, undefined, 'auto: the run config’s default (metadata)');
    assert.deepEqual(section(settings({}, { provider: 'metadata', model: 'x' })).texts, { provider: 'metadata' });
    assert.deepEqual(section(settings({}, { provider: 'anthropic', model: 'claude-haiku-4-5' })).texts, { provider: 'anthropic', model: 'claude-haiku-4-5' });
  });

  test('a server the provider needs and that is not set is named, for the error’s Open Setting button', () => {
    const cases: Array<[TextSideSettings, string]> = [
      [settings({ provider: 'openai-compatible', model: 'e' }), 'grasp.embedder.baseUrl'],
      [settings({}, { provider: 'openai-compatible', model: 'm' }), 'grasp.synthesis.baseUrl'],
      [settings({}, { provider: 'openai-compatible', baseUrl: URL_CHAT }), 'grasp.synthesis.model'],
    ];
    for (const [s, setting] of cases) {
      const built = graspTextSection(s);
      assert.ok(!built.ok && built.missing.setting === setting && built.missing.message.includes(setting), JSON.stringify(built));
    }
    const embed = embedParams(cases[0][0]);
    assert.ok(!embed.ok && embed.missing.setting === 'grasp.embedder.baseUrl');
    const synth = synthesisParams(cases[2][0]);
    assert.ok(!synth.ok && synth.missing.setting === 'grasp.synthesis.model');
  });
});

describe('synthesis cost prompt', () => {
  const estimate = { calls: 80, inputTokens: 12_300, outputTokens: 4_100, maxOutputTokens: 40_000, note: '' };
  test('a free local server is said to be one, with its tokens, never "about $0.00"', () => {
    const text = costText({ ...estimate, usd: 0, usdMax: 0 });
    assert.match(text, /no cost/);
    assert.match(text, /12,300 input and 4,100 output tokens/);
    assert.doesNotMatch(text, /\$/);
  });
  test('an unknown price gives the tokens; a known one the dollars', () => {
    assert.match(costText({ ...estimate, usd: null, usdMax: null }), /cost unknown .*12,300 input/);
    assert.equal(costText({ ...estimate, usd: 0.42, usdMax: 1.1 }), 'about $0.42 (at most $1.10)');
  });
});
