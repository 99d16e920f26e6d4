import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { plan } from '../../../src/core/plan/index.js';
import { readModels, type ReadResult } from '../../../src/core/read/index.js';
import { dedent, memoryTree } from '../../support/memory-tree.js';
import { describeDiagnostics, describeSchema, describeTable } from './describe.js';

/** Reads `dir` of a tree of inline Python files (indented with the test). */
function read(files: Record<string, string>, dir = 'models'): Promise<ReadResult> {
  return readModels(dir, memoryTree(Object.fromEntries(Object.entries(files).map(([p, t]) => [p, dedent(t)]))));
}

const BASE_1X = `
  from sqlalchemy.orm import declarative_base
  Base = declarative_base()
`;
const BASE_2 = `
  from sqlalchemy.orm import DeclarativeBase
  class Base(DeclarativeBase):
      pass
`;

async function onlyTable(files: Record<string, string>, dir = 'models') {
  const result = await read(files, dir);
  expect(result.diagnostics).toEqual([]);
  expect(result.schema.tables).toHaveLength(1);
  return describeTable(result.schema.tables[0]!);
}

describe('declarative styles', () => {
  it('reads 1.x declarative_base() + Column', async () => {
    const lines = await onlyTable({
      'models/base.py': BASE_1X,
      'models/user.py': `
        from sqlalchemy import Column, Integer, String, Boolean
        from .base import Base
        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
            email = Column(String(255), nullable=False)
            name = Column("display_name", String(100))
            active = Column(Boolean)
      `,
    });
    expect(lines).toEqual([
      'id integer NOT NULL serial',
      'email character varying(255) NOT NULL',
      'display_name character varying(100) NULL',
      'active boolean NULL',
      'PK users_pkey (id)',
    ]);
  });

  it('reads 2.0 Mapped / mapped_column, annotation-only columns and Optional / X | None / Union', async () => {
    const lines = await onlyTable({
      'models/base.py': BASE_2,
      'models/user.py': `
        from typing import Optional, Union
        from sqlalchemy import String
        from sqlalchemy.orm import Mapped, mapped_column
        from .base import Base
        class User(Base):
            __tablename__ = "users"
            id: Mapped[int] = mapped_column(primary_key=True)
            email: Mapped[str] = mapped_column(String(255))
            nick: Mapped[Optional[str]]
            bio: Mapped[str | None]
            age: Mapped[Union[int, None]]
            score: Mapped["float"]
            forced: Mapped[Optional[int]] = mapped_column(nullable=False)
            plain = mapped_column(String(10))
      `,
    });
    expect(lines).toEqual([
      'id integer NOT NULL serial',
      'email character varying(255) NOT NULL',
      'nick character varying NULL',
      'bio character varying NULL',
      'age integer NULL',
      'score double precision NOT NULL',
      'forced integer NOT NULL',
      'plain character varying(10) NULL',
      'PK users_pkey (id)',
    ]);
  });

  it('leaves out relationships, properties, methods and class-level constants', async () => {
    const lines = await onlyTable({
      'models/base.py': BASE_2,
      'models/user.py': `
        from sqlalchemy.orm import Mapped, mapped_column, relationship
        from .base import Base
        class User(Base):
            __tablename__ = "users"
            MAX = 10
            id: Mapped[int] = mapped_column(primary_key=True)
            posts: Mapped[list["Post"]] = relationship(back_populates="author")
            @property
            def label(self) -> str:
                return "x"
            def method(self):
                return 1
      `,
    });
    expect(lines).toEqual(['id integer NOT NULL serial', 'PK users_pkey (id)']);
  });
});

describe('mixins, abstract bases and inheritance', () => {
  it('puts own columns first, then mixin columns in MRO order; abstract bases make no table', async () => {
    const result = await read({
      'models/base.py': BASE_2,
      'models/mixins.py': `
        from datetime import datetime
        from typing import Optional
        from sqlalchemy import func
        from sqlalchemy.orm import Mapped, mapped_column
        class IdMixin:
            id: Mapped[int] = mapped_column(primary_key=True)
        class Timestamps:
            created_at: Mapped[datetime] = mapped_column(server_default=func.now())
            updated_at: Mapped[Optional[datetime]]
      `,
      'models/task.py': `
        from sqlalchemy.orm import Mapped
        from .base import Base
        from .mixins import IdMixin, Timestamps
        class Owned(Base):
            __abstract__ = True
            owner: Mapped[str]
        class Task(IdMixin, Timestamps, Owned):
            __tablename__ = "tasks"
            title: Mapped[str]
      `,
    });
    expect(result.diagnostics).toEqual([]);
    expect(describeSchema(result.schema)).toEqual({
      tasks: [
        'title character varying NOT NULL',
        'id integer NOT NULL serial',
        'created_at timestamp without time zone NOT NULL DEFAULT now()',
        'updated_at timestamp without time zone NULL',
        'owner character varying NOT NULL',
        'PK tasks_pkey (id)',
      ],
    });
  });

  it('adds single-table subclasses to the parent table and gives joined subclasses their own', async () => {
    const result = await read({
      'models/base.py': BASE_2,
      'models/event.py': `
        from typing import Optional
        from sqlalchemy import ForeignKey
        from sqlalchemy.orm import Mapped, mapped_column
        from .base import Base
        class Event(Base):
            __tablename__ = "events"
            id: Mapped[int] = mapped_column(primary_key=True)
            kind: Mapped[str]
        class Login(Event):
            ip: Mapped[Optional[str]]
        class Audit(Event):
            __tablename__ = "audits"
            id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
            actor: Mapped[str]
      `,
    });
    expect(result.diagnostics).toEqual([]);
    expect(describeSchema(result.schema)).toEqual({
      events: ['id integer NOT NULL serial', 'kind character varying NOT NULL', 'ip character varying NULL', 'PK events_pkey (id)'],
      audits: [
        'id integer NOT NULL',
        'actor character varying NOT NULL',
        'PK audits_pkey (id)',
        'FK audits_id_fkey (id) -> events(id)',
      ],
    });
  });
});

describe('__table_args__ and Table(...)', () => {
  const model = (args: string) => ({
    'models/base.py': BASE_1X,
    'models/item.py': `
      from sqlalchemy import Column, Integer, String, Index, UniqueConstraint, CheckConstraint, ForeignKeyConstraint, text
      from .base import Base
      class Item(Base):
          __tablename__ = "items"
          __table_args__ = ${args}
          id = Column(Integer, primary_key=True)
          code = Column(String(10))
          parent_id = Column(Integer)
    `,
  });

  it('takes a dict', async () => {
    const result = await read(model('{"schema": "inventory", "comment": "stock", "info": {"team": "ops"}}'));
    const t = result.schema.tables[0]!;
    expect([t.schema, t.comment, t.info]).toEqual(['inventory', 'stock', { team: 'ops' }]);
  });

  it('takes a tuple of constraints', async () => {
    const result = await read(
      model(`(
          UniqueConstraint("code", name="uq_items_code"),
          CheckConstraint("char_length(code) > 1"),
          Index("ix_items_code_parent", "code", "parent_id"),
          ForeignKeyConstraint(["parent_id"], ["items.id"], ondelete="SET NULL"),
      )`),
    );
    expect(result.diagnostics).toEqual([]);
    expect(describeTable(result.schema.tables[0]!).slice(3)).toEqual([
      'PK items_pkey (id)',
      'FK items_parent_id_fkey (parent_id) -> items(id) ON DELETE SET NULL',
      'UQ uq_items_code (code)',
      'INDEX ix_items_code_parent (code, parent_id)',
      'CHECK items_code_check (char_length(code) > 1)',
    ]);
  });

  it('takes a tuple ending in a dict', async () => {
    const result = await read(model('(UniqueConstraint("code"), {"comment": "stock"})'));
    const t = result.schema.tables[0]!;
    expect(t.comment).toBe('stock');
    expect(t.uniqueConstraints.map((u) => u.name)).toEqual(['items_code_key']);
  });

  it('reads partial, expression, covering and non-btree indexes', async () => {
    const result = await read(
      model(`(
          Index("ix_open", "code", postgresql_where=text("parent_id IS NULL")),
          Index("ix_lower", text("lower(code)")),
          Index("ix_cover", "parent_id", postgresql_include=["code"]),
          Index("ix_gin", "code", postgresql_using="gin"),
      )`),
    );
    expect(result.diagnostics).toEqual([]);
    expect(describeTable(result.schema.tables[0]!).slice(4)).toEqual([
      'INDEX ix_open (code) WHERE parent_id IS NULL',
      'INDEX ix_lower (lower(code))',
      'INDEX ix_cover (parent_id) INCLUDE (code)',
      'INDEX ix_gin (code) USING gin',
    ]);
  });

  it('reads association Table(...) objects, their FK types coming from the referenced columns', async () => {
    const result = await read({
      'models/base.py': BASE_1X,
      'models/models.py': `
        import sqlalchemy as sa
        from .base import Base
        class Bot(Base):
            __tablename__ = "bots"
            id = sa.Column(sa.BigInteger, primary_key=True)
        class Tag(Base):
            __tablename__ = "tags"
            id = sa.Column(sa.Integer, primary_key=True)
        bot_tags = sa.Table(
            "bot_tags",
            Base.metadata,
            sa.Column("bot_id", sa.ForeignKey("bots.id", ondelete="CASCADE"), primary_key=True),
            sa.Column("tag_id", sa.ForeignKey(Tag.id), primary_key=True),
            sa.Column("note", sa.Text, comment="why"),
        )
      `,
    });
    expect(result.diagnostics).toEqual([]);
    expect(describeSchema(result.schema).bot_tags).toEqual([
      'bot_id bigint NOT NULL',
      'tag_id integer NOT NULL',
      'note text NULL',
      'PK bot_tags_pkey (bot_id, tag_id)',
      'FK bot_tags_bot_id_fkey (bot_id) -> bots(id) ON DELETE CASCADE',
      'FK bot_tags_tag_id_fkey (tag_id) -> tags(id)',
    ]);
    expect(result.schema.tables.find((t) => t.name === 'bot_tags')!.columns[2]!.comment).toBe('why');
  });
});

describe('patterns found in real projects', () => {
  it('reads a Core Table on its own MetaData(), which may have no primary key', async () => {
    const result = await read({
      'models/t.py': `
        from sqlalchemy import Column, Integer, MetaData, Table
        ids = Table("ids", MetaData(), Column("nextid", Integer, nullable=False))
      `,
    });
    expect(result.diagnostics).toEqual([]);
    expect(describeSchema(result.schema)).toEqual({ ids: ['nextid integer NOT NULL'] });
  });

  it('keeps one index when index=True and __table_args__ give the same name (Prefect), with a warning at the second', async () => {
    const result = await read({
      'models/artifact.py': `
        from sqlalchemy import Index, MetaData
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
        class Base(DeclarativeBase):
            metadata = MetaData(naming_convention={"ix": "ix_%(table_name)s__%(column_0_N_name)s"})
        class Artifact(Base):
            __tablename__ = "artifact"
            id: Mapped[int] = mapped_column(primary_key=True)
            key: Mapped[str] = mapped_column(index=True)
            __table_args__ = (
                Index("ix_artifact__key", "key"),
            )
      `,
    });
    expect(describeTable(result.schema.tables[0]!).filter((l) => l.startsWith('INDEX'))).toEqual(['INDEX ix_artifact__key (key)']);
    expect(describeDiagnostics(result.diagnostics)).toEqual(['warning duplicate-index models/artifact.py:10']);
    expect(result.diagnostics[0]!.message).toBe(
      'table artifact: index ix_artifact__key is defined twice (also at line 8); PostgreSQL holds one index of that name, so this one is left out',
    );
    expect(plan(result.schema, result.schema, { renames: [], allowDataLoss: false }).operations).toEqual([]);
  });

  it('warns about an add-on call that may make a column, but not about method chains, relationships or other settings', async () => {
    const result = await read({
      'models/base.py': BASE_2,
      'models/t.py': `
        from sqlalchemy import select
        from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship
        from .base import Base
        from pydantic import ConfigDict
        from sqlalchemy_audit import audit_column
        class HasOwner:
            @declared_attr
            def owner(cls):
                name = cls.__name__
                return relationship("User", backref=name)
        class T(HasOwner, Base):
            __tablename__ = "t"
            id: Mapped[int] = mapped_column(primary_key=True)
            audited = audit_column()
            ids = select(id).alias()
            model_config = ConfigDict(from_attributes=True)
      `,
    });
    expect(describeDiagnostics(result.diagnostics)).toEqual(['warning unknown-attribute models/t.py:14']);
    expect(result.diagnostics[0]!.message).toBe('T.audited = audit_column(...) may be a column; it cannot be read statically and is left out');
  });

  it('reads Flask-SQLAlchemy models, a subclassed SQLAlchemy() and its single-table subclasses included', async () => {
    const result = await read({
      'models/base.py': `
        from flask_sqlalchemy import SQLAlchemy
        class AppSQLAlchemy(SQLAlchemy):
            pass
        db = AppSQLAlchemy()
      `,
      'models/m.py': `
        from .base import db
        class Submissions(db.Model):
            __tablename__ = "submissions"
            id = db.Column(db.Integer, primary_key=True)
            type = db.Column(db.String(32))
        class Solves(Submissions):
            __tablename__ = "solves"
            id = db.Column(None, db.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
        class Fails(Submissions):
            __tablename__ = "fails"
            reason = db.Column(db.Text)
      `,
    });
    expect(result.diagnostics).toEqual([]);
    expect(describeSchema(result.schema)).toEqual({
      submissions: ['id integer NOT NULL serial', 'type character varying(32) NULL', 'reason text NULL', 'PK submissions_pkey (id)'],
      solves: ['id integer NOT NULL', 'PK solves_pkey (id)', 'FK solves_id_fkey (id) -> submissions(id) ON DELETE CASCADE'],
    });
  });

  it('spreads Enum(*VALUES) from a module-level constant', async () => {
    const lines = await onlyTable({
      'models/base.py': BASE_1X,
      'models/t.py': `
        import sqlalchemy as sa
        from .base import Base
        STATES = ("queued", "running", "done")
        class Job(Base):
            __tablename__ = "jobs"
            id = sa.Column(sa.Integer, primary_key=True)
            state = sa.Column(sa.Enum(*STATES, name="job_state"), nullable=False)
      `,
    });
    expect(lines[1]).toBe('state job_state NOT NULL');
  });

  it('warns when the naming convention cannot be read, at the MetaData line', async () => {
    const result = await read({
      'models/base.py': `
        from sqlalchemy import MetaData
        from sqlalchemy.orm import DeclarativeBase
        from .conventions import CONVENTION
        class Base(DeclarativeBase):
            metadata = MetaData(naming_convention=CONVENTION)
      `,
      'models/t.py': `
        from sqlalchemy.orm import Mapped, mapped_column
        from .base import Base
        class T(Base):
            __tablename__ = "t"
            id: Mapped[int] = mapped_column(primary_key=True)
      `,
    });
    expect(describeDiagnostics(result.diagnostics)).toEqual(['warning unreadable-metadata models/base.py:5']);
  });

  it('names Flask-SQLAlchemy tables after their class when __tablename__ is not given', async () => {
    const result = await read({
      'models/m.py': `
        from flask_sqlalchemy import SQLAlchemy
        db = SQLAlchemy()
        class HTTPRequestLog(db.Model):
            id = db.Column(db.Integer, primary_key=True)
        class UserAPIKey(db.Model):
            id = db.Column(db.Integer, primary_key=True)
      `,
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.schema.tables.map((t) => t.name)).toEqual(['http_request_log', 'user_api_key']);
  });

  it('evaluates declared_attr table names built with re.sub', async () => {
    const result = await read({
      'models/base.py': `
        import re
        from sqlalchemy.orm import DeclarativeBase, declared_attr
        class Base(DeclarativeBase):
            @declared_attr.directive
            def __tablename__(cls):
                return re.sub(r"([a-z0-9])([A-Z])", r"\\1_\\2", cls.__name__).lower() + "s"
      `,
      'models/m.py': `
        from sqlalchemy.orm import Mapped, mapped_column
        from .base import Base
        class TaskRun(Base):
            id: Mapped[int] = mapped_column(primary_key=True)
      `,
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.schema.tables.map((t) => t.name)).toEqual(['task_runs']);
  });

  it('evaluates declared_attr table names computed by a helper function (Dispatch\'s resolve_table_name)', async () => {
    const models = (helper: string) => ({
      'models/base.py': `
        import re
        from sqlalchemy.orm import DeclarativeBase, declared_attr
        ${helper.trim().split('\n').join('\n        ')}
        class Base(DeclarativeBase):
            @declared_attr.directive
            def __tablename__(cls):
                return resolve_table_name(cls.__name__)
      `,
      'models/m.py': `
        from sqlalchemy.orm import Mapped, mapped_column
        from .base import Base
        class IncidentCostType(Base):
            id: Mapped[int] = mapped_column(primary_key=True)
      `,
    });
    const dispatch = await read(
      models(`
def resolve_table_name(name):
    """Resolves table names to their mapped names."""
    names = re.split("(?=[A-Z])", name)  # noqa
    return "_".join([x.lower() for x in names if x])
`),
    );
    expect(dispatch.diagnostics).toEqual([]);
    expect(dispatch.schema.tables.map((t) => t.name)).toEqual(['incident_cost_type']);
    // Without the filter Python keeps the empty string before the first capital, as re.split gives it.
    const unfiltered = await read(
      models(`
def resolve_table_name(name):
    return "_".join([x.lower() for x in re.split("(?=[A-Z])", name)])
`),
    );
    expect(unfiltered.schema.tables.map((t) => t.name)).toEqual(['_incident_cost_type']);
    const loop = await read(
      models(`
def resolve_table_name(name):
    out = ""
    for c in name:
        out += c.lower()
    return out
`),
    );
    expect(describeDiagnostics(loop.diagnostics)).toEqual(['error unknown-table-name models/base.py:9']);
  });

  it('is an error when a helper defined in the tree builds a column, and silent when it builds none', async () => {
    const result = await read({
      'models/base.py': `
        from sqlalchemy import Column, Integer
        from sqlalchemy.orm import declarative_base
        Base = declarative_base()
        def primary_key():
            return Column(Integer, primary_key=True)
        def override_attr(name):
            return property(lambda self: getattr(self, name))
      `,
      'models/t.py': `
        from .base import Base, override_attr, primary_key
        class T(Base):
            __tablename__ = "t"
            id = primary_key()
            label = override_attr("name")
      `,
    });
    expect(describeDiagnostics(result.diagnostics)).toEqual([
      'error unknown-column models/t.py:4',
      'warning no-primary-key models/t.py:2',
    ]);
    expect(result.diagnostics[0]!.message).toBe('T.id = primary_key(...) may make a column, and what it makes cannot be read statically');
  });
});

describe('column arguments', () => {
  it('turns index= / unique= into an index, a unique constraint, or one unique index when both are set', async () => {
    const lines = await onlyTable({
      'models/base.py': BASE_2,
      'models/user.py': `
        from sqlalchemy.orm import Mapped, mapped_column
        from .base import Base
        class User(Base):
            __tablename__ = "users"
            id: Mapped[int] = mapped_column(primary_key=True)
            a: Mapped[str] = mapped_column(index=True)
            b: Mapped[str] = mapped_column(unique=True)
            c: Mapped[str] = mapped_column(unique=True, index=True)
      `,
    });
    expect(lines.slice(4)).toEqual([
      'PK users_pkey (id)',
      'UQ users_b_key (b)',
      'INDEX ix_users_a (a)',
      'UNIQUE INDEX ix_users_c (c)',
    ]);
  });

  it('quotes a literal server_default, keeps text() and func.now() as SQL, and records default=', async () => {
    const result = await read({
      'models/base.py': BASE_1X,
      'models/t.py': `
        import enum
        import datetime
        import sqlalchemy as sa
        from sqlalchemy import func, text
        from .base import Base
        class Mood(enum.Enum):
            HAPPY = "happy"
        class T(Base):
            __tablename__ = "t"
            id = sa.Column(sa.Integer, primary_key=True)
            status = sa.Column(sa.String(10), server_default="new", default="new")
            quoted = sa.Column(sa.String(10), server_default="it's")
            flag = sa.Column(sa.Boolean, server_default=text("false"), default=False)
            at = sa.Column(sa.DateTime, server_default=func.now(), default=datetime.datetime.utcnow)
            today = sa.Column(sa.Date, server_default=sa.func.current_date())
            mood = sa.Column(sa.Enum(Mood), default=Mood.HAPPY, server_default=Mood.HAPPY.name)
      `,
    });
    expect(result.diagnostics).toEqual([]);
    const columns = result.schema.tables[0]!.columns;
    expect(columns.map((c) => [c.name, c.serverDefault, c.default])).toEqual([
      ['id', null, null],
      ['status', "'new'", { python: '"new"', sql: "'new'" }],
      ['quoted', "'it''s'", null],
      ['flag', 'false', { python: 'False', sql: 'false' }],
      ['at', 'now()', { python: 'datetime.datetime.utcnow', sql: null }],
      ['today', 'CURRENT_DATE', null],
      ['mood', "'HAPPY'", { python: 'Mood.HAPPY', sql: "'HAPPY'" }],
    ]);
  });

  it('reads comment=, info=, Identity() and Computed()', async () => {
    const result = await read({
      'models/base.py': BASE_2,
      'models/t.py': `
        from sqlalchemy import BigInteger, Computed, Identity, Integer
        from sqlalchemy.orm import Mapped, mapped_column
        from .base import Base
        class T(Base):
            __tablename__ = "t"
            id: Mapped[int] = mapped_column(BigInteger, Identity(always=True, start=100), primary_key=True)
            qty: Mapped[int] = mapped_column(comment="how many", info={"renamed_from": "count"})
            double_qty: Mapped[int] = mapped_column(Integer, Computed("qty * 2"))
      `,
    });
    expect(result.diagnostics).toEqual([]);
    const t = result.schema.tables[0]!;
    expect(describeTable(t).slice(0, 3)).toEqual([
      'id bigint NOT NULL IDENTITY(always start 100)',
      'qty integer NOT NULL',
      'double_qty integer NOT NULL COMPUTED(qty * 2)',
    ]);
    expect([t.columns[1]!.comment, t.columns[1]!.info]).toEqual(['how many', { renamed_from: 'count' }]);
  });

  it('takes a foreign key column type from the referenced column, even over the annotation', async () => {
    const result = await read({
      'models/base.py': BASE_2,
      'models/m.py': `
        from sqlalchemy import BigInteger, Column, ForeignKey
        from sqlalchemy.orm import Mapped, mapped_column
        from .base import Base
        class Parent(Base):
            __tablename__ = "parents"
            id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
        class Child(Base):
            __tablename__ = "children"
            id: Mapped[int] = mapped_column(primary_key=True)
            a: Mapped[int] = mapped_column(ForeignKey("parents.id", ondelete="cascade", onupdate="RESTRICT"))
            b = Column(ForeignKey(Parent.id))
      `,
    });
    expect(result.diagnostics).toEqual([]);
    expect(describeSchema(result.schema).children).toEqual([
      'id integer NOT NULL serial',
      'a bigint NOT NULL',
      'b bigint NULL',
      'PK children_pkey (id)',
      'FK children_a_fkey (a) -> parents(id) ON DELETE CASCADE ON UPDATE RESTRICT',
      'FK children_b_fkey (b) -> parents(id)',
    ]);
  });
});

describe('types', () => {
  it('maps every SQLAlchemy type, module-qualified spellings included', async () => {
    const result = await read({
      'models/base.py': BASE_1X,
      'models/t.py': `
        import enum
        import sqlalchemy as sa
        from sqlalchemy import ARRAY, JSON, Enum, Uuid
        from sqlalchemy.dialects import postgresql
        from sqlalchemy.dialects.postgresql import JSONB, UUID
        from .base import Base
        class Color(str, enum.Enum):
            RED = "red"
            DARK_BLUE = "blue"
        class T(Base):
            __tablename__ = "t"
            a = sa.Column(sa.Integer, primary_key=True)
            b = sa.Column(sa.BigInteger)
            c = sa.Column(sa.SmallInteger)
            d = sa.Column(sa.String(20))
            e = sa.Column(sa.Text)
            f = sa.Column(sa.Boolean)
            g = sa.Column(sa.Numeric(10, 2))
            h = sa.Column(sa.Float)
            i = sa.Column(sa.Date)
            j = sa.Column(sa.DateTime(timezone=True))
            k = sa.Column(sa.DateTime)
            l = sa.Column(sa.Time)
            m = sa.Column(sa.Interval)
            n = sa.Column(sa.LargeBinary)
            o = sa.Column(Uuid)
            p = sa.Column(UUID(as_uuid=True))
            q = sa.Column(JSON)
            r = sa.Column(JSONB)
            s = sa.Column(postgresql.JSONB)
            t = sa.Column(ARRAY(sa.Integer))
            u = sa.Column(Enum(Color))
            v = sa.Column(sa.String)
      `,
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.schema.tables[0]!.columns.map((c) => `${c.name} ${describeTable({ ...result.schema.tables[0]!, columns: [c] })[0]!.split(' ').slice(1, -1).join(' ')}`)).toEqual([
      'a integer NOT NULL',
      'b bigint',
      'c smallint',
      'd character varying(20)',
      'e text',
      'f boolean',
      'g numeric(10,2)',
      'h double precision',
      'i date',
      'j timestamp with time zone',
      'k timestamp without time zone',
      'l time without time zone',
      'm interval',
      'n bytea',
      'o uuid',
      'p uuid',
      'q json',
      'r jsonb',
      's jsonb',
      't integer[]',
      'u color',
      'v character varying',
    ]);
    expect(result.schema.enums).toEqual([
      { name: 'color', schema: null, labels: ['RED', 'DARK_BLUE'], location: { file: 'models/t.py', line: 7, column: 1 } },
    ]);
    expect(result.schema.tables[0]!.columns.find((c) => c.name === 'u')!.type.isEnum).toBe(true);
  });

  it('infers Mapped[...] types, enums included, and lets type_annotation_map override them', async () => {
    const lines = await onlyTable({
      'models/base.py': `
        from datetime import datetime
        from sqlalchemy import DateTime, String
        from sqlalchemy.orm import DeclarativeBase
        class Base(DeclarativeBase):
            type_annotation_map = {str: String(100), datetime: DateTime(timezone=True)}
      `,
      'models/t.py': `
        import enum
        import uuid
        from datetime import date, datetime, time, timedelta
        from decimal import Decimal
        from typing import Literal
        from sqlalchemy import Text
        from sqlalchemy.orm import Mapped, mapped_column
        from .base import Base
        class Level(enum.Enum):
            LOW = 1
            HIGH = 2
        class T(Base):
            __tablename__ = "t"
            id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
            a: Mapped[str]
            b: Mapped[str] = mapped_column(Text)
            c: Mapped[datetime]
            d: Mapped[date]
            e: Mapped[time]
            f: Mapped[timedelta]
            g: Mapped[Decimal]
            h: Mapped[bytes]
            i: Mapped[bool]
            j: Mapped[Level]
            k: Mapped[Literal["on", "off"]]
      `,
    });
    expect(lines).toEqual([
      'id uuid NOT NULL',
      'a character varying(100) NOT NULL',
      'b text NOT NULL',
      'c timestamp with time zone NOT NULL',
      'd date NOT NULL',
      'e time without time zone NOT NULL',
      'f interval NOT NULL',
      'g numeric NOT NULL',
      'h bytea NOT NULL',
      'i boolean NOT NULL',
      'j level NOT NULL',
      'k character varying(3) NOT NULL',
      'PK t_pkey (id)',
    ]);
  });

  it('resolves TypeDecorator subclasses through impl, with the arguments that reach it', async () => {
    const lines = await onlyTable({
      'models/base.py': BASE_2,
      'models/types.py': `
        from sqlalchemy import DateTime, String, TypeDecorator
        class StrEnum(TypeDecorator):
            impl = String
            cache_ok = True
            def __init__(self, enum_cls, length=32, **kw):
                self.enum_cls = enum_cls
                super().__init__(length=length, **kw)
        class UTC(TypeDecorator):
            impl = DateTime(timezone=True)
      `,
      'models/t.py': `
        from datetime import datetime
        from sqlalchemy.orm import Mapped, mapped_column
        from .base import Base
        from .types import StrEnum, UTC
        class T(Base):
            __tablename__ = "t"
            id: Mapped[int] = mapped_column(primary_key=True)
            a: Mapped[str] = mapped_column(StrEnum(object))
            b: Mapped[str] = mapped_column(StrEnum(object, length=5))
            c: Mapped[datetime] = mapped_column(UTC())
      `,
    });
    expect(lines.slice(1, 4)).toEqual([
      'a character varying(32) NOT NULL',
      'b character varying(5) NOT NULL',
      'c timestamp with time zone NOT NULL',
    ]);
  });
});

describe('packages and naming conventions', () => {
  it('follows absolute imports from the package root and makes tables only of the scanned folder', async () => {
    const result = await read(
      {
        'server/app/__init__.py': '',
        'server/app/db/__init__.py': '',
        'server/app/db/base.py': `
          from sqlalchemy import MetaData
          from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
          class Base(DeclarativeBase):
              metadata = MetaData(naming_convention={"pk": "pk_%(table_name)s"})
          class Outside(Base):
              __tablename__ = "outside"
              id: Mapped[int] = mapped_column(primary_key=True)
        `,
        'server/app/models/__init__.py': '',
        'server/app/models/user.py': `
          from sqlalchemy.orm import Mapped, mapped_column
          from app.db.base import Base
          class User(Base):
              __tablename__ = "users"
              id: Mapped[int] = mapped_column(primary_key=True)
        `,
      },
      'server/app/models',
    );
    expect(result.diagnostics).toEqual([]);
    expect(describeSchema(result.schema)).toEqual({ users: ['id integer NOT NULL serial', 'PK pk_users (id)'] });
  });

  it('names constraints with MetaData(naming_convention=...) passed to declarative_base()', async () => {
    const result = await read({
      'models/base.py': `
        from sqlalchemy import MetaData
        from sqlalchemy.orm import declarative_base
        convention = {
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s_%(referred_column_0_name)s",
            "pk": "pk_%(table_name)s",
        }
        Base = declarative_base(metadata=MetaData(naming_convention=convention))
      `,
      'models/m.py': `
        from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, UniqueConstraint
        from .base import Base
        class A(Base):
            __tablename__ = "a"
            id = Column(Integer, primary_key=True)
        class B(Base):
            __tablename__ = "b"
            __table_args__ = (UniqueConstraint("x", "y"), CheckConstraint("x > 0", name="x_positive"))
            id = Column(Integer, primary_key=True)
            a_id = Column(ForeignKey("a.id"), index=True)
            x = Column(Integer)
            y = Column(String(5), unique=True)
      `,
    });
    expect(result.diagnostics).toEqual([]);
    expect(describeSchema(result.schema).b!.slice(4)).toEqual([
      'PK pk_b (id)',
      'FK fk_b_a_id_a_id (a_id) -> a(id)',
      'UQ uq_b_y (y)',
      'UQ uq_b_x_y (x, y)',
      'INDEX ix_b_a_id (a_id)',
      'CHECK ck_b_x_positive (x > 0)',
    ]);
  });
});

describe('naming-convention tokens', () => {
  it('fills every token as SQLAlchemy does, column keys included', async () => {
    const result = await read({
      'models/t.py': `
        from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, MetaData, Table, UniqueConstraint
        m = MetaData(naming_convention={
            "ix": "ix_%(column_0_key)s_%(column_0_N_label)s",
            "uq": "uq_%(column_0_label)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(column_0_N_key)s_%(referred_column_0_name)s",
            "pk": "pk_%(column_0_N_name)s",
        })
        p = Table("p", m, Column("id", Integer, primary_key=True))
        t = Table(
            "t", m,
            Column("db_a", Integer, key="a", primary_key=True),
            Column("db_b", Integer, ForeignKey("p.id"), key="b", index=True, unique=True),
            Column("c", Integer),
            UniqueConstraint("c"),
            Index(None, "a", "c"),
            CheckConstraint("c > 0", name="c_pos"),
        )
      `,
    });
    expect(result.diagnostics).toEqual([]);
    // Checked against SQLAlchemy 2.0's own names for the same tables.
    expect(describeSchema(result.schema).t!.slice(3)).toEqual([
      'PK pk_db_a (db_a)',
      'FK fk_b_id (db_b) -> p(id)',
      'UQ uq_t_c (c)',
      'UNIQUE INDEX ix_b_t_db_b (db_b)',
      'INDEX ix_a_t_db_a_t_c (db_a, c)',
      'CHECK ck_t_c_pos (c > 0)',
    ]);
  });
});

describe('column tokens of CHECK constraints', () => {
  const files = (checks: string) => ({
    'models/t.py': `
      from sqlalchemy import CheckConstraint, Column, Integer, MetaData, PrimaryKeyConstraint, Table, column
      m = MetaData(naming_convention={"ck": "ck_%(table_name)s_%(column_0_name)s"})
      t = Table(
          "t", m,
          Column("a", Integer, nullable=False),
          Column("n", Integer, autoincrement=True, nullable=False),
          PrimaryKeyConstraint("a", "n"),
          ${checks}
      )
    `,
  });

  it('fills them with nothing for SQL text, and keeps an explicit primary key in its order', async () => {
    const result = await read(files('CheckConstraint("a > 0"),'));
    expect(result.diagnostics).toEqual([]);
    // SQLAlchemy 2.0: CONSTRAINT ck_t_ CHECK (a > 0); PRIMARY KEY (a, n) as declared.
    expect(describeSchema(result.schema).t!.slice(2)).toEqual(['PK t_pkey (a, n)', 'CHECK ck_t_ (a > 0)']);
  });

  it('reports a clause whose columns decide the name as an error, not a guess', async () => {
    const result = await read(files('CheckConstraint(column("a") > 1),'));
    expect(describeDiagnostics(result.diagnostics)).toEqual(['error constraint-name models/t.py:8']);
    expect(result.diagnostics[0]!.message).toMatch(/cannot be told from this expression/);
  });
});

describe('diagnostics', () => {
  it('reports what cannot be determined with file and line, and keeps the rest', async () => {
    const result = await read({
      'models/base.py': BASE_2,
      'models/m.py': `
        from sqlalchemy import Column, Integer, String
        from sqlalchemy.orm import Mapped, declared_attr, mapped_column
        from .base import Base
        from .helpers import make_type, audit_column, resolve_table_name
        class Dyn(Base):
            @declared_attr
            def __tablename__(cls):
                return resolve_table_name(cls.__name__)
            id = Column(Integer, primary_key=True)
        class T(Base):
            __tablename__ = "t"
            id = Column(Integer, primary_key=True)
            a = Column(make_type())
            b: Mapped[str] = audit_column()
            c = Column(String(10), server_default=compute())
            d = Column(Integer)
      `,
    });
    expect(describeDiagnostics(result.diagnostics)).toEqual([
      'error unknown-table-name models/m.py:6',
      'error unknown-column-type models/m.py:13',
      'error unknown-column models/m.py:14',
      'warning unreadable-server-default models/m.py:15',
    ]);
    expect(result.diagnostics[0]!.message).toMatch(/table name .* cannot be determined statically/);
    expect(result.diagnostics[1]!.message).toMatch(/make_type\(\) cannot be determined statically/);
    expect(describeSchema(result.schema)).toEqual({
      t: ['id integer NOT NULL serial', 'c character varying(10) NULL', 'd integer NULL', 'PK t_pkey (id)'],
    });
  });

  it('is an error when a @declared_attr function builds a column the reader cannot follow', async () => {
    const result = await read({
      'models/base.py': BASE_1X,
      'models/t.py': `
        from sqlalchemy import Column, ForeignKey, Integer
        from sqlalchemy.orm import declared_attr
        from .base import Base
        class HasOwner:
            @declared_attr
            def owner_id(cls):
                target = "users.id" if cls.__name__ != "User" else None
                return Column(Integer, ForeignKey(target))
        class T(HasOwner, Base):
            __tablename__ = "t"
            id = Column(Integer, primary_key=True)
      `,
    });
    expect(describeDiagnostics(result.diagnostics)).toEqual(['error unreadable-declared-attr models/t.py:5']);
    expect(result.diagnostics[0]!.message).toBe('HasOwner.owner_id builds a column in a @declared_attr function too complex to read statically');
  });

  it('is an error when a model class has a __tablename__ but no base the reader can find', async () => {
    const result = await read({
      'models/m.py': `
        from sqlalchemy import Column, Integer
        from somewhere_else import Base
        class T(Base):
            __tablename__ = "t"
            id = Column(Integer, primary_key=True)
      `,
    });
    expect(describeDiagnostics(result.diagnostics)).toEqual(['error unknown-declarative-base models/m.py:3']);
    expect(result.diagnostics[0]!.message).toContain('Base');
  });

  it('reads the whole import closure when a foreign key names a table no name led to', async () => {
    const result = await read(
      {
        'app/__init__.py': '',
        'app/db.py': BASE_1X,
        'app/people/__init__.py': 'from . import users  # noqa: F401\n',
        'app/people/users.py': `
          from sqlalchemy import BigInteger, Column
          from app.db import Base
          class User(Base):
              __tablename__ = "users"
              id = Column(BigInteger, primary_key=True)
        `,
        'app/models/__init__.py': '',
        'app/models/m.py': `
          from sqlalchemy import Column, ForeignKey, Integer
          import app.people  # noqa: F401 (registers users)
          from app.db import Base
          class Bot(Base):
              __tablename__ = "bots"
              id = Column(Integer, primary_key=True)
              owner_id = Column(ForeignKey("users.id"))
        `,
      },
      'app/models',
    );
    expect(result.diagnostics).toEqual([]);
    expect(describeSchema(result.schema).bots).toContain('owner_id bigint NULL');
    // What the schema was read from: a change to any of these files may change it.
    expect([...result.files].sort()).toEqual(['app/__init__.py', 'app/db.py', 'app/models/__init__.py', 'app/models/m.py', 'app/people/__init__.py', 'app/people/users.py']);
  });

  it('warns about, but reads past, a syntax error in an imported module outside the scanned folder', async () => {
    const files = (use: string) => ({
      'app/__init__.py': '',
      'app/util.py': 'def broken(:\n',
      'app/models/__init__.py': '',
      'app/models/m.py': `
        from sqlalchemy import Column, Integer
        from sqlalchemy.orm import declarative_base
        from app.util import broken
        Base = declarative_base()
        class T(Base):
            __tablename__ = "t"
            id = Column(Integer, primary_key=True${use})
      `,
    });
    const used = await read(files(', default=broken'), 'app/models');
    expect(describeDiagnostics(used.diagnostics)).toEqual(['warning unparsable-import app/util.py:1']);
    expect(used.schema.tables.map((t) => t.name)).toEqual(['t']);
    // Imports are followed only where a name leads: an unused module is never read.
    const unused = await read(files(''), 'app/models');
    expect(unused.diagnostics).toEqual([]);
  });

  it('reads columns made by a functools.partial of Column, and MutableDict.as_mutable(...) types', async () => {
    const lines = await onlyTable({
      'models/base.py': `
        import functools
        from flask_sqlalchemy import SQLAlchemy
        db = SQLAlchemy()
        Column = functools.partial(db.Column, nullable=False)
      `,
      'models/t.py': `
        from sqlalchemy.dialects.postgresql import JSONB
        from sqlalchemy.ext.mutable import MutableDict
        from .base import Column, db
        class Query(db.Model):
            __tablename__ = "queries"
            id = Column(db.Integer, primary_key=True)
            name = Column(db.String(255))
            note = Column(db.Text, nullable=True)
            options = Column(MutableDict.as_mutable(JSONB), server_default="{}")
      `,
    });
    expect(lines).toEqual([
      'id integer NOT NULL serial',
      'name character varying(255) NOT NULL',
      'note text NULL',
      "options jsonb NOT NULL DEFAULT '{}'",
      'PK queries_pkey (id)',
    ]);
  });

  it('reads a Column made at module level and assigned in the class', async () => {
    const lines = await onlyTable({
      'models/base.py': BASE_1X,
      'models/t.py': `
        from sqlalchemy import Column, DateTime, Integer, func
        from .base import Base
        created_column = Column(DateTime(timezone=True), server_default=func.now())
        class T(Base):
            __tablename__ = "t"
            id = Column(Integer, primary_key=True)
            created_at = created_column
      `,
    });
    expect(lines[1]).toBe('created_at timestamp with time zone NULL DEFAULT now()');
  });

  it('does not make a primary key with its own Sequence() SERIAL', async () => {
    const result = await read({
      'models/t.py': `
        from sqlalchemy import Column, Integer, MetaData, Sequence, Table
        t = Table("t", MetaData(), Column("id", Integer, Sequence("t_id_seq"), primary_key=True))
      `,
    });
    expect(describeDiagnostics(result.diagnostics)).toEqual(['warning sequence-ignored models/t.py:2']);
    expect(describeSchema(result.schema)).toEqual({ t: ['id integer NOT NULL', 'PK t_pkey (id)'] });
  });

  it('reads models kept in one module (JupyterHub\'s orm.py), its relative imports included', async () => {
    const result = await read(
      {
        'hub/__init__.py': '',
        'hub/utils.py': 'from sqlalchemy import String\nNAME = String(255)\n',
        'hub/orm.py': `
          from sqlalchemy import Column, Integer
          from sqlalchemy.orm import declarative_base
          from .utils import NAME
          Base = declarative_base()
          class User(Base):
              __tablename__ = "users"
              id = Column(Integer, primary_key=True)
              name = Column(NAME)
        `,
        'hub/other.py': 'class NotAModel:\n    pass\n',
      },
      'hub/orm.py',
    );
    expect(describeDiagnostics(result.diagnostics)).toEqual([]);
    expect(describeSchema(result.schema)).toEqual({ users: ['id integer NOT NULL serial', 'name character varying(255) NULL', 'PK users_pkey (id)'] });
  });

  it('refuses a folder with no Python file, rather than reading it as an empty schema', async () => {
    const error = await read({ 'other/m.py': BASE_2 }, 'modles').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe('no Python files under modles');
  });

  it('stops at a Python syntax error with path:line:column', async () => {
    const files = {
      'models/ok.py': BASE_2,
      'models/bad.py': `
        class T(Base):
            __tablename__ = "t"
            id = Column(Integer, primary_key=True
      `,
    };
    const error = await read(files).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe('syntax error');
    expect((error as InputError).location).toMatchObject({ file: 'models/bad.py', line: 3 });
  });
});

describe('foreign keys to what no model defines', () => {
  it('is an error at the ForeignKey when the referenced table is missing, typed or not (NoReferencedTableError)', async () => {
    const result = await read({
      'models/base.py': BASE_2,
      'models/m.py': `
        from sqlalchemy import ForeignKey, Integer
        from sqlalchemy.orm import Mapped, mapped_column
        from .base import Base
        class Task(Base):
            __tablename__ = "tasks"
            id: Mapped[int] = mapped_column(primary_key=True)
            milestone_id: Mapped[int] = mapped_column(Integer, ForeignKey("milestones.id"))
            sprint_id = mapped_column(ForeignKey("sprints.id"))
      `,
    });
    expect(describeDiagnostics(result.diagnostics)).toEqual([
      'error unknown-column-type models/m.py:8',
      'error unknown-foreign-key-target models/m.py:7',
    ]);
    expect(result.diagnostics[0]!.message).toBe('column tasks.sprint_id has no type, and its foreign key refers to table sprints, which no model defines');
    expect(result.diagnostics[1]!.message).toBe('the foreign key on tasks.milestone_id refers to table milestones, which no model defines');
    expect(result.diagnostics[1]!.location?.column).toBe(56);
  });

  it('is an error when the referenced table lacks the column (NoReferencedColumnError)', async () => {
    const result = await read({
      'models/base.py': BASE_2,
      'models/m.py': `
        from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, Integer
        from .base import Base
        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
        class Task(Base):
            __tablename__ = "tasks"
            __table_args__ = (ForeignKeyConstraint(["b"], ["users.gone"]),)
            id = Column(Integer, primary_key=True)
            a = Column(Integer, ForeignKey("users.nope"))
            b = Column(Integer)
      `,
    });
    expect(describeDiagnostics(result.diagnostics)).toEqual([
      'error unknown-foreign-key-target models/m.py:10',
      'error unknown-foreign-key-target models/m.py:8',
    ]);
    expect(result.diagnostics[0]!.message).toBe('the foreign key on tasks.a refers to column users.nope, which that table does not have');
  });

  it('accepts what SQLAlchemy resolves: another schema, Table objects, imported tables, use_alter cycles, Model.attribute', async () => {
    const result = await read(
      {
        'app/__init__.py': '',
        'app/db.py': BASE_2,
        'app/auth.py': `
          from sqlalchemy import Column, Integer, MetaData, Table
          from app.db import Base
          accounts = Table("accounts", Base.metadata, Column("id", Integer, primary_key=True), schema="auth")
        `,
        'app/models/__init__.py': '',
        'app/models/m.py': `
          from sqlalchemy import Column, ForeignKey, Integer
          import app.auth  # noqa: F401 (registers auth.accounts)
          from app.db import Base
          class User(Base):
              __tablename__ = "users"
              id = Column(Integer, primary_key=True)
              account_id = Column(Integer, ForeignKey("auth.accounts.id"))
              team_id = Column(Integer, ForeignKey("teams.id", use_alter=True))
          class Team(Base):
              __tablename__ = "teams"
              id = Column(Integer, primary_key=True)
              owner_id = Column(Integer, ForeignKey(User.id))
        `,
      },
      'app/models',
    );
    expect(result.diagnostics).toEqual([]);
    expect(describeSchema(result.schema).users).toContain('FK users_account_id_fkey (account_id) -> auth.accounts(id)');
    expect(describeSchema(result.schema).users).toContain('FK users_team_id_fkey (team_id) -> teams(id)');
    expect(describeSchema(result.schema).teams).toContain('FK teams_owner_id_fkey (owner_id) -> users(id)');
  });

  it('is a warning, the constraint left out, when what the reader cannot see may define the target', async () => {
    const result = await read(
      {
        'app/__init__.py': '',
        'app/db.py': BASE_2,
        'app/broken.py': 'class Milestone(:\n',
        'app/models/__init__.py': '',
        'app/models/m.py': `
          from sqlalchemy import Column, ForeignKey, Integer, Table
          from fastapi_users_db_sqlalchemy import SQLAlchemyBaseUserTable
          import app.broken  # noqa: F401
          from app.db import Base
          class User(SQLAlchemyBaseUserTable, Base):
              __tablename__ = "users"
              key = Column(Integer, primary_key=True)
          legacy = Table("legacy", Base.metadata, autoload_with=None)
          class Task(Base):
              __tablename__ = "tasks"
              id = Column(Integer, primary_key=True)
              owner_id = Column(Integer, ForeignKey("users.id"))
              legacy_id = Column(Integer, ForeignKey("legacy.id"))
              milestone_id = Column(Integer, ForeignKey("milestones.id"))
        `,
      },
      'app/models',
    );
    const fks = result.diagnostics.filter((d) => d.code === 'unknown-foreign-key-target');
    expect(describeDiagnostics(fks)).toEqual([
      'warning unknown-foreign-key-target app/models/m.py:12',
      'warning unknown-foreign-key-target app/models/m.py:13',
      'warning unknown-foreign-key-target app/models/m.py:14',
    ]);
    expect(fks[0]!.message).toContain('table users has columns the reader cannot see');
    expect(fks[2]!.message).toContain('an imported module the reader cannot parse may define it');
    expect(describeSchema(result.schema).tasks!.filter((l) => l.startsWith('FK'))).toEqual([]);
  });
});

describe('twin declarations: one object, with a warning at the second', () => {
  const BASE_CONVENTION = `
    from sqlalchemy import MetaData
    from sqlalchemy.orm import DeclarativeBase
    class Base(DeclarativeBase):
        metadata = MetaData(naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        })
  `;
  const USERS = (base: 'convention' | 'plain') => ({
    'models/base.py': base === 'convention' ? BASE_CONVENTION : BASE_2,
    'models/user.py': `
      from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String, UniqueConstraint
      from sqlalchemy.orm import Mapped, mapped_column
      from .base import Base
      class Team(Base):
          __tablename__ = "teams"
          id: Mapped[int] = mapped_column(primary_key=True)
      class User(Base):
          __tablename__ = "users"
          id: Mapped[int] = mapped_column(primary_key=True)
          email: Mapped[str] = mapped_column(String, unique=True)
          name: Mapped[str] = mapped_column(index=True)
          age: Mapped[int] = mapped_column(CheckConstraint("age > 0", name="age_positive"))
          team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
          __table_args__ = (
              UniqueConstraint("email"),
              Index("ix_users_name", "name"),
              CheckConstraint("age > 0", name="age_positive"),
              ForeignKeyConstraint(["team_id"], ["teams.id"]),
          )
    `,
  });

  it('keeps one of each when the naming convention gives both declarations one name, and plans nothing for the same models', async () => {
    const result = await read(USERS('convention'));
    expect(describeTable(result.schema.tables.find((t) => t.name === 'users')!).slice(5)).toEqual([
      'PK users_pkey (id)',
      'FK fk_users_team_id_teams (team_id) -> teams(id)',
      'UQ uq_users_email (email)',
      'INDEX ix_users_name (name)',
      'CHECK ck_users_age_positive (age > 0)',
    ]);
    expect(describeDiagnostics(result.diagnostics)).toEqual([
      'warning duplicate-constraint models/user.py:15',
      'warning duplicate-index models/user.py:16',
      'warning duplicate-constraint models/user.py:17',
      'warning duplicate-constraint models/user.py:18',
    ]);
    expect(result.diagnostics[0]!.message).toBe(
      'table users: unique constraint uq_users_email is defined twice (also at line 10); PostgreSQL holds one unique constraint of that name, so this one is left out',
    );
    expect(plan(result.schema, result.schema, { renames: [], allowDataLoss: false }).operations).toEqual([]);
  });

  it('keeps one of two unnamed unique twins (users_email_key, not a second users_email_key1), and two unnamed foreign keys as PostgreSQL keeps both', async () => {
    const result = await read(USERS('plain'));
    expect(describeTable(result.schema.tables.find((t) => t.name === 'users')!).slice(5)).toEqual([
      'PK users_pkey (id)',
      'FK users_team_id_fkey (team_id) -> teams(id)',
      'FK users_team_id_fkey1 (team_id) -> teams(id)',
      'UQ users_email_key (email)',
      'INDEX ix_users_name (name)',
      'CHECK age_positive (age > 0)',
    ]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['duplicate-constraint', 'duplicate-index', 'duplicate-constraint']);
  });

  it('keeps unnamed twin checks and foreign keys as two objects, named as PostgreSQL names them', async () => {
    const result = await read({
      'models/base.py': BASE_2,
      'models/account.py': `
        from sqlalchemy import CheckConstraint, Column, ForeignKey, ForeignKeyConstraint, Integer
        from .base import Base
        class Parent(Base):
            __tablename__ = "parents"
            id = Column(Integer, primary_key=True)
        class Account(Base):
            __tablename__ = "accounts"
            __table_args__ = (CheckConstraint("credits >= 0"), ForeignKeyConstraint(["pid"], ["parents.id"]))
            id = Column(Integer, primary_key=True)
            credits = Column(Integer, CheckConstraint("credits >= 0"))
            pid = Column(Integer, ForeignKey("parents.id"))
      `,
    });
    expect(describeTable(result.schema.tables.find((t) => t.name === 'accounts')!).filter((l) => /^(FK|CHECK) /.test(l))).toEqual([
      'FK accounts_pid_fkey (pid) -> parents(id)',
      'FK accounts_pid_fkey1 (pid) -> parents(id)',
      'CHECK accounts_credits_check (credits >= 0)',
      'CHECK accounts_credits_check1 (credits >= 0)',
    ]);
    expect(result.diagnostics).toEqual([]);
    expect(plan(result.schema, result.schema, { renames: [], allowDataLoss: false }).operations).toEqual([]);
  });

  it('names an unnamed twin after a named one, keeps other definitions apart, and refuses one name for two definitions', async () => {
    const result = await read({
      'models/base.py': BASE_2,
      'models/user.py': `
        from sqlalchemy import Index, UniqueConstraint
        from sqlalchemy.orm import Mapped, mapped_column
        from .base import Base
        class User(Base):
            __tablename__ = "users"
            id: Mapped[int] = mapped_column(primary_key=True)
            email: Mapped[str] = mapped_column(unique=True)
            name: Mapped[str]
            __table_args__ = (
                UniqueConstraint("email", name="uq_email"),
                UniqueConstraint("email", "name"),
                Index("ix_users_name", "name"),
                Index("ix_users_name", "name", "email"),
            )
      `,
    });
    expect(describeTable(result.schema.tables[0]!).slice(4)).toEqual([
      'UQ uq_email (email)',
      'UQ users_email_name_key (email, name)',
      'INDEX ix_users_name (name)',
    ]);
    // As CREATE TABLE does: the unnamed twin takes the name.
    expect(describeDiagnostics(result.diagnostics)).toEqual(['warning duplicate-constraint models/user.py:10', 'error duplicate-index models/user.py:13']);
    expect(result.diagnostics[0]!.message).toBe(
      'table users: unique constraint uq_email is defined twice (also at line 7); PostgreSQL holds one unique constraint of that name, so this one is left out',
    );
    expect(result.diagnostics[1]!.message).toBe(
      'table users: index ix_users_name is defined twice with different definitions (also at line 12); PostgreSQL refuses a second one of that name',
    );
  });
});

describe('PostgreSQL index and constraint options', () => {
  it('reads postgresql_nulls_not_distinct= on UniqueConstraint and Index, and postgresql_ops= operator classes', async () => {
    const lines = await onlyTable({
      'models/base.py': BASE_2,
      'models/doc.py': `
        from sqlalchemy import Index, String, UniqueConstraint
        from sqlalchemy.orm import Mapped, mapped_column
        from .base import Base
        class Doc(Base):
            __tablename__ = "docs"
            id: Mapped[int] = mapped_column(primary_key=True)
            title: Mapped[str] = mapped_column("doc_title", String(80), key="heading")
            body: Mapped[str]
            slug: Mapped[str | None]
            __table_args__ = (
                UniqueConstraint("slug", name="uq_docs_slug", postgresql_nulls_not_distinct=True),
                Index("ix_docs_body_trgm", "body", postgresql_using="gin", postgresql_ops={"body": "gin_trgm_ops"}),
                Index("ix_docs_title", "heading", "slug", unique=True, postgresql_nulls_not_distinct=True,
                      postgresql_ops={"heading": "varchar_pattern_ops"}),
            )
      `,
    });
    expect(lines.slice(4)).toEqual([
      'PK docs_pkey (id)',
      'UQ uq_docs_slug (slug) NULLS NOT DISTINCT',
      'INDEX ix_docs_body_trgm (body gin_trgm_ops) USING gin',
      'UNIQUE INDEX ix_docs_title (doc_title varchar_pattern_ops, slug) NULLS NOT DISTINCT',
    ]);
  });

  it('reads postgresql_where= built with SQLAlchemy expressions as its PostgreSQL compiler prints them', async () => {
    // Each predicate's text is what real SQLAlchemy 2.0 prints in CREATE INDEX ... WHERE.
    const cases: [string, string][] = [
      ['or_(a.is_(None), a > 5)', 'a IS NULL OR a > 5'],
      ['and_(or_(a.is_(None), a > 5), b == "x")', "(a IS NULL OR a > 5) AND b = 'x'"],
      ['or_(and_(a > 1, a < 3), done)', 'a > 1 AND a < 3 OR done'],
      ['~done', 'NOT done'],
      ['not_(done)', 'NOT done'],
      ['b.in_(["x", "y\'z"])', "b IN ('x', 'y''z')"],
      ['~b.in_(["x", "y"])', "(b NOT IN ('x', 'y'))"],
      ['b.not_in(["x"])', "(b NOT IN ('x'))"],
      ['b.is_not(None)', 'b IS NOT NULL'],
      ['~a.is_(None)', 'a IS NOT NULL'],
      ['not_(a == 5)', 'a != 5'],
      ['~and_(a > 1, done)', 'NOT (a > 1 AND done)'],
      ['(a > 1) & (b != "q")', "a > 1 AND b != 'q'"],
      ['(a > 1) | ~done', 'a > 1 OR NOT done'],
      ['done == True', 'done = true'],
      ['done.is_(True)', 'done IS true'],
      ['a.in_([1, 2])', 'a IN (1, 2)'],
      ['b.like("x%")', "b LIKE 'x%'"],
      ['a.between(1, 5)', 'a BETWEEN 1 AND 5'],
      ['b.is_distinct_from("x")', "b IS DISTINCT FROM 'x'"],
      ['a + 1 > 5', 'a + 1 > 5'],
      ['5 < a', 'a > 5'],
      ['sa.text("a > 1")', 'a > 1'],
    ];
    const result = await read({
      'models/base.py': BASE_2,
      'models/item.py': `
        from typing import Optional
        import sqlalchemy as sa
        from sqlalchemy import Index, and_, not_, or_
        from sqlalchemy.orm import Mapped, mapped_column
        from .base import Base
        class Item(Base):
            __tablename__ = "items"
            id: Mapped[int] = mapped_column(primary_key=True)
            a: Mapped[Optional[int]] = mapped_column()
            b: Mapped[Optional[str]] = mapped_column()
            done: Mapped[bool] = mapped_column()
            __table_args__ = (
${cases.map(([python], i) => `                Index("ix_${i}", "a", postgresql_where=${python}),`).join('\n')}
            )
      `,
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.schema.tables[0]!.indexes.map((i) => i.where)).toEqual(cases.map(([, sql]) => sql));
  });

  it('reads postgresql_where= on Core table columns (users.c.email) and names what it cannot read', async () => {
    const result = await read({
      'models/base.py': BASE_2,
      'models/tables.py': `
        import sqlalchemy as sa
        from sqlalchemy import Column, Index, Integer, String, Table
        from .base import Base
        users = Table("users", Base.metadata, Column("id", Integer, primary_key=True), Column("email", String))
        Index("ix_users_email", users.c.email, postgresql_where=sa.and_(users.c.email != "x", users.c.id > 3))
        Index("ix_users_other", users.c.email, postgresql_where=users.c.email.startswith(prefix()))
      `,
    });
    expect(result.schema.tables[0]!.indexes.map((i) => `${i.name} WHERE ${i.where}`)).toEqual(["ix_users_email WHERE email != 'x' AND id > 3"]);
    expect(result.diagnostics.map((d) => `${d.code} ${d.location?.line}: ${d.message}`)).toEqual([
      'unreadable-table-item 6: the postgresql_where= users.c.email.startswith(prefix()) of Index(...) cannot be read statically; it is left out',
    ]);
  });
});
