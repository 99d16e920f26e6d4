/** Test repositories for the bot, as path → text. */
/** A models package that keeps its base, mixin and enum outside the configured models folder. */
export const OUTSIDE_IMPORTS: Record<string, string> = {
  'README.md': '# flowbot-commons\n',
  'flowbot_commons/__init__.py': '',
  'flowbot_commons/db/__init__.py': '',
  'flowbot_commons/db/base.py': [
    'from datetime import datetime',
    'from sqlalchemy import DateTime, MetaData, func',
    'from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column',
    '',
    'class Base(DeclarativeBase):',
    '    metadata = MetaData(naming_convention={"ix": "ix_%(column_0_label)s"})',
    '',
    'class TimestampMixin:',
    '    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())',
    '',
    '# Mapped, but outside the configured models: never a table of theirs.',
    'class SchemaVersion(Base):',
    '    __tablename__ = "schema_version"',
    '    id: Mapped[int] = mapped_column(primary_key=True)',
    '',
  ].join('\n'),
  'flowbot_commons/enums.py': ['import enum', '', 'class TaskStatus(enum.Enum):', '    todo = "todo"', '    done = "done"', ''].join('\n'),
  // Never imported by the models: never fetched.
  'flowbot_commons/services/mailer.py': 'import smtplib\n',
  'flowbot_commons/models/__init__.py': 'from .task import Task\n',
  'flowbot_commons/models/task.py': [
    'from sqlalchemy import Enum, String',
    'from sqlalchemy.orm import Mapped, mapped_column',
    'from flowbot_commons.db.base import Base, TimestampMixin',
    'from flowbot_commons.enums import TaskStatus',
    '',
    'class Task(TimestampMixin, Base):',
    '    __tablename__ = "tasks"',
    '    id: Mapped[int] = mapped_column(primary_key=True)',
    '    title: Mapped[str] = mapped_column(String(200), index=True)',
    '    status: Mapped[TaskStatus] = mapped_column(Enum(TaskStatus))',
    '',
  ].join('\n'),
};


/** The same repository after a push adding a nullable `notes` column to `tasks`. */
export function withNotes(files: Record<string, string>): Record<string, string> {
  const task = 'flowbot_commons/models/task.py';
  return { ...files, [task]: files[task]!.replace('    status:', '    notes: Mapped[str | None]\n    status:') };
}
