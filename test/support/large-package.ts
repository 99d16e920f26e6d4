import { dedent } from './memory-tree.js';

/** A models package large enough to be parsed on threads: `count` modules of 20 tables chained by foreign keys. */
export function largePackage(count: number): Record<string, string> {
  const files: Record<string, string> = {
    'models/__init__.py': '',
    'models/base.py': dedent(`
      from sqlalchemy.orm import DeclarativeBase
      class Base(DeclarativeBase):
          pass
    `),
  };
  for (let m = 0; m < count; m++) {
    const classes = Array.from({ length: 20 }, (_, t) => {
      const n = m * 20 + t;
      return dedent(`
        class Item${n}(Base):
            __tablename__ = "item_${n}"
            __table_args__ = (Index("ix_item_${n}_code_rank", "code", "rank"),)
            id = Column(Integer, primary_key=True)
            parent_id = Column(${n ? `ForeignKey("item_${n - 1}.id")` : 'Integer'}, index=True)
            code = Column(String(64), nullable=False, unique=True)
            rank = Column(Integer, nullable=False, server_default="0")  # a comment
            note: Mapped[str | None] = mapped_column(Text, comment="é ☕")
      `);
    });
    files[`models/m${m}.py`] =
      'from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text\n' +
      'from sqlalchemy.orm import Mapped, mapped_column\nfrom .base import Base\n\n' +
      classes.join('\n');
  }
  return files;
}
