import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers of src/core (README, Development), bottom up. A folder may import its own layer and those
// below; `no-restricted-imports` sees static imports (type-only ones too), scripts/check-cycles.mjs (also
// run by `npm run lint`) any import cycle. Later blocks replace an earlier block's patterns for their files,
// so each repeats the core-wide ones.
const CORE_UP = {
  group: ['vscode', '**/extension/**', '**/worker/**', '**/cli/**', '**/webview/**'],
  message: 'DESIGN §4: core is pure TypeScript and never reaches up the layers.',
};
const folders = (...names) => names.flatMap((name) => [`**/${name}`, `**/${name}/**`]);
/** Libraries: reusable parts that any job may call. */
const CORE_LIBRARIES = ['accelerator', 'data', 'demo', 'embed', 'engine', 'eval', 'export', 'hallucination', 'llm', 'model', 'retrieval'];

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', '.e2e-cache/', '.grasp/', 'demo-data/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', 'bin/**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        __dirname: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // DESIGN §4: core is pure TypeScript and never reaches up the layers. src/core/jobs, the top of the
    // core (one file per job kind), may import any of it.
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [CORE_UP] }] },
  },
  {
    // The orchestration above the libraries: an experiment trains runs; neither starts a job.
    files: ['src/core/experiment/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            CORE_UP,
            { group: folders('jobs'), message: 'Experiments sit below src/core/jobs: move what is shared down, or the caller up into a job.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/train/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            CORE_UP,
            { group: folders('jobs', 'experiment'), message: 'Training sits below src/core/jobs and src/core/experiment: move what is shared down.' },
          ],
        },
      ],
    },
  },
  {
    files: CORE_LIBRARIES.map((name) => `src/core/${name}/**/*.ts`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            CORE_UP,
            {
              group: folders('jobs', 'train', 'experiment'),
              message: 'Libraries never import jobs, training or experiments: move what is shared down into a library (or src/core/util).',
            },
          ],
        },
      ],
    },
  },
  {
    // The bottom: the job context, cancellation and small helpers every layer may use.
    files: ['src/core/util/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [CORE_UP, { regex: '^\\.\\./', message: 'src/core/util is the bottom of the core: it imports nothing else of it.' }] },
      ],
    },
  },
  {
    files: ['src/worker/**/*.ts', 'src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['vscode', '**/extension/**', '**/webview/**'] }] },
  },
  {
    // The job table runs what src/core/jobs/<kind>.ts exports, and nothing else of the core.
    files: ['src/worker/jobs.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['vscode', '**/extension/**', '**/webview/**'] },
            {
              group: ['**/core/**', '!**/core/jobs', '!**/core/jobs/**'],
              message: 'The worker’s job table imports only src/core/jobs: give the job its file there.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      // Browser code: nothing from Node or the other layers at run time; core's plain data types may be shared.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/core/**'], allowTypeImports: true },
            { group: ['vscode', '**/worker/**', '**/cli/**', '**/extension/**', 'node:*', 'fs', 'path', 'child_process'] },
          ],
        },
      ],
    },
  },
);
