import { createHash } from 'node:crypto';

/** PostgreSQL's NAMEDATALEN - 1: the longest identifier it keeps. */
export const MAX_IDENTIFIER = 63;

export type ConstraintKind = 'ix' | 'uq' | 'ck' | 'fk' | 'pk';

/** SQLAlchemy's MetaData() default. */
export const DEFAULT_CONVENTION: Record<string, string> = { ix: 'ix_%(column_0_label)s' };

const CLASS_KEYS: Record<ConstraintKind, string> = {
  ix: 'Index',
  uq: 'UniqueConstraint',
  ck: 'CheckConstraint',
  fk: 'ForeignKeyConstraint',
  pk: 'PrimaryKeyConstraint',
};

export interface NamingColumn {
  name: string;
  key: string;
}

/** What a naming-convention template can refer to. */
export interface NamingSubject {
  kind: ConstraintKind;
  explicitName: string | null;
  table: string;
  schema: string | null;
  /** Expression elements of an index appear as null. */
  columns: (NamingColumn | null)[];
  referredTable?: string;
  referredColumns?: string[];
}

export type NamingResult = { name: string } | { error: string } | null;

/**
 * The name SQLAlchemy gives through `MetaData(naming_convention=...)`, or null when the
 * convention has nothing to say (an explicit name without %(constraint_name)s, or no
 * template for this kind). Over-long results are cut the way SQLAlchemy cuts a `conv`
 * name: 55 characters, `_`, the last 4 hex digits of its md5.
 */
export function conventionName(convention: Record<string, string>, subject: NamingSubject): NamingResult {
  const template = convention[subject.kind] ?? convention[CLASS_KEYS[subject.kind]];
  if (template === undefined) return null;
  if (subject.explicitName !== null && !template.includes('%(constraint_name)s')) return null;
  let error: string | null = null;
  const filled = template.replace(/%%|%\((\w+)\)s/g, (whole, token: string | undefined) => {
    if (whole === '%%') return '%';
    const value = tokenValue(token!, subject);
    if (typeof value === 'string') return value;
    error ??= value.error;
    return '';
  });
  if (error !== null) return { error };
  return { name: truncateConventionName(filled) };
}

function tokenValue(token: string, subject: NamingSubject): string | { error: string } {
  switch (token) {
    case 'table_name':
      return subject.table;
    case 'referred_table_name':
      return subject.referredTable ?? { error: `%(referred_table_name)s applies only to foreign keys` };
    case 'constraint_name':
      return subject.explicitName ?? {
        error: 'the naming convention uses %(constraint_name)s, so this constraint needs an explicit name=',
      };
  }
  const m = /^(referred_)?column_(\d+)(_?N)?_(key|name|label)$/.exec(token);
  if (!m) return { error: `the naming-convention token %(${token})s is not one SQLAlchemy knows statically` };
  const [, referred, indexText, multi, attr] = m;
  const index = Number(indexText);
  if (referred) {
    const cols = subject.referredColumns ?? [];
    if (attr !== 'name') return { error: `%(${token})s is not a SQLAlchemy token` };
    const picked = multi ? cols.slice(index) : cols.slice(index, index + 1);
    if (!picked.length) return { error: `%(${token})s names a referred column the constraint does not have` };
    return picked.join(multi === '_N' ? '_' : '');
  }
  const cols = subject.columns;
  const picked = multi ? cols.slice(index) : cols.slice(index, index + 1);
  // SQLAlchemy's ConventionDict fills a token past the constraint's columns with ''
  // (a CHECK given as SQL text has none).
  if (!picked.length) return '';
  const values = picked.map((c) => {
    if (c === null) return '';
    if (attr === 'key') return c.key;
    if (attr === 'name') return c.name;
    return `${subject.schema ? `${subject.schema}_` : ''}${subject.table}_${c.name}`;
  });
  return values.join(multi === '_N' ? '_' : '');
}

export function truncateConventionName(name: string): string {
  if (name.length <= MAX_IDENTIFIER) return name;
  const hash = createHash('md5').update(name, 'utf8').digest('hex');
  return `${name.slice(0, MAX_IDENTIFIER - 8)}_${hash.slice(-4)}`;
}

/**
 * PostgreSQL's makeObjectName(): `name1_name2_label`, shortening the longer of name1 and
 * name2 one character at a time until the whole fits in 63 bytes.
 */
export function makeObjectName(name1: string, name2: string | null, label: string): string {
  let overhead = 0;
  let name2chars = 0;
  if (name2 !== null) {
    name2chars = Buffer.byteLength(name2);
    overhead++;
  }
  overhead += Buffer.byteLength(label) + 1;
  const available = MAX_IDENTIFIER - overhead;
  let name1chars = Buffer.byteLength(name1);
  while (name1chars + name2chars > available) {
    if (name1chars > name2chars) name1chars--;
    else name2chars--;
  }
  let out = clipBytes(name1, name1chars);
  if (name2 !== null) out += `_${clipBytes(name2, name2chars)}`;
  return `${out}_${label}`;
}

function clipBytes(s: string, bytes: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= bytes) return s;
  let end = bytes;
  // pg_mbcliplen: never cut a multibyte character in half.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

/** ChooseIndexNameAddition / ChooseForeignKeyConstraintNameAddition: names joined by `_`. */
export function nameAddition(columns: string[]): string {
  let out = '';
  for (const c of columns) {
    if (out.length) out += '_';
    out += c;
    if (Buffer.byteLength(out) >= MAX_IDENTIFIER + 1) break;
  }
  return out;
}

/**
 * The names PostgreSQL has already handed out in one schema, so a clash gets the number
 * suffix ChooseRelationName / ChooseConstraintName would add (`users_email_key1`).
 */
export class Namespace {
  private readonly relations = new Set<string>();
  private readonly constraints = new Set<string>();

  useRelation(name: string): void {
    this.relations.add(name);
  }

  useConstraint(name: string): void {
    this.constraints.add(name);
  }

  /** For an index-backed constraint (primary key, unique): a free relation name. */
  chooseRelationName(name1: string, name2: string | null, label: string): string {
    return this.choose(name1, name2, label, (n) => this.relations.has(n) || this.constraints.has(n), true);
  }

  /** For a foreign key or check constraint. */
  chooseConstraintName(name1: string, name2: string | null, label: string): string {
    return this.choose(name1, name2, label, (n) => this.constraints.has(n), false);
  }

  private choose(name1: string, name2: string | null, label: string, taken: (n: string) => boolean, relation: boolean): string {
    let pass = 0;
    let name = makeObjectName(name1, name2, label);
    while (taken(name)) {
      pass++;
      name = makeObjectName(name1, name2, `${label}${pass}`);
    }
    if (relation) this.relations.add(name);
    this.constraints.add(name);
    return name;
  }
}
