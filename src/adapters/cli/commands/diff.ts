import path from 'node:path';
import { z } from 'zod';
import { diffModels } from '../../../core/generate.js';
import { parseRename } from '../../../core/plan/index.js';
import { fileSystemTree } from '../../fs/file-system-tree.js';
import { parseOptions, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { MODEL_SOURCE_HELP, modelSourceOptionsSchema, modelSourceParseConfig, resolveModelSources } from '../model-source.js';
import { diffJson, formatDiagnostics, formatDiff } from '../plan-output.js';

const HELP = `Usage: flow-migrate diff --base DIR|REF (--head DIR|REF | --staged | --worktree) [--rename A=B]... [--allow-data-loss] [--json]

Plans the schema change between two versions of the models: the operations, the risk
findings, and the removed + added pairs that may be renames.

Options:
  --base DIR|REF      the models package before the change
  --head DIR|REF      the models package after the change
  --rename A=B        confirm a rename: tasks.status=current_status (column), bots=flowbots (table)
  --allow-data-loss   confirm drops and narrowing type changes
  --assume-empty T    table T holds no rows: add a NOT NULL column to it without a value
                      for existing rows (repeatable)
  --json              print the machine-readable result (see the README)

${MODEL_SOURCE_HELP}

Exit codes: 0 planned, 1 failure, 2 bad input (syntax error, unreadable model),
3 the change would be refused for data safety (generate would write nothing; the
findings name the flags that confirm it).
`;

export const diffOptionsSchema = modelSourceOptionsSchema.extend({
  base: z.string({ error: 'is required' }).min(1),
  head: z.string().min(1).optional(),
  rename: z.array(z.string()).default([]),
  'allow-data-loss': z.boolean().default(false),
  'assume-empty': z.array(z.string().min(1)).default([]),
  json: z.boolean().default(false),
});

export const diffParseConfig = {
  ...modelSourceParseConfig,
  base: { type: 'string' },
  head: { type: 'string' },
  rename: { type: 'string', multiple: true },
  'allow-data-loss': { type: 'boolean' },
  'assume-empty': { type: 'string', multiple: true },
  json: { type: 'boolean' },
} as const;

export function modelsDir(dir: string, io: CliIO) {
  return { tree: fileSystemTree(), dir: path.resolve(io.cwd, dir).split(path.sep).join('/') };
}

export const diffCommand: Command = {
  name: 'diff',
  help: HELP,
  async run(args, io) {
    const { options } = parseOptions(args, diffParseConfig, diffOptionsSchema);
    const diff = await diffModels({
      ...(await resolveModelSources(options, io)),
      renames: options.rename.map(parseRename),
      allowDataLoss: options['allow-data-loss'],
      assumeEmpty: options['assume-empty'],
    });
    const unreadable = diff.diagnostics.some((d) => d.severity === 'error');
    if (options.json) {
      io.stdout(`${JSON.stringify(diffJson(diff, io), null, 2)}\n`);
    } else {
      io.stderr(formatDiagnostics(diff.diagnostics, io));
      if (!unreadable) io.stdout(formatDiff(diff, io));
    }
    if (unreadable) return ExitCode.badInput;
    // As `generate` would: a script can tell a plan it may write from one that needs confirming.
    return diff.plan.refused ? ExitCode.refused : ExitCode.ok;
  },
};
