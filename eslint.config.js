// Lint enforces two conventions that review would otherwise have to catch (conventions §3.1, §3.4):
// the one-way layering `shared ← client ← cli` and `shared ← server`, and no console output from library code
// (the CLI writes through its injected Io; the server logs through pino).
import tseslint from 'typescript-eslint';

const layer = (patterns, message) => ['error', { patterns: [{ group: patterns, message }] }];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/**', 'scripts/**', 'test/**', '**/*.test.ts', '**/*.contract.ts'] },
  {
    files: ['src/**/*.ts', 'bin/**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: { 'no-console': 'error', 'no-control-regex': 'error' },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': layer(['**/client/**', '**/cli/**', '**/server/**'], 'shared imports nothing of ours'),
    },
  },
  {
    files: ['src/client/**/*.ts'],
    rules: { 'no-restricted-imports': layer(['**/cli/**', '**/server/**'], 'client may import shared only') },
  },
  {
    files: ['src/server/**/*.ts'],
    rules: { 'no-restricted-imports': layer(['**/cli/**', '**/client/**'], 'server may import shared only') },
  },
  {
    // The `server`, `ingest`, `migrate`, `export` and `import` commands reach the server through one dynamic
    // import() (not checked by this rule) and may import its types; every other static import of server code from
    // the CLI is refused.
    files: ['src/cli/**/*.ts'],
    ignores: [
      'src/cli/commands/server.ts',
      'src/cli/commands/ingest.ts',
      'src/cli/commands/migrate.ts',
      'src/cli/commands/export.ts',
      'src/cli/commands/import.ts',
    ],
    rules: {
      'no-restricted-imports': layer(
        ['**/server/**'],
        'the CLI reaches the server only through the server, ingest, migrate, export and import commands',
      ),
    },
  },
);
