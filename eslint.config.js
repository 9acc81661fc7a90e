// ESLint for the TypeScript and JavaScript sources: the recommended rules. Formatting is
// prettier's job, not the linter's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/', 'build/', 'build-*/', 'prebuilds/', 'third_party/', 'node_modules/', 'results/', 'models/'],
  },
  { ignores: ['docs/api/', 'bench/.work/', 'bench/.venv/', '.device/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
);
