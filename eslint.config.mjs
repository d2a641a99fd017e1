// Lint rules that guard the architecture: libs never import apps, infrastructure libs
// never import domain libs. See docs/architecture.md.
import tseslint from 'typescript-eslint';

const DOMAIN = ['@pcn/directory', '@pcn/agreements', '@pcn/workflow', '@pcn/documents', '@pcn/web'];
const noImport = (patterns, message) => ['error', { patterns: patterns.map((group) => ({ group: [group, `${group}/*`], message })) }];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'libs/database/src/migrations/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-function-type': 'off',
      'no-restricted-imports': noImport(['**/apps/*', '@pcn/testing'], 'Libraries must not import apps or test support.'),
    },
  },
  {
    // The pages sit on top of everything: only apps may import them.
    files: ['libs/**/*.ts'],
    ignores: ['libs/web/**', '**/__tests__/**'],
    rules: {
      'no-restricted-imports': noImport(['**/apps/*', '@pcn/testing', '@pcn/web'], 'Only apps import @pcn/web; libraries must not import apps or test support.'),
    },
  },
  {
    files: ['libs/common/**/*.ts', 'libs/database/**/*.ts', 'libs/auth/**/*.ts', 'libs/audit/**/*.ts', 'libs/notifications/**/*.ts'],
    ignores: ['**/__tests__/**'],
    rules: {
      'no-restricted-imports': noImport([...DOMAIN, '**/apps/*'], 'Infrastructure libs must not depend on domain libs or apps.'),
    },
  },
  {
    files: ['apps/**/*.ts', 'test/**/*.ts', '**/__tests__/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Plain CommonJS scripts (require hooks, benches) run under node without a build.
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', '**/__tests__/**/*.ts', '**/testing/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
