import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { InputError } from '../../../core/errors.js';
import { generateRevision, type GenerateResult } from '../../../core/generate.js';
import { parseRename } from '../../../core/plan/index.js';
import { RunnerUnavailableError } from '../../../core/verify/runners.js';
import { verifyChange } from '../../../core/verify/verify.js';
import { systemErrorReason } from '../../fs/system-error.js';
import { requiredBackendOption } from '../backend-option.js';
import { parseOptions, type Command } from '../command.js';
import { databaseUrlSchema } from '../database-url.js';
import { ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { diffJson, displayPath, formatDiagnostics, formatFinding, formatSql, refusalReason, type GenerateJson } from '../plan-output.js';
import { MODEL_SOURCE_HELP, resolveModelSources } from '../model-source.js';
import { diffOptionsSchema, diffParseConfig, modelsDir } from './diff.js';
import { findMatchingMigration } from './hook-check.js';
import { DATABASE_OPTIONS_HELP, exitCodeOf, printReport, verifyEnvironment } from './verify.js';

const HELP = `Usage: flow-migrate generate --base DIR|REF (--head DIR|REF | --staged | --worktree) --backend DIR [options]

Writes the Alembic revision that takes the database from the base models to the head
models, following the backend's own template, numbering and habits.

Options:
  --base DIR|REF        the models package before the change
  --head DIR|REF        the models package after the change
  --backend DIR         the folder holding alembic.ini (default: \`backend\` in flow-migrate.yml)
  --message TEXT        the revision message (default: a summary of the change)
  --rename A=B          confirm a rename: tasks.status=current_status (column), bots=flowbots (table)
  --allow-data-loss     confirm drops and narrowing type changes
  --assume-empty T      table T holds no rows: add a NOT NULL column to it without a
                        value for existing rows (repeatable)
  --down-revision REV   the head to build on when the backend has several
  --write               write the file into the versions folder and print its path
  --sql                 print the PostgreSQL statements (upgrade, then downgrade) instead of the file
  --json                print the machine-readable result (see the README)

Verification (see \`flow-migrate verify --help\`):
  --verify              first prove the revision on an ephemeral PostgreSQL (upgrade,
                        downgrade, upgrade, with seeded rows) and print the report; with
                        --write the file is written only when it verified
${DATABASE_OPTIONS_HELP}
  --format FORMAT       the report as text (default), markdown (what the pull-request
                        comment shows) or json; --json is the same as --format json

Without --write the revision file is printed and nothing is written; with --write
the file goes into the backend's versions folder and its path is printed.

${MODEL_SOURCE_HELP}

Exit codes: 0 generated (or no schema changes; with --verify: verified), 1 failure
(with --verify: verification failed or could not run: the database unreachable, or an
extension the revision needs missing on it; nothing written), 2 bad
input (syntax error, bad flag, several heads, a versions folder that cannot be written,
Python or Alembic missing for the alembic runner), 3 refused for data safety (nothing
written).
`;

/** The options that only mean something when verifying. */
const VERIFY_ONLY = ['database-url', 'runner', 'from-chain', 'format'] as const;

const optionsSchema = diffOptionsSchema
  .extend({
    backend: z.string().min(1).optional(),
    message: z.string().optional(),
    'down-revision': z.string().min(1).optional(),
    write: z.boolean().default(false),
    sql: z.boolean().default(false),
    verify: z.boolean().default(false),
    'database-url': databaseUrlSchema.optional(),
    runner: z.enum(['sql', 'alembic']).optional(),
    'from-chain': z.boolean().optional(),
    format: z.enum(['text', 'markdown', 'json']).optional(),
  })
  .superRefine((o, ctx) => {
    for (const name of VERIFY_ONLY) {
      if (o[name] !== undefined && !o.verify) ctx.addIssue({ code: 'custom', path: [name], message: 'only with --verify' });
    }
    // The report lists the statements; --sql would print them without the proof.
    if (o.verify && o.sql) ctx.addIssue({ code: 'custom', path: ['sql'], message: 'not with --verify (the report lists the statements)' });
  });

type Options = z.infer<typeof optionsSchema>;

export const generateCommand: Command = {
  name: 'generate',
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
        verify: { type: 'boolean' },
        'database-url': { type: 'string' },
        runner: { type: 'string' },
        'from-chain': { type: 'boolean' },
        format: { type: 'string' },
      },
      optionsSchema,
    );
    if (options.verify) return verifyThenWrite(options, io);
    const result = await generateRevision(await generateRequestOf(options, io));

    if (options.write && (await alreadyInBackend(result, io))) return ExitCode.ok;
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

async function generateRequestOf(options: Options, io: CliIO) {
  return {
    ...(await resolveModelSources(options, io)),
    backend: modelsDir(await requiredBackendOption(options, io), io),
    renames: options.rename.map(parseRename),
    allowDataLoss: options['allow-data-loss'],
    assumeEmpty: options['assume-empty'],
    message: options.message ?? null,
    downRevision: options['down-revision'] ?? null,
  };
}

/**
 * `generate --verify`: the same revision, proved on an ephemeral PostgreSQL first. The report
 * goes to stdout (as `verify` prints it); with --write the file is written only once it
 * verified, so a revision that fails its round trip never lands in the versions folder.
 */
async function verifyThenWrite(options: Options, io: CliIO): Promise<number> {
  const request = await generateRequestOf(options, io);
  const planned = options.write ? await generateRevision(request) : undefined;
  if (planned && (await alreadyInBackend(planned, io))) return ExitCode.ok;
  let result;
  try {
    result = await verifyChange({
      ...verifyEnvironment(options, io),
      ...request,
      generated: planned,
      runner: options.runner ?? 'sql',
      fromChain: options['from-chain'] ?? false,
    });
  } catch (err) {
    if (!(err instanceof RunnerUnavailableError)) throw err;
    io.stderr(`flow-migrate generate: ${err.message}\n`);
    return ExitCode.badInput;
  }
  if (result.status === 'unreadable') {
    io.stderr(formatDiagnostics(result.diagnostics, io));
    io.stderr('the models could not be read fully (errors above); nothing was written\n');
    return ExitCode.badInput;
  }
  const { generated, report } = result;
  const written = options.write && report.status === 'verified' && generated.status === 'ready';
  if (written) await writeRevision(generated.revision.path, generated.revision.content, io);
  const format = options.json ? 'json' : (options.format ?? 'text');
  io.stderr(formatDiagnostics(generated.diagnostics, io));
  // The verify report, plus whether the file went into the versions folder.
  printReport(report, format, io, { written });
  if (written) io.stderr(`wrote ${displayPath(generated.revision.path, io)}\n`);
  else if (options.write && generated.status === 'ready') io.stderr('the revision did not verify; nothing was written\n');
  return exitCodeOf(report);
}

/**
 * Whether a head revision of the backend already makes this revision's `op.` calls (as the
 * hook matches them), saying so: `generate --write` run twice on one change writes it once,
 * not a second revision that would fail to apply.
 */
async function alreadyInBackend(result: GenerateResult, io: CliIO): Promise<boolean> {
  const present = result.status === 'ready' ? await findMatchingMigration(result) : null;
  if (present === null) return false;
  io.stderr(formatDiagnostics(result.diagnostics, io));
  io.stderr(`the backend already has this migration: ${displayPath(present, io)}; nothing was written\n`);
  return true;
}

/** The file (or its path, or its SQL) on stdout; why nothing was written, and warnings, on stderr. */
function text(result: GenerateResult, options: Options, io: CliIO): { stdout: string; stderr: string } {
  switch (result.status) {
    case 'unreadable':
      return { stdout: '', stderr: 'the models could not be read fully (errors above); nothing was written\n' };
    case 'no-changes':
      return { stdout: 'no schema changes\n', stderr: '' };
    case 'refused': {
      const open = result.plan.findings.filter((f) => f.severity === 'error' && !f.confirmed);
      const stderr = [
        `refused: ${refusalReason(result.plan)}; nothing was written\n`,
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

/** A folder that cannot be written is bad input, as a missing alembic.ini is: exit 2, nothing written. */
async function writeRevision(file: string, content: string, io: CliIO): Promise<void> {
  const folder = path.dirname(file);
  try {
    await mkdir(folder, { recursive: true });
    // `wx`: never overwrite an existing revision file.
    await writeFile(file, content, { encoding: 'utf8', flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'EEXIST' ? new InputError(`${displayPath(file, io)} already exists; not overwriting it`) : err;
    });
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot write the revision into ${displayPath(folder, io)}: ${systemErrorReason(err)}; nothing was written`);
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
