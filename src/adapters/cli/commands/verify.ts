import { z } from 'zod';
import { parseRename } from '../../../core/plan/index.js';
import { buildRevisionReport, renderMarkdownReport, renderTerminalReport, type Report } from '../../../core/report/index.js';
import { RunnerUnavailableError } from '../../../core/verify/runners.js';
import { verifyChange, verifyRevision, type VerifyEnvironment } from '../../../core/verify/verify.js';
import { backendOption } from '../backend-option.js';
import { parseOptions, UsageError, type Command } from '../command.js';
import { databaseUrl, databaseUrlSchema } from '../database-url.js';
import { ExitCode } from '../exit-codes.js';
import { displayLocation, type CliIO } from '../io.js';
import { displayPath, formatDiagnostics } from '../plan-output.js';
import { MODEL_SOURCE_HELP, modelSourceOptionsSchema, modelSourceParseConfig, resolveModelSources } from '../model-source.js';
import { modelsDir } from './diff.js';

/** The options `verify` and `generate --verify` share, as their help shows them. */
export const DATABASE_OPTIONS_HELP = `  --database-url URL    a server where databases may be created (default: DATABASE_URL,
                        else an embedded PostgreSQL)
  --runner sql|alembic  apply the rendered SQL through pg (default), or run the revision
                        with Alembic (python3 -m alembic; FLOW_MIGRATE_PYTHON picks the python)
  --from-chain          build the base by replaying the backend's migrations (alembic runner)
                        and report where that differs from the base models`;

const HELP = `Usage: flow-migrate verify --base DIR|REF (--head DIR|REF | --staged | --worktree) [--backend DIR] [options]
       flow-migrate verify --revision FILE --backend DIR [--head DIR] [options]

Plans and renders the change between two versions of the models, then proves it on an
ephemeral PostgreSQL database: build the base schema, seed realistic rows, upgrade (compare
with the head models, check every row), downgrade (compare with the base, check the rows
again), upgrade again. Ends with the report: summary, migration, verification, risks, how to
run it and how to roll it back.

With --revision, verifies an existing revision file instead (one a person wrote or
edited), with Alembic, on a base replayed from the chain before it.

Options:
  --base DIR|REF        the models package before the change
  --head DIR|REF        the models package after the change
  --backend DIR         the folder holding alembic.ini (needed by --runner alembic and --revision;
                        default: \`backend\` in flow-migrate.yml)
  --revision FILE       verify this revision file instead of planning one
${DATABASE_OPTIONS_HELP}
  --rename A=B          confirm a rename: tasks.status=current_status (column), bots=flowbots (table)
  --allow-data-loss     confirm drops and narrowing type changes
  --assume-empty T      table T holds no rows: a NOT NULL column needs no value for
                        existing ones, and verification seeds none in it (repeatable)
  --message TEXT        the revision message (default: a summary of the change)
  --down-revision REV   the head to build on when the backend has several
  --format FORMAT       text (default), markdown (what the pull-request comment shows) or json
  --json                the same as --format json

${MODEL_SOURCE_HELP}

Exit codes: 0 verified (or no schema changes), 1 verification failed or could not run (the
database unreachable, or an extension the revision needs missing on it), 2 bad input
(syntax error, bad flag, Python or Alembic missing for the alembic runner), 3 refused for
data safety (nothing was verified).
`;

const optionsSchema = z
  .object({
    ...modelSourceOptionsSchema.shape,
    base: z.string().min(1).optional(),
    head: z.string().min(1).optional(),
    backend: z.string().min(1).optional(),
    revision: z.string().min(1).optional(),
    'database-url': databaseUrlSchema.optional(),
    runner: z.enum(['sql', 'alembic']).optional(),
    'from-chain': z.boolean().default(false),
    rename: z.array(z.string()).default([]),
    'allow-data-loss': z.boolean().default(false),
    'assume-empty': z.array(z.string().min(1)).default([]),
    message: z.string().optional(),
    'down-revision': z.string().min(1).optional(),
    format: z.enum(['text', 'markdown', 'json']).optional(),
    json: z.boolean().default(false),
  })
  .strict();

type Options = z.infer<typeof optionsSchema>;

export const verifyParseConfig = {
  ...modelSourceParseConfig,
  base: { type: 'string' },
  head: { type: 'string' },
  backend: { type: 'string' },
  revision: { type: 'string' },
  'database-url': { type: 'string' },
  runner: { type: 'string' },
  'from-chain': { type: 'boolean' },
  rename: { type: 'string', multiple: true },
  'allow-data-loss': { type: 'boolean' },
  'assume-empty': { type: 'string', multiple: true },
  message: { type: 'string' },
  'down-revision': { type: 'string' },
  format: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const verifyCommand: Command = {
  name: 'verify',
  help: HELP,
  async run(args, io) {
    const { options } = parseOptions(args, verifyParseConfig, optionsSchema);
    const format = options.json ? 'json' : (options.format ?? 'text');
    try {
      return options.revision ? await runRevision(options, format, io) : await runChange(options, format, io);
    } catch (err) {
      if (err instanceof RunnerUnavailableError) {
        io.stderr(`flow-migrate verify: ${err.message}\n`);
        return ExitCode.badInput;
      }
      throw err;
    }
  },
};

export function verifyEnvironment(options: { 'database-url'?: string | undefined }, io: CliIO): VerifyEnvironment {
  return {
    databaseUrl: databaseUrl(options['database-url'], io),
    python: io.env.FLOW_MIGRATE_PYTHON || undefined,
    env: io.env,
  };
}

async function runChange(options: Options, format: ReportFormat, io: CliIO): Promise<number> {
  if (!options.base) throw new UsageError('--base is required (or --revision FILE)');
  const backend = await backendOption(options, io);
  const result = await verifyChange({
    ...verifyEnvironment(options, io),
    ...(await resolveModelSources(options, io)),
    backend: backend === null ? null : modelsDir(backend, io),
    renames: options.rename.map(parseRename),
    allowDataLoss: options['allow-data-loss'],
    assumeEmpty: options['assume-empty'],
    runner: options.runner ?? 'sql',
    fromChain: options['from-chain'],
    message: options.message ?? null,
    downRevision: options['down-revision'] ?? null,
  });
  if (result.status === 'unreadable') {
    io.stderr(formatDiagnostics(result.diagnostics, io));
    return ExitCode.badInput;
  }
  io.stderr(formatDiagnostics(result.generated.diagnostics, io));
  printReport(result.report, format, io);
  return exitCodeOf(result.report);
}

async function runRevision(options: Options, format: ReportFormat, io: CliIO): Promise<number> {
  const backendDir = await backendOption(options, io);
  if (backendDir === null) throw new UsageError('--revision needs --backend DIR (the folder holding alembic.ini), or `backend:` in flow-migrate.yml');
  if (options.runner === 'sql') throw new UsageError('--revision runs the file with Alembic: use --runner alembic (the default here)');
  const backend = modelsDir(backendDir, io);
  const result = await verifyRevision({
    ...verifyEnvironment(options, io),
    backend,
    revisionPath: modelsDir(options.revision!, io).dir,
    head: options.head ? modelsDir(options.head, io) : null,
  });
  const report = buildRevisionReport({ ...result, allowDataLoss: options['allow-data-loss'] });
  printReport(report, format, io);
  return exitCodeOf(report);
}

export type ReportFormat = 'text' | 'markdown' | 'json';

/** `extra`: fields the JSON object carries beside the report's own (`generate --verify`: `written`). */
export function printReport(full: Report, format: ReportFormat, io: CliIO, extra: Record<string, unknown> = {}): void {
  // People read paths relative to where they are.
  const report: Report = {
    ...full,
    risks: full.risks.map((r) => ({ ...r, location: r.location && displayLocation(r.location, io) })),
    migration: full.migration && { ...full.migration, path: full.migration.path && displayPath(full.migration.path, io) },
  };
  if (format === 'json') io.stdout(`${JSON.stringify({ ...report, ...extra }, null, 2)}\n`);
  else if (format === 'markdown') io.stdout(`${renderMarkdownReport(report)}\n`);
  else io.stdout(renderTerminalReport(report, { color: io.color }));
}

export function exitCodeOf(report: Report): number {
  switch (report.status) {
    case 'refused':
      return ExitCode.refused;
    // A revision the server could not run (an extension it lacks) is unproven: no CI may pass it.
    case 'verification-failed':
    case 'not-verified':
      return ExitCode.failure;
    default:
      return ExitCode.ok;
  }
}
