import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', '.e2e-cache/', '.grasp/', 'demo-data/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', 'bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', __dirname: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // DESIGN §4: core is pure TypeScript and never reaches up the layers.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['vscode', '**/extension/**', '**/worker/**', '**/cli/**', '**/webview/**'] }],
    },
  },
  {
    files: ['src/worker/**/*.ts', 'src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['vscode', '**/extension/**', '**/webview/**'] }] },
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
