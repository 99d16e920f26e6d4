/**
 * Synthetic `flowbot-commons`-style model packages for the benchmark: a base version of N
 * tables and a head version with a realistic change set. Pure: returns file paths and
 * texts, so a test can read them through an in-memory tree and the harness can write them.
 *
 * Shape (every figure deterministic, no randomness):
 * - `flowbot_commons/db/base.py`: a 2.0 `DeclarativeBase` and a 1.x `declarative_base()`,
 *   each with the same naming convention (the reader resolves them by absolute import).
 * - `flowbot_commons/models/mixins.py`, `enums.py`: timestamp mixins in both styles, enums.
 * - `flowbot_commons/models/domain_NNN.py`: ten tables each; even modules in the 2.0 style
 *   (`Mapped[...]`, `mapped_column`, annotation-only columns, relationships, a `Table(...)`
 *   association table), odd modules in the 1.x style (`Column(...)`).
 * - Each table has about ten columns, a foreign key to the previous table of its module
 *   (chains of ten, whose heads point at the first table of their style), indexes and
 *   unique constraints (column flags and `__table_args__`), an enum column.
 * - The head version touches about 5% of the tables (`changeSet`) and adds
 *   `models/audit.py` with one new table.
 */

export const PACKAGE = 'flowbot_commons';
/** The folder the reader scans, relative to the version's root. */
export const MODELS_DIR = `${PACKAGE}/models`;

const TABLES_PER_MODULE = 10;

export type Variant = 'base' | 'head';

export type ChangeKind = 'add-nullable-column' | 'add-defaulted-column' | 'widen-type' | 'add-index' | 'add-enum-value';

/** The head version's change set, so a check can tell the planner saw all of it. */
export interface ChangeSet {
  /** Touched table names and how; the new table is listed separately. */
  touched: { table: string; kind: ChangeKind }[];
  newTable: string;
  /** The enum that gains a label. */
  enumWithNewValue: string;
}

export interface SyntheticTree {
  /** Path (relative to the version's root) → file text. */
  files: Map<string, string>;
  changes: ChangeSet;
}

type Style = 'modern' | 'legacy';

interface TableSpec {
  index: number;
  module: number;
  style: Style;
  association: boolean;
  name: string;
  className: string;
  /** The table its `parent_id` references (association tables: two of them). */
  references: string[];
  enumClass: string;
}

const CHANGE_CYCLE: ChangeKind[] = [
  'add-nullable-column',
  'widen-type',
  'add-index',
  'add-enum-value',
  'add-defaulted-column',
];

export function syntheticModels(tables: number, variant: Variant): SyntheticTree {
  if (!Number.isInteger(tables) || tables < TABLES_PER_MODULE * 2) {
    throw new Error(`at least ${TABLES_PER_MODULE * 2} tables (one module of each style), got ${tables}`);
  }
  const enumCount = Math.max(4, Math.round(tables / 25));
  const specs = tableSpecs(tables, enumCount);
  const changes = changeSet(specs);
  const head = variant === 'head';
  const touched = new Map(head ? changes.touched.map((t) => [t.table, t.kind]) : []);
  const extraLabel = head ? changes.enumWithNewValue : null;

  const files = new Map<string, string>();
  files.set(`${PACKAGE}/__init__.py`, '"""Shared models of the Flow bots (synthetic, for benchmarks)."""\n');
  files.set(`${PACKAGE}/db/__init__.py`, '');
  files.set(`${PACKAGE}/db/base.py`, baseModule());
  files.set(`${MODELS_DIR}/mixins.py`, mixinsModule());
  files.set(`${MODELS_DIR}/enums.py`, enumsModule(enumCount, extraLabel));
  const modules = Math.ceil(tables / TABLES_PER_MODULE);
  const moduleNames: string[] = [];
  for (let m = 0; m < modules; m++) {
    const name = `domain_${pad(m, 3)}`;
    moduleNames.push(name);
    files.set(`${MODELS_DIR}/${name}.py`, domainModule(specs.filter((s) => s.module === m), touched));
  }
  if (head) {
    moduleNames.push('audit');
    files.set(`${MODELS_DIR}/audit.py`, auditModule(changes.newTable, specs[0]!));
  }
  files.set(
    `${MODELS_DIR}/__init__.py`,
    ['from . import enums, mixins', ...moduleNames.map((n) => `from . import ${n}`), ''].join('\n'),
  );
  return { files, changes };
}

function tableSpecs(tables: number, enumCount: number): TableSpec[] {
  const specs: TableSpec[] = [];
  const firstOfStyle: Partial<Record<Style, string>> = {};
  for (let i = 0; i < tables; i++) {
    const module = Math.floor(i / TABLES_PER_MODULE);
    const slot = i % TABLES_PER_MODULE;
    const style: Style = module % 2 === 0 ? 'modern' : 'legacy';
    const association = style === 'modern' && slot === TABLES_PER_MODULE - 1;
    const stem = association ? 'link' : style === 'modern' ? 'widget' : 'gadget';
    const name = `${stem}_${pad(i, 4)}`;
    const previous = specs[i - 1];
    const references =
      association && specs[i - 2] && previous
        ? [specs[i - 2]!.name, previous.name]
        : slot === 0
          ? (firstOfStyle[style] ? [firstOfStyle[style]!] : [])
          : previous
            ? [previous.name]
            : [];
    firstOfStyle[style] ??= name;
    // Modern tables use even enums, legacy ones odd: each metadata owns its enum types.
    const enumIndex = ((i % Math.floor(enumCount / 2)) * 2 + (style === 'modern' ? 0 : 1)) % enumCount;
    specs.push({
      index: i,
      module,
      style,
      association,
      name,
      className: `${style === 'modern' ? 'Widget' : 'Gadget'}${pad(i, 4)}`,
      references,
      enumClass: enumName(enumIndex),
    });
  }
  return specs;
}

/** About 5% of the tables, at least one of each kind, spread evenly over the tree. */
function changeSet(specs: TableSpec[]): ChangeSet {
  const candidates = specs.filter((s) => !s.association);
  const count = Math.max(CHANGE_CYCLE.length, Math.round(specs.length * 0.05));
  const touched: ChangeSet['touched'] = [];
  let enumWithNewValue = '';
  for (let k = 0; k < count; k++) {
    const spec = candidates[Math.floor(((k + 0.5) * candidates.length) / count)]!;
    const kind = CHANGE_CYCLE[k % CHANGE_CYCLE.length]!;
    touched.push({ table: spec.name, kind });
    if (kind === 'add-enum-value' && !enumWithNewValue) enumWithNewValue = spec.enumClass;
  }
  return { touched, newTable: 'audit_event', enumWithNewValue };
}

function baseModule(): string {
  return `from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, declarative_base

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The older half of the package still uses the 1.x declarative base.
LegacyBase = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))
`;
}

function mixinsModule(): string {
  return `from datetime import datetime
from typing import Optional

from sqlalchemy import Column, DateTime, func
from sqlalchemy.orm import Mapped, mapped_column


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))


class LegacyTimestampMixin:
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
`;
}

const LABELS = ['ACTIVE', 'PAUSED', 'ARCHIVED', 'FAILED', 'QUEUED', 'RUNNING', 'DONE'];

function enumName(i: number): string {
  return `State${pad(i, 2)}`;
}

function enumsModule(count: number, extraLabel: string | null): string {
  const out = ['import enum', ''];
  for (let i = 0; i < count; i++) {
    const name = enumName(i);
    const labels = LABELS.slice(0, 3 + (i % 3));
    if (name === extraLabel) labels.push('RETIRED');
    out.push('', `class ${name}(enum.Enum):`, ...labels.map((l) => `    ${l} = "${l.toLowerCase()}"`), '');
  }
  return out.join('\n');
}

function domainModule(specs: TableSpec[], touched: Map<string, ChangeKind>): string {
  const enums = [...new Set(specs.map((s) => s.enumClass))].sort();
  const modern = specs[0]!.style === 'modern';
  const lines = modern
    ? [
        'import uuid',
        'from datetime import datetime',
        'from decimal import Decimal',
        'from typing import Any, Optional',
        '',
        'from sqlalchemy import Column, DateTime, Enum, ForeignKey, Index, Numeric, String, Table, Text, UniqueConstraint, text',
        'from sqlalchemy.dialects.postgresql import JSONB',
        'from sqlalchemy.orm import Mapped, mapped_column, relationship',
        '',
        `from ${PACKAGE}.db.base import Base`,
      ]
    : [
        'import sqlalchemy as sa',
        'from sqlalchemy import Column, Date, Enum, ForeignKey, Index, Integer, LargeBinary, Numeric, SmallInteger, String, Text',
        'from sqlalchemy.dialects import postgresql',
        '',
        `from ${PACKAGE}.db.base import LegacyBase`,
      ];
  lines.push(`from .enums import ${enums.join(', ')}`);
  lines.push(`from .mixins import ${modern ? 'TimestampMixin' : 'LegacyTimestampMixin'}`);
  lines.push('');
  const previousClass = new Map(specs.map((s, i) => [s.name, specs[i - 1]?.className ?? null]));
  for (const spec of specs) {
    lines.push('', '');
    const change = touched.get(spec.name) ?? null;
    if (spec.association) lines.push(...associationTable(spec));
    else if (spec.style === 'modern') lines.push(...modernTable(spec, change, previousClass.get(spec.name) ?? null));
    else lines.push(...legacyTable(spec, change));
  }
  return `${lines.join('\n')}\n`;
}

function modernTable(spec: TableSpec, change: ChangeKind | null, parentClass: string | null): string[] {
  const t = spec.name;
  const parent = spec.references[0];
  const out = [
    `class ${spec.className}(TimestampMixin, Base):`,
    `    """${t}: one of the Flow bots' records."""`,
    '',
    `    __tablename__ = "${t}"`,
    '    __table_args__ = (',
    '        UniqueConstraint("parent_id", "code"),',
    `        Index("ix_${t}_status_created", "status", "created_at"),`,
    ...(change === 'add-index' ? [`        Index("ix_${t}_title", "title"),`] : []),
    `        {"comment": "synthetic table ${spec.index}"},`,
    '    )',
    '',
    '    id: Mapped[int] = mapped_column(primary_key=True)',
    parent
      ? `    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("${parent}.id", ondelete="CASCADE"), index=True)`
      : '    parent_id: Mapped[Optional[int]] = mapped_column(index=True)',
    '    code: Mapped[str] = mapped_column(String(64))',
    `    title: Mapped[str] = mapped_column(String(${change === 'widen-type' ? 300 : 200}))`,
    '    notes: Mapped[Optional[str]] = mapped_column(Text)',
    `    status: Mapped[${spec.enumClass}] = mapped_column(Enum(${spec.enumClass}), server_default="ACTIVE")`,
    '    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default="0")',
    '    is_active: Mapped[bool] = mapped_column(server_default=text("true"))',
    '    payload: Mapped[Optional[dict[str, Any]]] = mapped_column(JSONB)',
    '    external_id: Mapped[uuid.UUID] = mapped_column(unique=True)',
    '    score: Mapped[Optional[float]]',
  ];
  if (change === 'add-nullable-column') {
    out.push('    archived_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))');
  }
  if (change === 'add-defaulted-column') out.push('    priority: Mapped[int] = mapped_column(server_default="0")');
  if (parent && parentClass) out.push('', `    parent: Mapped[Optional["${parentClass}"]] = relationship()`);
  return out;
}

function legacyTable(spec: TableSpec, change: ChangeKind | null): string[] {
  const t = spec.name;
  const parent = spec.references[0];
  const out = [
    `class ${spec.className}(LegacyTimestampMixin, LegacyBase):`,
    `    __tablename__ = "${t}"`,
    `    __table_args__ = (Index("ix_${t}_kind_rank", "kind", "rank"),)`,
    '',
    '    id = Column(Integer, primary_key=True)',
    // No type: it is taken from the referenced column.
    parent ? `    parent_id = Column(ForeignKey("${parent}.id"), index=True)` : '    parent_id = Column(Integer, index=True)',
    '    code = Column(String(64), nullable=False, unique=True)',
    `    label = Column(String(${change === 'widen-type' ? 240 : 120}), nullable=False${change === 'add-index' ? ', index=True' : ''})`,
    `    kind = Column(Enum(${spec.enumClass}), nullable=False, server_default="ACTIVE")`,
    '    rank = Column(SmallInteger, nullable=False, server_default="0")',
    '    price = Column(Numeric(10, 2))',
    '    starts_on = Column(Date)',
    '    tags = Column(postgresql.ARRAY(String(32)))',
    '    blob = Column(LargeBinary)',
    '    big = Column(sa.BigInteger)',
  ];
  if (change === 'add-nullable-column') out.push('    note = Column(Text)');
  if (change === 'add-defaulted-column') out.push('    priority = Column(Integer, nullable=False, server_default="0")');
  return out;
}

function associationTable(spec: TableSpec): string[] {
  const [left, right] = spec.references;
  return [
    `${spec.className.toLowerCase()} = Table(`,
    `    "${spec.name}",`,
    '    Base.metadata,',
    `    Column("left_id", ForeignKey("${left}.id", ondelete="CASCADE"), primary_key=True),`,
    `    Column("right_id", ForeignKey("${right}.id", ondelete="CASCADE"), primary_key=True),`,
    '    Column("weight", Numeric(6, 3), nullable=False, server_default="1"),',
    '    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),',
    ')',
  ];
}

function auditModule(name: string, root: TableSpec): string {
  return [
    'from typing import Any, Optional',
    '',
    'from sqlalchemy import ForeignKey, String',
    'from sqlalchemy.dialects.postgresql import JSONB',
    'from sqlalchemy.orm import Mapped, mapped_column',
    '',
    `from ${PACKAGE}.db.base import Base`,
    'from .mixins import TimestampMixin',
    '',
    '',
    'class AuditEvent(TimestampMixin, Base):',
    `    __tablename__ = "${name}"`,
    '',
    '    id: Mapped[int] = mapped_column(primary_key=True)',
    `    subject_id: Mapped[int] = mapped_column(ForeignKey("${root.name}.id", ondelete="CASCADE"), index=True)`,
    '    action: Mapped[str] = mapped_column(String(50))',
    '    detail: Mapped[Optional[dict[str, Any]]] = mapped_column(JSONB)',
    '',
  ].join('\n');
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
