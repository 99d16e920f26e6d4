import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateCommits, mirrorRepository, type CandidateCommit } from '../../replay/commits.js';
import { projectSchema, type Project } from '../../replay/corpus.js';
import { replayCommit, type CommitOutcome, type ReplayMode } from '../../replay/replay-commit.js';
import { tempRepo, type TempRepo } from '../adapters/git/temp-repo.js';
import { databaseServerUrl } from '../support/database.js';
import { dedent } from '../support/memory-tree.js';
import { detectPython } from '../support/python.js';

const MODELS = (extra: string[]) =>
  dedent(`
    from sqlalchemy import Column, Integer, String
    from sqlalchemy.orm import declarative_base

    Base = declarative_base()


    class User(Base):
        __tablename__ = "users"
        id = Column(Integer, primary_key=True)
        name = Column(String(50), nullable=False)
  `) + extra.map((line) => `    ${line}\n`).join('');

function revision(id: string, down: string | null, upgrade: string, downgrade: string, header = ''): string {
  return header + dedent(`
    from alembic import op
    import sqlalchemy as sa

    revision = "${id}"
    down_revision = ${down ? `"${down}"` : 'None'}
    branch_labels = None
    depends_on = None


    def upgrade():
        ${upgrade}


    def downgrade():
        ${downgrade}
  `);
}

const PROJECT: Project = projectSchema.parse({
  name: 'tiny',
  repo: 'example/tiny',
  style: '1.x Column, one module',
  models: 'app/models.py',
  backend: '.',
  versions: 'migrations/versions',
});

/**
 * A project whose third revision imports the application at module level, as real ones do:
 * Alembic loads every revision file, so from then on the chain cannot run on its own.
 */
function tinyProject(): { repo: TempRepo; commits: Record<'users' | 'email' | 'age' | 'city', string> } {
  const repo = tempRepo('flow-migrate-replay-');
  const commits = {
    users: repo.commit('users', {
      'app/__init__.py': '',
      'app/models.py': MODELS([]),
      'alembic.ini': '[alembic]\nscript_location = migrations\n',
      'migrations/versions/0001_users.py': revision(
        '0001',
        null,
        'op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.String(50), nullable=False))',
        'op.drop_table("users")',
      ),
    }),
    email: repo.commit('email', {
      'app/models.py': MODELS(['email = Column(String(100))']),
      'migrations/versions/0002_email.py': revision('0002', '0001', 'op.add_column("users", sa.Column("email", sa.String(100)))', 'op.drop_column("users", "email")'),
    }),
    age: repo.commit('age', {
      'app/models.py': MODELS(['email = Column(String(100))', 'age = Column(Integer)']),
      'migrations/versions/0003_age.py': revision('0003', '0002', 'op.add_column("users", sa.Column("age", sa.Integer()))', 'op.drop_column("users", "age")', 'import app.models  # noqa\n'),
    }),
    city: repo.commit('city', {
      'app/models.py': MODELS(['email = Column(String(100))', 'age = Column(Integer)', 'city = Column(String(80))']),
      'migrations/versions/0004_city.py': revision('0004', '0003', 'op.add_column("users", sa.Column("city", sa.String(80)))', 'op.drop_column("users", "city")'),
    }),
  };
  repo.commit('docs only', { 'README.md': 'tiny\n' });
  return { repo, commits };
}

describe('the replay corpus: choosing commits', () => {
  let project: ReturnType<typeof tinyProject>;
  beforeAll(() => {
    project = tinyProject();
  });
  afterAll(() => project.repo.remove());

  it('takes the commits that change the models and add a revision, oldest first, the most recent `limit`', async () => {
    const repo = mirrorRepository(project.repo.root, 'tiny');
    const all = await candidateCommits(repo, PROJECT);
    // The first commit has no parent to replay from.
    expect(all.map((c) => c.sha)).toEqual([project.commits.email, project.commits.age, project.commits.city]);
    expect(all[0]).toMatchObject({ subject: 'email', parent: project.commits.users, added: ['migrations/versions/0002_email.py'], touched: [] });
    const recent = await candidateCommits(repo, { ...PROJECT, limit: 2 });
    expect(recent.map((c) => c.sha)).toEqual([project.commits.age, project.commits.city]);
  });
});

const python = detectPython();

describe.skipIf(!python.ok)(`the replay corpus: replaying a commit${python.ok ? '' : ` (skipped: ${python.reason})`}`, () => {
  let project: ReturnType<typeof tinyProject>;
  let commits: CandidateCommit[];
  beforeAll(async () => {
    project = tinyProject();
    commits = await candidateCommits(mirrorRepository(project.repo.root, 'tiny'), PROJECT);
  });
  afterAll(() => project.repo.remove());

  const replay = (mode: ReplayMode, sha: string): Promise<CommitOutcome> => {
    if (!python.ok) throw new Error('unreachable');
    const commit = commits.find((c) => c.sha === sha)!;
    return replayCommit(mirrorRepository(project.repo.root, 'tiny'), PROJECT, commit, mode, {
      databaseUrl: databaseServerUrl(),
      python: python.python,
      env: python.env,
    });
  };

  for (const mode of ['self-test', 'generate'] as const) {
    it(`${mode}: matches on the authors' chain, and on the parent's models once the chain imports the application`, async () => {
      expect(await replay(mode, project.commits.email)).toEqual({ status: 'match', base: 'chain' });
      expect(await replay(mode, project.commits.city)).toEqual({ status: 'match', base: 'models' });
    });
  }

  it("skips a commit whose own revision imports the application, saying so", async () => {
    const outcome = await replay('generate', project.commits.age);
    expect(outcome).toEqual({ status: 'skipped', reason: expect.stringContaining("No module named 'app'") });
  });
});
