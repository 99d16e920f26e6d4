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

describe('deferrable= and initially= on foreign keys and unique constraints', () => {
  it('reads them as PostgreSQL takes them: INITIALLY DEFERRED alone is deferrable, INITIALLY IMMEDIATE alone is not', async () => {
    const result = await read(`
      from sqlalchemy import ForeignKey, ForeignKeyConstraint, UniqueConstraint
      from sqlalchemy.orm import Mapped, mapped_column
      from .base import Base
      class Item(Base):
          __tablename__ = "items"
          id: Mapped[int] = mapped_column(primary_key=True)
      class T(Base):
          __tablename__ = "t"
          id: Mapped[int] = mapped_column(primary_key=True)
          a: Mapped[int] = mapped_column(ForeignKey("items.id", deferrable=True, initially="DEFERRED"))
          b: Mapped[int] = mapped_column(ForeignKey("items.id", deferrable=True))
          c: Mapped[int] = mapped_column(ForeignKey("items.id", initially="deferred"))
          d: Mapped[int] = mapped_column(ForeignKey("items.id", initially="IMMEDIATE"))
          e: Mapped[int] = mapped_column(ForeignKey("items.id", deferrable=False))
          f: Mapped[int]
          __table_args__ = (
              ForeignKeyConstraint(["f"], ["items.id"], deferrable=True, initially="DEFERRED"),
              UniqueConstraint("a", deferrable=True),
              UniqueConstraint("b", initially="DEFERRED"),
              UniqueConstraint("c"),
          )
    `);
    expect(result.diagnostics).toEqual([]);
    const t = result.schema.tables.find((x) => x.name === 't')!;
    expect(t.foreignKeys.map((fk) => [fk.columns.join(), fk.deferrable])).toEqual([
      ['a', 'deferred'],
      ['b', 'immediate'],
      ['c', 'deferred'],
      ['d', undefined],
      ['e', undefined],
      ['f', 'deferred'],
    ]);
    expect(t.uniqueConstraints.map((u) => [u.columns.join(), u.deferrable])).toEqual([
      ['a', 'immediate'],
      ['b', 'deferred'],
      ['c', undefined],
    ]);
  });

  it('is an error for deferrable=False with initially="DEFERRED" (PostgreSQL refuses it), and a warning for a value that is not a constant', async () => {
    const result = await read(`
      from sqlalchemy import ForeignKey
      from sqlalchemy.orm import Mapped, mapped_column
      from .base import Base
      LATER = compute()
      class Item(Base):
          __tablename__ = "items"
          id: Mapped[int] = mapped_column(primary_key=True)
      class T(Base):
          __tablename__ = "t"
          id: Mapped[int] = mapped_column(primary_key=True)
          a: Mapped[int] = mapped_column(ForeignKey("items.id", deferrable=False, initially="DEFERRED"))
          b: Mapped[int] = mapped_column(ForeignKey("items.id", deferrable=LATER))
    `);
    expect(describeDiagnostics(result.diagnostics)).toEqual(['error invalid-deferral models/t.py:11', 'warning keyword-not-read models/t.py:12']);
  });

  it('makes twins only of declarations that agree on it', async () => {
    const result = await read(`
      from sqlalchemy import String, UniqueConstraint
      from sqlalchemy.orm import Mapped, mapped_column
      from .base import Base
      class T(Base):
          __tablename__ = "t"
          id: Mapped[int] = mapped_column(primary_key=True)
          code: Mapped[str] = mapped_column(String(5), unique=True)
          __table_args__ = (UniqueConstraint("code", name="uq_code_deferred", deferrable=True, initially="DEFERRED"),)
    `);
    expect(result.diagnostics).toEqual([]);
    expect(result.schema.tables[0]!.uniqueConstraints.map((u) => [u.name, u.deferrable])).toEqual([
      ['t_code_key', undefined],
      ['uq_code_deferred', 'deferred'],
    ]);
  });
});
