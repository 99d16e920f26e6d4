import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { InputError } from '../../../core/errors.js';
import { generateRevision, type GenerateResult } from '../../../core/generate.js';
import { parseRename } from '../../../core/plan/index.js';
import { parseOptions, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { diffJson, displayPath, formatDiagnostics, formatFinding, formatSql, type GenerateJson } from '../plan-output.js';
import { MODEL_SOURCE_HELP, resolveModelSources } from '../model-source.js';
import { diffOptionsSchema, diffParseConfig, modelsDir } from './diff.js';

const HELP = `Usage: flow-migrate generate --base DIR|REF (--head DIR|REF | --staged | --worktree) --backend DIR [options]

Writes the Alembic revision that takes the database from the base models to the head
models, following the backend's own template, numbering and habits.

Options:
  --base DIR|REF        the models package before the change
  --head DIR|REF        the models package after the change
  --backend DIR         the folder holding alembic.ini
  --message TEXT        the revision message (default: a summary of the change)
  --rename A=B          confirm a rename: tasks.status=current_status (column), bots=flowbots (table)
  --allow-data-loss     confirm drops and narrowing type changes
  --down-revision REV   the head to build on when the backend has several
  --write               write the file into the versions folder and print its path
  --sql                 print the PostgreSQL statements (upgrade, then downgrade) instead of the file
  --json                print the machine-readable result (see the README)

Without --write the revision file is printed and nothing is written; with --write
the file goes into the backend's versions folder and its path is printed.

${MODEL_SOURCE_HELP}

Exit codes: 0 generated (or no schema changes), 1 failure, 2 bad input (syntax error,
bad flag, several heads), 3 refused for data safety (nothing written).
`;

const optionsSchema = diffOptionsSchema.extend({
  backend: z.string({ error: 'is required' }).min(1),
  message: z.string().optional(),
  'down-revision': z.string().min(1).optional(),
  write: z.boolean().default(false),
  sql: z.boolean().default(false),
});

export const generateCommand: Command = {
  name: 'generate',
  summary: 'write the Alembic revision for the change between two versions of the models',
  help: HELP,
  async run(args, io) {
    const { options } = parseOptions(
      args,
      {
        ...diffParseConfig,
        backend: { type: 'string' },
        message: { type: 'string' },
        'down-revision': { type: 'string' },
        write: { type: 'boolean' },
        sql: { type: 'boolean' },
      },
      optionsSchema,
    );
    const result = await generateRevision({
      ...(await resolveModelSources(options, io)),
      backend: modelsDir(options.backend, io),
      renames: options.rename.map(parseRename),
      allowDataLoss: options['allow-data-loss'],
      message: options.message ?? null,
      downRevision: options['down-revision'] ?? null,
    });

    const written = result.status === 'ready' && options.write;
    if (written) await writeRevision(result.revision.path, result.revision.content, io);

    if (options.json) {
      io.stdout(`${JSON.stringify(generateJson(result, written, io), null, 2)}\n`);
    } else {
      io.stderr(formatDiagnostics(result.diagnostics, io));
      const out = text(result, options, io);
      io.stdout(out.stdout);
      io.stderr(out.stderr);
    }
    return exitCode(result);
  },
};

/** The file (or its path, or its SQL) on stdout; why nothing was written, and warnings, on stderr. */
function text(result: GenerateResult, options: { write: boolean; sql: boolean }, io: CliIO): { stdout: string; stderr: string } {
  switch (result.status) {
    case 'unreadable':
      return { stdout: '', stderr: 'the models could not be read fully (errors above); nothing was written\n' };
    case 'no-changes':
      return { stdout: 'no schema changes\n', stderr: '' };
    case 'refused': {
      const open = result.plan.findings.filter((f) => f.severity === 'error' && !f.confirmed);
      const stderr = [
        `refused: ${open.length} change${open.length === 1 ? '' : 's'} would lose data; nothing was written\n`,
        ...open.map((f) => formatFinding(f, io)),
      ].join('');
      return { stdout: '', stderr };
    }
    case 'ready': {
      const out = options.write ? [`${displayPath(result.revision.path, io)}\n`] : [];
      if (options.sql) out.push(formatSql(result.sql));
      else if (!options.write) out.push(result.revision.content);
      const notable = result.plan.findings.filter((f) => f.severity !== 'info');
      return { stdout: out.join(''), stderr: notable.map((f) => formatFinding(f, io)).join('') };
    }
  }
}

async function writeRevision(file: string, content: string, io: CliIO): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  try {
    // `wx`: never overwrite an existing revision file.
    await writeFile(file, content, { encoding: 'utf8', flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    throw new InputError(`${displayPath(file, io)} already exists; not overwriting it`);
  }
}

function exitCode(result: GenerateResult): number {
  switch (result.status) {
    case 'unreadable':
      return ExitCode.badInput;
    case 'refused':
      return ExitCode.refused;
    default:
      return ExitCode.ok;
  }
}

function generateJson(result: GenerateResult, written: boolean, io: CliIO): GenerateJson {
  const ready = result.status === 'ready' ? result : null;
  return {
    status: result.status,
    ...diffJson(result, io),
    revision: ready && {
      id: ready.revision.id,
      downRevision: ready.downRevision,
      message: ready.message,
      fileName: ready.revision.fileName,
      path: displayPath(ready.revision.path, io),
      written,
      content: ready.revision.content,
    },
    sql: ready && {
      upgrade: ready.sql.upgrade.map((s) => s.sql),
      downgrade: ready.sql.downgrade.map((s) => s.sql),
    },
  };
}
