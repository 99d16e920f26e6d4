import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { ExtensionUnavailableError } from '../../../src/core/verify/round-trip.js';
import { corePipeline, stableRevisionId } from '../../../src/adapters/github/core-pipeline.js';
import type { MigrationPipelineInput, Verifier } from '../../../src/adapters/github/pipeline.js';
import { verifyMigration } from '../../../src/adapters/github/verify-migration.js';
import { databaseServerUrl } from '../../support/database.js';
import { memoryTree } from '../../support/memory-tree.js';
import { dataLossFingerprint, isDataLoss } from '../../../src/adapters/github/utils/data-loss.js';
import type { Finding } from '../../../src/core/plan/types.js';
import { repositoryFiles } from './github-api.js';

function fingerprints(findings: Finding[]): Set<string> {
  return new Set(findings.filter(isDataLoss).map(dataLossFingerprint));
}

/** The real engine on the fixture repositories, verifying on the test run's PostgreSQL. */

let models: Record<string, Record<string, string>>;
let backend: Record<string, string>;
beforeAll(async () => {
  models = {};
  for (const name of ['base', 'add-notes', 'drop-status', 'rename-status', 'syntax-error']) {
    models[name] = await repositoryFiles(`flowbot-commons/${name}`);
  }
  backend = await repositoryFiles('flow-py-backend');
});

function input(head: string, options: Partial<MigrationPipelineInput> = {}): MigrationPipelineInput {
  return {
    baseModels: { tree: memoryTree(models.base!), dir: 'flowbot_commons' },
    headModels: { tree: memoryTree(models[head]!), dir: 'flowbot_commons' },
    backend: { tree: memoryTree(backend), dir: '' },
    renames: [],
    confirmedDataLoss: new Set(),
    databaseUrl: databaseServerUrl(),
    markdownBudget: 60_000,
    revisionKey: 'flow/flowbot-commons#42',
    ...options,
  };
}

const pipeline = corePipeline(verifyMigration);

describe('corePipeline', () => {
  it('verifies an additive change on PostgreSQL and proposes a revision with a stable id', async () => {
    const result = await pipeline(input('add-notes'));

    expect(result.status).toBe('verified');
    const id = stableRevisionId('flow/flowbot-commons#42');
    expect(result.revisionFile!.path).toMatch(new RegExp(`^alembic/versions/${id}_add_notes_to_tasks\\.py$`));
    expect(result.revisionFile!.content).toContain(`revision: str = '${id}'`);
    expect(result.revisionFile!.content).toContain(`down_revision: Union[str, None] = '3a7e1c9b2f40'`);
    expect(result.revisionFile!.content).toContain("op.add_column('tasks'");
    expect(result.markdown).toContain('verified on PostgreSQL');
    expect(result.markdown).toContain(':white_check_mark: Upgrade, compare with the head models');
    expect(result.markdown).not.toContain(':x:');
    expect(result.confirmations).toEqual([]);
  });

  it('refuses to drop a column until data loss is allowed, pointing at the model line', async () => {
    const refused = await pipeline(input('drop-status'));

    expect(refused.status).toBe('needs-confirmation');
    expect(refused.revisionFile).toBeNull();
    expect(refused.confirmations).toEqual([{ kind: 'allow-data-loss' }]);
    expect(refused.findings).toContainEqual(
      expect.objectContaining({
        rule: 'drop-column',
        severity: 'error',
        location: expect.objectContaining({ file: 'flowbot_commons/models.py', line: 14 }),
      }),
    );
    expect(refused.markdown).toContain('`/migration allow-data-loss`');

    const allowed = await pipeline(input('drop-status', { confirmedDataLoss: fingerprints(refused.findings) }));
    expect(allowed.status).toBe('verified');
    expect(allowed.revisionFile!.content).toContain("op.drop_column('tasks', 'status')");
  });

  it('allows only the drops that were confirmed: a second drop keeps the plan refused', async () => {
    const dropStatus = await pipeline(input('drop-status'));
    const confirmedStatus = fingerprints(dropStatus.findings);
    expect(confirmedStatus.size).toBe(1);
    models['drop-status-and-title'] = {
      ...models['drop-status']!,
      'flowbot_commons/models.py': models['drop-status']!['flowbot_commons/models.py']!.replace(/^ +title: .*\n/m, ''),
    };

    const refused = await pipeline(input('drop-status-and-title', { confirmedDataLoss: confirmedStatus }));

    expect(refused.status).toBe('needs-confirmation');
    expect(refused.revisionFile).toBeNull();
    expect(refused.confirmations).toEqual([{ kind: 'allow-data-loss' }]);
    const drops = refused.findings.filter((f) => f.rule === 'drop-column');
    expect(drops.map((f) => [f.column, f.confirmed])).toEqual(
      expect.arrayContaining([
        ['status', true],
        ['title', false],
      ]),
    );
    expect(drops).toHaveLength(2);
    expect(refused.markdown).toMatch(/\(confirmed\)[^\n]*status/);
    expect(refused.markdown).toMatch(/\(refused until confirmed\)[^\n]*title/);

    const allowed = await pipeline(input('drop-status-and-title', { confirmedDataLoss: fingerprints(refused.findings) }));
    expect(allowed.status).toBe('verified');
    expect(allowed.revisionFile!.content).toContain("op.drop_column('tasks', 'title')");
  });

  it('asks to confirm a probable rename, then renames instead of dropping', async () => {
    const asked = await pipeline(input('rename-status'));
    expect(asked.status).toBe('needs-confirmation');
    expect(asked.confirmations).toContainEqual({ kind: 'rename', from: 'tasks.status', to: 'current_status' });
    expect(asked.markdown).toContain('/migration rename tasks.status=current_status');

    const renamed = await pipeline(
      input('rename-status', { renames: [{ kind: 'column', table: 'tasks', from: 'status', to: 'current_status' }] }),
    );
    expect(renamed.status).toBe('verified');
    expect(renamed.revisionFile!.content).toContain("new_column_name='current_status'");
    expect(renamed.revisionFile!.content).not.toContain('drop_column');
  });

  it('throws a located InputError for a model syntax error', async () => {
    const error = await pipeline(input('syntax-error')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location).toMatchObject({ file: 'flowbot_commons/models.py', line: 14 });
  });

  it('without a verifier reports the migration as not verified', async () => {
    const result = await corePipeline(null)(input('add-notes'));
    expect(result.status).toBe('not-verified');
    expect(result.revisionFile).not.toBeNull();
    expect(result.markdown).toContain('Verification did not run');
  });

  it('when the database cannot be used, says so without its password', async () => {
    const unreachable: Verifier = async () => {
      throw new Error('connect ECONNREFUSED for postgresql://bot:hunter22@db.internal:5432/postgres');
    };
    const result = await corePipeline(unreachable)(input('add-notes', { databaseUrl: 'postgresql://bot:hunter22@db.internal:5432/postgres' }));
    expect(result.status).toBe('not-verified');
    expect(result.markdown).toContain('the verification database could not be used');
    expect(result.markdown).not.toContain('hunter22');
  });

  it('on a server without an extension the revision needs, says which, not that the database failed', async () => {
    const lacking: Verifier = async () => {
      throw new ExtensionUnavailableError(['pg_trgm']);
    };
    const result = await corePipeline(lacking)(input('add-notes'));
    expect(result.status).toBe('not-verified');
    expect(result.markdown).toContain('Verification did not run: extension pg_trgm, which the revision needs, is not available on this PostgreSQL server');
    expect(result.markdown).not.toContain('the verification database could not be used');
  });

  it('summarises a huge change to fit a pull-request comment', async () => {
    const base = models.base!['flowbot_commons/models.py']!;
    const tables = Array.from({ length: 300 }, (_, t) =>
      [
        `class Audit${t}(Base):`,
        `    __tablename__ = "audit_${t}"`,
        '    id: Mapped[int] = mapped_column(primary_key=True)',
        ...Array.from({ length: 12 }, (_, c) => `    field_${c}: Mapped[str | None] = mapped_column(String(${100 + c}))`),
      ].join('\n'),
    );
    const head = { 'flowbot_commons/models.py': `${base}\n\n${tables.join('\n\n\n')}\n` };
    const result = await corePipeline(null)(input('base', { headModels: { tree: memoryTree(head), dir: 'flowbot_commons' }, markdownBudget: 61_536 }));
    expect(result.status).toBe('not-verified');
    expect(result.revisionFile!.content.length).toBeGreaterThan(65_536);
    expect(result.markdown.length).toBeLessThanOrEqual(61_536);
    expect(result.markdown).toContain('it is in the backend pull request');
  });

  it('keeps the report within the budget it is given', async () => {
    const result = await corePipeline(null)(input('add-notes', { markdownBudget: 1_500 }));
    expect(result.markdown.length).toBeLessThanOrEqual(1_500);
    expect(result.markdown).toContain('## Database migration');
  });
});
