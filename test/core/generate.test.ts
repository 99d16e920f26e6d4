import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSystemTree } from '../../src/adapters/fs/file-system-tree.js';
import { InputError, formatLocated } from '../../src/core/errors.js';
import { generateRevision, type GenerateRequest } from '../../src/core/generate.js';
import { confirmationFlag } from '../../src/core/plan/index.js';
import {
  NOW,
  RANDOM_ID,
  caseRequest,
  FLOW_PY_BACKEND,
  FLOW_PY_CHANGES,
  PLANS_BACKEND,
  PLANS_BACKEND_HEAD,
  expectedRevision,
  planCases,
  type PlanCase,
} from '../e2e/support/plan-cases.js';
import { memoryTree } from '../support/memory-tree.js';

/** UPDATE_EXPECTED=1 rewrites test/fixtures/plans/<case>/expected/ from the current output. */
const UPDATE = process.env.UPDATE_EXPECTED === '1';
const tree = fileSystemTree();

describe('generateRevision on the plan fixtures (test/fixtures/plans)', () => {
  for (const c of planCases()) {
    it(`${c.name}: ${c.status}`, async () => {
      if (c.status === 'bad-input') {
        const error = await generateRevision(caseRequest(c)).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(InputError);
        const { message, location } = error as InputError;
        expect(formatLocated(message, location)).toMatch(new RegExp(c.error!));
        return;
      }
      const result = await generateRevision(caseRequest(c));
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(result.status).toBe(c.status);
      if (result.status === 'refused') {
        const open = result.plan.findings.filter((f) => f.severity === 'error' && !f.confirmed);
        expect(open.map((f) => f.rule).sort()).toEqual([...(c.refusedRules ?? [])].sort());
        expect([...new Set(open.flatMap((f) => f.confirmations.map(confirmationFlag)))].sort()).toEqual(
          [...(c.confirmations ?? [])].sort(),
        );
        // Every refusal points at the model line that caused it.
        for (const f of open) expect(f.location?.file).toMatch(/\/models\/\w+\.py$/);
        return;
      }
      if (result.status !== 'ready') return;
      expect(result.downRevision).toBe(PLANS_BACKEND_HEAD);
      expect(result.revision.id).toBe(RANDOM_ID);
      expect(result.revision.path).toBe(`${PLANS_BACKEND}/migrations/versions/${result.revision.fileName}`);
      if (UPDATE) {
        rmSync(path.join(c.dir, 'expected'), { recursive: true, force: true });
        mkdirSync(path.join(c.dir, 'expected'));
        writeFileSync(path.join(c.dir, 'expected', result.revision.fileName), result.revision.content);
      }
      const expected = expectedRevision(c);
      expect(expected, `${c.dir}/expected/ is missing: run with UPDATE_EXPECTED=1 and review it`).not.toBeNull();
      expect(result.revision.fileName).toBe(expected!.fileName);
      expect(result.revision.content).toBe(expected!.content);
    });
  }
});

describe('generateRevision against a backend', () => {
  const addLastLogin = (backend: GenerateRequest['backend'], fields: Partial<GenerateRequest> = {}): GenerateRequest => ({
    base: { tree, dir: `${FLOW_PY_BACKEND}/app/models` },
    head: { tree, dir: `${FLOW_PY_CHANGES}/add-last-login/app/models` },
    backend,
    renames: [],
    allowDataLoss: false,
    message: null,
    downRevision: null,
    now: NOW,
    ...fields,
  });

  it('follows flow-py-backend: next sequential id, its template, lock_timeout, op.f(), down revision = head', async () => {
    const result = await generateRevision(addLastLogin({ tree, dir: FLOW_PY_BACKEND }));
    expect(result.status).toBe('ready');
    if (result.status !== 'ready') return;
    expect(result.message).toBe('add last_login to users');
    expect(result.revision.fileName).toBe('004_add_last_login_to_users.py');
    expect(result.downRevision).toBe('003');
    const content = result.revision.content;
    expect(content).toContain("revision: str = '004'\ndown_revision: Union[str, None] = '003'\n");
    expect(content).toContain(`def upgrade() -> None:\n    op.execute("SET LOCAL lock_timeout = '5s'")\n`);
    expect(content).toContain(`def downgrade() -> None:\n    op.execute("SET LOCAL lock_timeout = '5s'")\n`);
    expect(content).toContain("op.create_index(op.f('ix_users_last_login')");
    // The template's `##` Mako comment is not copied.
    expect(content).not.toContain('Flow convention');
  });

  it('--message names the revision and its file', async () => {
    const result = await generateRevision(addLastLogin({ tree, dir: FLOW_PY_BACKEND }, { message: 'Track logins (#42)' }));
    expect(result.status === 'ready' && [result.revision.fileName, result.revision.content.split('\n')[0]]).toEqual([
      '004_track_logins_42.py',
      '"""Track logins (#42)',
    ]);
  });

  const branched = (extra: Record<string, string> = {}) => {
    const files: Record<string, string> = { 'b/alembic.ini': '[alembic]\nscript_location = m\n', ...extra };
    const rev = (id: string, down: string) =>
      `revision = '${id}'\ndown_revision = ${down}\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n`;
    files['b/m/versions/a.py'] = rev('aaaa', 'None');
    files['b/m/versions/b.py'] = rev('bbbb', "'aaaa'");
    files['b/m/versions/c.py'] = rev('cccc', "'aaaa'");
    return files;
  };

  it('several heads: InputError naming them; --down-revision picks one', async () => {
    const backend = { tree: memoryTree(branched()), dir: 'b' };
    await expect(generateRevision(addLastLogin(backend))).rejects.toThrow(/several heads: bbbb, cccc.*--down-revision/);
    const picked = await generateRevision(addLastLogin(backend, { downRevision: 'ccc', randomId: () => 'dddd' }));
    expect(picked.status === 'ready' && picked.downRevision).toBe('cccc');
    expect(picked.status === 'ready' && picked.revision.content).toContain("down_revision = 'cccc'\n");
  });

  it('a merge revision closes the branches: the new revision follows the merge', async () => {
    const merge = "revision = 'mmmm'\ndown_revision = ('bbbb', 'cccc')\n";
    const backend = { tree: memoryTree(branched({ 'b/m/versions/m.py': merge })), dir: 'b' };
    const result = await generateRevision(addLastLogin(backend, { randomId: () => 'eeee' }));
    expect(result.status === 'ready' && result.downRevision).toBe('mmmm');
  });

  it('the backend is read even when nothing changes: a wrong --backend is bad input', async () => {
    const same = { base: { tree, dir: `${FLOW_PY_BACKEND}/app/models` }, head: { tree, dir: `${FLOW_PY_BACKEND}/app/models` } };
    const noBackend = { tree: memoryTree({}), dir: 'nowhere' };
    await expect(generateRevision({ ...addLastLogin(noBackend), ...same })).rejects.toThrow(
      /cannot read nowhere\/alembic.ini: no such file/,
    );
    const ok = await generateRevision({ ...addLastLogin({ tree, dir: FLOW_PY_BACKEND }), ...same });
    expect(ok.status).toBe('no-changes');
  });
});

describe('generateRevision: models that cannot be read', () => {
  const models = (extra: string) => ({
    'm/models/__init__.py': '',
    'm/models/base.py': 'from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n',
    'm/models/user.py': [
      'from sqlalchemy.orm import Mapped, mapped_column',
      'from .base import Base',
      '',
      '',
      'class User(Base):',
      '    __tablename__ = "users"',
      '',
      '    id: Mapped[int] = mapped_column(primary_key=True)',
      extra,
      '',
    ].join('\n'),
  });
  const request = (base: Record<string, string>, head: Record<string, string>, headDir = 'm/models'): GenerateRequest => ({
    base: { tree: memoryTree(base), dir: 'm/models' },
    head: { tree: memoryTree(head), dir: headDir },
    backend: { tree, dir: PLANS_BACKEND },
    renames: [],
    allowDataLoss: false,
    message: null,
    downRevision: null,
    now: NOW,
  });

  it('a column whose type cannot be determined: status unreadable, the error diagnostic at its line', async () => {
    const result = await generateRevision(request(models(''), models('    data = mapped_column(make_type())')));
    expect(result.status).toBe('unreadable');
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.location).toMatchObject({ file: 'm/models/user.py', line: 9 });
  });
});
