/**
 * `npm run replay`: replays public projects' own histories (see corpus.json and the README's
 * "Replay corpus"). For every commit that changes the models and adds one revision, the
 * revision `generate` writes from the models before and after the commit is compared, on live
 * catalogs, with the one the authors committed, then downgraded and upgraded again. Never
 * part of the test suite. Running the authors' revisions runs their code: only on public
 * projects fetched into a sandbox, never on a pull request.
 *
 *   npm run replay -- [--project zou,mealie] [--limit 30] [--self-test] [--json] [--out FILE]
 *                     [--mirrors DIR] [--corpus FILE] [--database-url URL] [--rows N]
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { candidateCommits, mirrorRepository } from './commits.js';
import { loadCorpus, type Project } from './corpus.js';
import { replayCommit, type CommitOutcome, type ReplayMode } from './replay-commit.js';

const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));

const optionsSchema = z.object({
  corpus: z.string().default(path.join(PACKAGE, 'replay', 'corpus.json')),
  project: z
    .string()
    .optional()
    .transform((s) => (s ? new Set(s.split(',')) : null)),
  limit: z.coerce.number().int().min(1).optional(),
  'self-test': z.boolean().default(false),
  json: z.boolean().default(false),
  out: z.string().optional(),
  /** Where `fetch` puts mirrors: `<mirrors>/<owner>+<name>/repo` is a bare git directory. */
  mirrors: z.string().default(process.env.FLOW_REPLAY_MIRRORS ?? '/work/.mirror'),
  'database-url': z.string().optional(),
  rows: z.coerce.number().int().min(1).optional(),
});

export interface CommitRecord {
  sha: string;
  subject: string;
  outcome: CommitOutcome;
  /** Wall-clock milliseconds of the whole replay of the commit. */
  ms: number;
}

export interface ProjectRecord {
  name: string;
  repo: string;
  style: string;
  mode: ReplayMode;
  /** Commits replayed (not skipped). */
  replayed: number;
  matched: number;
  /** Differ only where the authors' migration disagrees with their models. */
  disagrees: number;
  mismatched: number;
  skipped: number;
  commits: CommitRecord[];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      corpus: { type: 'string' },
      project: { type: 'string' },
      limit: { type: 'string' },
      'self-test': { type: 'boolean' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      mirrors: { type: 'string' },
      'database-url': { type: 'string' },
      rows: { type: 'string' },
    },
  });
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    console.error(`--${issue.path.join('.')}: ${issue.message}`);
    return 2;
  }
  const options = parsed.data;
  let projects: Project[];
  try {
    projects = (await loadCorpus(options.corpus)).projects.filter((p) => !options.project || options.project.has(p.name));
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  if (!projects.length) {
    console.error(`no project of ${options.corpus} is named ${[...(options.project ?? [])].join(', ')}`);
    return 2;
  }
  const mode: ReplayMode = options['self-test'] ? 'self-test' : 'generate';
  const environment = {
    databaseUrl: options['database-url'] ?? process.env.DATABASE_URL ?? null,
    python: process.env.FLOW_MIGRATE_PYTHON ?? 'python3',
    env: process.env,
    rowsPerTable: options.rows,
  };

  const records: ProjectRecord[] = [];
  for (const project of projects) {
    const mirror = path.join(options.mirrors, project.repo.replace('/', '+'), 'repo');
    if (!existsSync(mirror)) {
      console.error(`${project.name}: no mirror of ${project.repo} at ${mirror} (fetch github:${project.repo} first)`);
      return 2;
    }
    const repo = mirrorRepository(mirror, project.name);
    const limited = { ...project, limit: options.limit ?? project.limit };
    const record: ProjectRecord = {
      name: project.name,
      repo: project.repo,
      style: project.style,
      mode,
      replayed: 0,
      matched: 0,
      disagrees: 0,
      mismatched: 0,
      skipped: 0,
      commits: [],
    };
    for (const commit of await candidateCommits(repo, limited)) {
      const started = performance.now();
      const outcome = await replayCommit(repo, limited, commit, mode, environment).catch(
        (e: Error): CommitOutcome => ({ status: 'mismatch', base: null, differences: [`replay failed: ${e.message.split('\n')[0]}`] }),
      );
      const entry = { sha: commit.sha, subject: commit.subject, outcome, ms: Math.round(performance.now() - started) };
      record.commits.push(entry);
      count(record, outcome);
      if (!options.json) console.log(commitLine(project.name, entry));
    }
    records.push(record);
    if (!options.json) console.log(scoreLine(record));
  }
  if (options.json) console.log(JSON.stringify(records, null, 2));
  if (options.out) await writeFile(options.out, `${JSON.stringify({ mode, projects: records }, null, 2)}\n`);
  // The authors' own revisions must always replay as themselves.
  return mode === 'self-test' && records.some((r) => r.matched !== r.replayed) ? 1 : 0;
}

function count(record: ProjectRecord, outcome: CommitOutcome): void {
  if (outcome.status === 'skipped') {
    record.skipped++;
    return;
  }
  record.replayed++;
  if (outcome.status === 'match') record.matched++;
  else if (outcome.status === 'disagrees') record.disagrees++;
  else record.mismatched++;
}

function commitLine(project: string, entry: CommitRecord): string {
  const head = `${project} ${entry.sha.slice(0, 10)} ${entry.subject.slice(0, 60)}`;
  const { outcome } = entry;
  switch (outcome.status) {
    case 'match':
      return `${head}\n  match${outcome.seedFailed ? ` (on empty tables: our seed fails: ${outcome.seedFailed})` : ''}`;
    case 'skipped':
      return `${head}\n  skipped: ${outcome.reason}`;
    case 'mismatch':
    case 'disagrees': {
      const label = outcome.status === 'mismatch' ? 'mismatch' : "mismatch where the authors' migration disagrees with their models";
      const seed = outcome.seedFailed ? `\n    (on empty tables: our seed fails: ${outcome.seedFailed})` : '';
      return `${head}\n  ${label}:\n${outcome.differences.map((d) => `    ${d}`).join('\n')}${seed}`;
    }
  }
}

function scoreLine(r: ProjectRecord): string {
  const percent = r.replayed ? ` (${Math.round((r.matched / r.replayed) * 1000) / 10} %)` : '';
  return `${r.name}: ${r.matched}/${r.replayed} match${percent}, ${r.disagrees} where the authors disagree with their models, ${r.mismatched} mismatch, ${r.skipped} skipped`;
}

process.exitCode = await main();
