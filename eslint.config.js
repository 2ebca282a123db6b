// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'src/generated/',
      '.hub-data/',
      'coverage/',
      'dist/',
      'dashboard/dist/',
      'dashboard/src/generated/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The simulators are test doubles of other systems: they may import protocol helpers from the
    // connectors, but the hub must never import a simulator (main.ts and tests excepted).
    files: ['src/connectors/**', 'src/sync/**', 'src/graphql/**', 'src/server/**', 'src/db/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/simulators/**'] }],
    },
  },
  {
    // The dashboard runs in the browser. Its globals (window, document, sessionStorage…) need no list here:
    // typescript-eslint turns `no-undef` off for TypeScript, whose compiler checks every name against the
    // DOM library of dashboard/tsconfig.json. The hooks rules (React Compiler's included) do apply.
    files: ['dashboard/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    // Tests read JSON answers off the wire; typing every response shape would only add noise.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  prettier,
);
