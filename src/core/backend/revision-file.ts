import { randomUUID } from 'node:crypto';
import posix from 'node:path/posix';
import type { AlembicBody } from '../render/types.js';
import type { Backend } from './backend.js';
import { pythonFormat } from './python-format.js';
import { renderTemplate, type TemplateValue } from './template.js';

export interface RevisionFileInput {
  backend: Backend;
  body: AlembicBody;
  message: string;
  /** From `chooseDownRevision`; null for the first revision of an empty backend. */
  downRevision: string | null;
  /** The revision's Create Date and file-name date tokens (taken in UTC). */
  now: Date;
  /** Only for the backend's default random ids; sequential backends get the next number. */
  randomId?: () => string;
}

export interface RevisionFile {
  id: string;
  fileName: string;
  /** In the SourceTree's path form: in the version location Alembic would choose. */
  path: string;
  content: string;
}

/** Alembic's `rev_id()`: `uuid4().hex[-12:]`. */
export function alembicRevisionId(): string {
  return randomUUID().replace(/-/g, '').slice(-12);
}

/** The next revision id in the backend's numbering. */
export function nextRevisionId(backend: Backend, randomId: () => string = alembicRevisionId): string {
  const numbering = backend.numbering;
  return numbering.kind === 'sequential' ? String(numbering.next).padStart(numbering.width, '0') : randomId();
}

/** Alembic's slug: the message's `\w+` runs joined by `_`, lower-cased, cut on a word boundary. */
export function slugify(message: string, truncateSlugLength: number): string {
  const slug = (message.match(/[\p{L}\p{N}_]+/gu) ?? []).join('_').toLowerCase();
  if (slug.length <= truncateSlugLength) return slug;
  const cut = slug.slice(0, truncateSlugLength);
  const lastBreak = cut.lastIndexOf('_');
  return `${lastBreak < 0 ? cut : cut.slice(0, lastBreak)}_`;
}

/** The revision file `alembic revision` would write, with the planned operations as its body. */
export function renderRevisionFile(input: RevisionFileInput): RevisionFile {
  const { backend, body, now } = input;
  const message = input.message.replace(/\s+/g, ' ').trim();
  const id = nextRevisionId(backend, input.randomId);
  const fileName = `${formatFileName(backend, id, slugify(message, backend.truncateSlugLength), now)}.py`;
  const values: Record<string, TemplateValue> = {
    up_revision: id,
    down_revision: input.downRevision,
    branch_labels: null,
    depends_on: null,
    create_date: pythonDatetime(now, backend.timezone),
    // The message ends up inside a """docstring""": keep it from closing it.
    message: message.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"'),
    // Alembic joins the sorted import lines.
    imports: [...body.imports].sort().join('\n'),
    upgrades: body.upgrade.trimStart(),
    downgrades: body.downgrade.trimStart(),
    comma: (value) => (value === null ? '' : Array.isArray(value) ? value.join(', ') : String(value)),
  };
  const content = renderTemplate(backend.template.text, backend.template.path ?? 'script.py.mako', values);
  return { id, fileName, path: posix.join(versionFolder(backend, input.downRevision), fileName), content };
}

/**
 * Where `alembic revision` puts the file: with several version locations, beside the
 * revision it revises (so a branch kept in its own folder stays there); otherwise the one.
 */
function versionFolder(backend: Backend, downRevision: string | null): string {
  const down = backend.versionLocations.length > 1 ? backend.revisions.find((r) => r.id === downRevision) : undefined;
  return down ? posix.dirname(down.path) : backend.versionLocations[0]!;
}

/** The file name (without `.py`) `file_template` gives, with every token Alembic 1.13 provides. */
export function formatFileName(
  backend: Pick<Backend, 'fileTemplate' | 'fileTemplateLocation' | 'timezone'>,
  rev: string,
  slug: string,
  now: Date,
): string {
  const date = createDate(now, backend.timezone);
  return pythonFormat(
    backend.fileTemplate,
    { rev, slug, epoch: Math.floor(now.getTime() / 1000), ...date },
    backend.fileTemplateLocation,
  );
}

interface CreateDate {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * The revision's create date as Alembic takes it: in the ini's `timezone` when set (an
 * aware datetime), else naive — Alembic's local time, for which we take UTC so the same
 * change gives the same file on every machine.
 */
function createDate(now: Date, timezone: string | null): CreateDate {
  if (timezone === null) {
    return {
      year: now.getUTCFullYear(),
      month: now.getUTCMonth() + 1,
      day: now.getUTCDate(),
      hour: now.getUTCHours(),
      minute: now.getUTCMinutes(),
      second: now.getUTCSeconds(),
    };
  }
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)!.value);
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour'), minute: part('minute'), second: part('second') };
}

/** `str(datetime)` of that create date, as the template's `${create_date}` prints it. */
function pythonDatetime(now: Date, timezone: string | null): { str: string; repr: string } {
  const d = createDate(now, timezone);
  const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
  const micro = now.getUTCMilliseconds() * 1000;
  let text =
    `${d.year}-${pad(d.month)}-${pad(d.day)} ${pad(d.hour)}:${pad(d.minute)}:${pad(d.second)}` +
    (micro ? `.${pad(micro, 6)}` : '');
  if (timezone !== null) {
    const offset = Math.round((Date.UTC(d.year, d.month - 1, d.day, d.hour, d.minute, d.second) - Math.floor(now.getTime() / 1000) * 1000) / 60000);
    text += `${offset < 0 ? '-' : '+'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
  }
  return { str: text, repr: `datetime.datetime(${text})` };
}
