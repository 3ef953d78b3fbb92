import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'src/db/generated/', 'coverage/', 'test/artifacts/', 'channels/webchat/public/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A forgotten await loses errors and breaks transaction ordering.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        {
          // Inside prisma.$transaction(async (tx) => ...) the root client deadlocks on PGlite (one session).
          selector:
            "CallExpression[callee.property.name='$transaction'] > ArrowFunctionExpression MemberExpression[object.type='MemberExpression'][object.property.name='prisma']",
          message: 'Inside $transaction use the tx client only: the root client deadlocks on embedded PGlite.',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', URL: 'readonly', console: 'readonly', module: 'writable' },
    },
  },
  {
    // [console] browser modules served as they are (no build): browser globals.
    files: ['src/console/public/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(['document', 'window', 'location', 'navigator', 'fetch', 'FormData', 'URLSearchParams', 'localStorage', 'EventSource', 'addEventListener', 'removeEventListener', 'setInterval', 'clearInterval', 'setTimeout', 'performance'].map((g) => [g, 'readonly'])),
    },
  },
);
