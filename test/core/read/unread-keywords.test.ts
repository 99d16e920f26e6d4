import { describe, expect, it } from 'vitest';
import { readModels } from '../../../src/core/read/index.js';
import { dedent, memoryTree } from '../../support/memory-tree.js';
import { describeDiagnostics } from './describe.js';

function read(source: string) {
  const base = `
    from sqlalchemy.orm import DeclarativeBase
    class Base(DeclarativeBase):
        pass
  `;
  return readModels('models', memoryTree({ 'models/base.py': dedent(base), 'models/t.py': dedent(source) }));
}

describe('keywords the reader does not read', () => {
  it('are a warning at their line naming the keyword, on columns, types, foreign keys, constraints and indexes', async () => {
    const result = await read(`
      from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, Integer, PrimaryKeyConstraint, String, UniqueConstraint
      from sqlalchemy.orm import Mapped, mapped_column
      from .base import Base
      class Item(Base):
          __tablename__ = "items"
          id: Mapped[int] = mapped_column(primary_key=True)
      class T(Base):
          __tablename__ = "t"
          id: Mapped[int] = mapped_column(Integer)
          item_id: Mapped[int] = mapped_column(ForeignKey("items.id", match="FULL", link_to_name=True))
          code: Mapped[str] = mapped_column(String(20, collation="C"), system=True)
          other_id: Mapped[int]
          __table_args__ = (
              UniqueConstraint("code", postgresql_include=["id"]),
              Index("ix_t_code", "code", postgresql_with={"fillfactor": 70}),
              ForeignKeyConstraint(["other_id"], ["items.id"], match="FULL"),
              CheckConstraint("id > 0", postgresql_not_valid=True),
              PrimaryKeyConstraint("id", postgresql_include=["code"]),
          )
    `);
    expect(describeDiagnostics(result.diagnostics)).toEqual([
      'warning keyword-not-read models/t.py:10',
      'warning keyword-not-read models/t.py:10',
      'warning keyword-not-read models/t.py:11',
      'warning keyword-not-read models/t.py:11',
      'warning keyword-not-read models/t.py:14',
      'warning keyword-not-read models/t.py:15',
      'warning keyword-not-read models/t.py:16',
      'warning keyword-not-read models/t.py:17',
      'warning keyword-not-read models/t.py:18',
    ].sort());
    expect(result.diagnostics.map((d) => d.message).sort()).toEqual([
      'collation= on String(...) of column code is not read: the schema shown, diffs and checks ignore it',
      'link_to_name= on ForeignKey is not read: the schema shown, diffs and checks ignore it',
      'match= on ForeignKey is not read: the schema shown, diffs and checks ignore it',
      'match= on ForeignKeyConstraint is not read: the schema shown, diffs and checks ignore it',
      'postgresql_include= on PrimaryKeyConstraint is not read: the schema shown, diffs and checks ignore it',
      'postgresql_include= on UniqueConstraint is not read: the schema shown, diffs and checks ignore it',
      'postgresql_not_valid= on CheckConstraint is not read: the schema shown, diffs and checks ignore it',
      'postgresql_with= on Index is not read: the schema shown, diffs and checks ignore it',
      'system= on column code is not read: the schema shown, diffs and checks ignore it',
    ]);
  });

  it('are silent when they change nothing PostgreSQL stores: ORM, dataclass, other dialects, private and quote=True', async () => {
    const result = await read(`
      from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
      from sqlalchemy.dialects.postgresql import UUID
      from sqlalchemy.orm import Mapped, mapped_column
      from .base import Base
      class Item(Base):
          __tablename__ = "items"
          id: Mapped[int] = mapped_column(primary_key=True, doc="the key", info={"a": 1}, repr=False, quote=True)
      class T(Base):
          __tablename__ = "t"
          id: Mapped[int] = mapped_column(primary_key=True, init=False, sort_order=-1)
          item_id: Mapped[int] = mapped_column(ForeignKey("items.id", use_alter=True), deferred=True, onupdate=1)
          code: Mapped[str] = mapped_column(String(20, mysql_collation="C"), comment="c")
          uid = mapped_column(UUID(as_uuid=True))
          __table_args__ = (
              UniqueConstraint("code", info={"x": 1}),
              Index("ix_t_code", "code", mysql_length=10, postgresql_concurrently=True, _column_flag=False),
          )
    `);
    expect(result.diagnostics).toEqual([]);
  });
});
