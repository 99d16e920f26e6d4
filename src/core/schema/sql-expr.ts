/**
 * Canonical forms of SQL expressions (server defaults, CHECK constraints, index expressions
 * and predicates), so that the same expression written by a model and printed back by
 * PostgreSQL's `pg_get_expr()` compare equal.
 *
 * PostgreSQL stores a parsed tree and prints it its own way: every operator parenthesised
 * (`((a > 0) AND (b < 5))`), casts added to literals and columns (`'x'::character varying`,
 * `(name)::text`), `IN (...)` turned into `= ANY (ARRAY[...])`, `BETWEEN` into two
 * comparisons, `LIKE` into `~~`, negative numbers quoted (`'-1'::integer`). The model side
 * writes the SQL as a person (or SQLAlchemy's compiler) does. Both are parsed into one small
 * expression tree and printed back with the fewest parentheses precedence allows.
 *
 * The result is for comparison only, never for executing: casts are dropped entirely and a
 * quoted number or boolean compares equal to the bare one, because PostgreSQL's own choice
 * between the two depends on the column type, which these functions are not given.
 * Text that does not parse falls back to a token-level normal form, so the functions never
 * throw.
 */

/** A server default in canonical form; null stays null. */
export function normalizeDefault(sql: string | null): string | null {
  if (sql === null) return null;
  return normalizeExpression(sql);
}

/** A CHECK expression, index expression or partial-index predicate in canonical form. */
export function normalizeCheck(sql: string): string {
  return normalizeExpression(sql);
}

function normalizeExpression(sql: string): string {
  const tokens = tokenize(sql);
  if (tokens === null) return sql.trim().replace(/\s+/g, ' ');
  try {
    const parser = new Parser(tokens);
    const expr = parser.parseExpression(0);
    const ordering = parser.parseOrdering();
    parser.expectEnd();
    return print(canonical(expr), 0) + ordering;
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    return tokenFallback(tokens);
  }
}

// ---------------------------------------------------------------------------------------
// Tokens

type TokenKind = 'string' | 'number' | 'ident' | 'quoted' | 'op' | 'punct';

interface Token {
  kind: TokenKind;
  /** For `ident`: lower-cased. For `string`: the unescaped content. For `quoted`: the name. */
  value: string;
}

const OPERATORS = [
  '!~~*', '!~~', '~~*', '->>', '#>>', '::', '<=', '>=', '<>', '!=', '||', '~~', '~*', '!~', '->', '#>', '@>', '<@', '&&',
  '?|', '?&', '+', '-', '*', '/', '%', '^', '<', '>', '=', '~', '?', '@', '#', '&', '|',
];

function tokenize(sql: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const escaped = (ch === 'E' || ch === 'e') && sql[i + 1] === "'";
    if (ch === "'" || escaped) {
      const start = escaped ? i + 2 : i + 1;
      let j = start;
      let value = '';
      for (;;) {
        if (j >= sql.length) return null;
        const c = sql[j]!;
        if (escaped && c === '\\' && j + 1 < sql.length) {
          value += sql[j + 1]!;
          j += 2;
        } else if (c === "'" && sql[j + 1] === "'") {
          value += "'";
          j += 2;
        } else if (c === "'") {
          break;
        } else {
          value += c;
          j++;
        }
      }
      tokens.push({ kind: 'string', value });
      i = j + 1;
      continue;
    }
    if (ch === '"') {
      const end = sql.indexOf('"', i + 1);
      if (end < 0) return null;
      let j = i + 1;
      let value = '';
      while (j < sql.length) {
        if (sql[j] === '"' && sql[j + 1] === '"') {
          value += '"';
          j += 2;
        } else if (sql[j] === '"') {
          break;
        } else {
          value += sql[j]!;
          j++;
        }
      }
      if (j >= sql.length) return null;
      tokens.push({ kind: 'quoted', value });
      i = j + 1;
      continue;
    }
    const num = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(sql.slice(i));
    if (num) {
      tokens.push({ kind: 'number', value: num[0] });
      i += num[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i));
    if (ident) {
      tokens.push({ kind: 'ident', value: ident[0].toLowerCase() });
      i += ident[0].length;
      continue;
    }
    if ('()[],.'.includes(ch)) {
      tokens.push({ kind: 'punct', value: ch });
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => sql.startsWith(o, i));
    if (!op) return null;
    tokens.push({ kind: 'op', value: op });
    i += op.length;
  }
  return tokens;
}

/** Whitespace, keyword case and casts normalised; parentheses around the whole removed. */
function tokenFallback(tokens: Token[]): string {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'op' && t.value === '::') {
      i++;
      while (i + 1 < tokens.length && tokens[i + 1]!.kind === 'ident' && TYPE_CONTINUATIONS.has(tokens[i + 1]!.value)) i++;
      continue;
    }
    out.push(t);
  }
  while (out.length >= 2 && isPunct(out[0], '(') && isPunct(out[out.length - 1], ')') && wrapsAll(out)) {
    out.shift();
    out.pop();
  }
  return out.map(tokenText).join(' ');
}

function wrapsAll(tokens: Token[]): boolean {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    if (isPunct(tokens[i], ')')) depth--;
    if (depth === 0 && i < tokens.length - 1) return false;
  }
  return true;
}

function tokenText(t: Token): string {
  switch (t.kind) {
    case 'string':
      return quoteString(t.value);
    case 'quoted':
      return quoteIdent(t.value);
    default:
      return t.value;
  }
}

function isPunct(t: Token | undefined, value: string): boolean {
  return t !== undefined && t.kind === 'punct' && t.value === value;
}

// ---------------------------------------------------------------------------------------
// Tree

type Expr =
  | { k: 'string'; value: string }
  | { k: 'number'; value: string }
  | { k: 'keyword'; value: string }
  | { k: 'name'; parts: string[] }
  | { k: 'call'; name: string; args: Expr[]; star: boolean }
  | { k: 'extract'; field: string; from: Expr }
  | { k: 'binary'; op: string; left: Expr; right: Expr }
  | { k: 'logic'; op: 'AND' | 'OR'; items: Expr[] }
  | { k: 'not'; expr: Expr }
  | { k: 'negate'; expr: Expr }
  | { k: 'is'; expr: Expr; not: boolean; what: string }
  | { k: 'distinct'; left: Expr; right: Expr; not: boolean }
  | { k: 'in'; expr: Expr; not: boolean; items: Expr[] }
  | { k: 'between'; expr: Expr; not: boolean; low: Expr; high: Expr }
  | { k: 'quantified'; op: string; expr: Expr; quantifier: 'ANY' | 'ALL'; array: Expr }
  | { k: 'array'; items: Expr[] }
  | { k: 'subscript'; expr: Expr; index: Expr }
  | { k: 'case'; operand: Expr | null; whens: [Expr, Expr][]; otherwise: Expr | null };

class ParseError extends Error {}

/** Binding power, after PostgreSQL's operator precedence table. */
const PREC = {
  or: 1,
  and: 2,
  not: 3,
  is: 4,
  comparison: 5,
  like: 6,
  other: 7,
  additive: 8,
  multiplicative: 9,
  power: 10,
  at: 10.5,
  unary: 11,
  cast: 12,
  postfix: 13,
} as const;

const COMPARISON_OPS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);
const LIKE_OPS: Record<string, string> = { '~~': 'LIKE', '~~*': 'ILIKE', '!~~': 'NOT LIKE', '!~~*': 'NOT ILIKE' };
const KEYWORD_LITERALS = new Set(['null', 'true', 'false']);
/** Words that continue a multi-word type name after `::` (`character varying`, `double precision`). */
const TYPE_CONTINUATIONS = new Set(['varying', 'precision', 'with', 'without', 'time', 'zone']);
/** Type names that may prefix a string literal (`interval '1 day'`). */
const TYPED_LITERAL_TYPES = new Set(['interval', 'date', 'time', 'timestamp', 'timestamptz', 'text', 'numeric', 'json', 'jsonb', 'uuid', 'boolean', 'integer', 'bigint']);
/** Functions spelled without parentheses, and the spelling that means the same. */
const BARE_FUNCTIONS = new Set(['current_timestamp', 'current_date', 'current_time', 'localtimestamp', 'localtime', 'current_user', 'session_user', 'user', 'current_role', 'current_catalog', 'current_schema']);
const SAME_AS_NOW = new Set(['now', 'current_timestamp', 'transaction_timestamp']);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  /**
   * An index element's sort order after the expression (`DESC`, `NULLS LAST`), spelled as
   * PostgreSQL prints it: ASC and each direction's default NULLS placement left out.
   */
  parseOrdering(): string {
    const desc = this.acceptWord('desc');
    if (!desc) this.acceptWord('asc');
    let nullsFirst = desc;
    if (this.acceptWord('nulls')) {
      if (this.acceptWord('first')) nullsFirst = true;
      else if (this.acceptWord('last')) nullsFirst = false;
      else throw new ParseError('expected FIRST or LAST');
    }
    if (desc) return nullsFirst ? ' DESC' : ' DESC NULLS LAST';
    return nullsFirst ? ' NULLS FIRST' : '';
  }

  expectEnd(): void {
    if (this.pos !== this.tokens.length) throw new ParseError('trailing tokens');
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw new ParseError('unexpected end');
    return t;
  }

  private isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === 'ident' && t.value === word;
  }

  private acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.pos++;
    return true;
  }

  private expectWord(word: string): void {
    if (!this.acceptWord(word)) throw new ParseError(`expected ${word}`);
  }

  private isPunct(value: string): boolean {
    return isPunct(this.peek(), value);
  }

  private expectPunct(value: string): void {
    if (!this.isPunct(value)) throw new ParseError(`expected ${value}`);
    this.pos++;
  }

  parseExpression(minPrec: number): Expr {
    let left = this.parsePrefix();
    for (;;) {
      const next = this.parseInfix(left, minPrec);
      if (next === null) return left;
      left = next;
    }
  }

  private parsePrefix(): Expr {
    const t = this.next();
    if (t.kind === 'ident' && t.value === 'not') return { k: 'not', expr: this.parseExpression(PREC.not) };
    if (t.kind === 'op' && (t.value === '-' || t.value === '+')) {
      const expr = this.parseExpression(PREC.unary);
      return t.value === '-' ? { k: 'negate', expr } : expr;
    }
    return this.parsePostfix(this.parsePrimary(t));
  }

  private parsePostfix(expr: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'op' && t.value === '::') {
        this.pos++;
        this.skipTypeName();
      } else if (isPunct(t, '[')) {
        this.pos++;
        const index = this.parseExpression(0);
        this.expectPunct(']');
        expr = { k: 'subscript', expr, index };
      } else {
        return expr;
      }
    }
  }

  /** A type name after `::` or in `CAST(x AS ...)`; casts carry no meaning for comparison. */
  private skipTypeName(): void {
    const first = this.next();
    if (first.kind !== 'ident' && first.kind !== 'quoted') throw new ParseError('expected a type name');
    while (isPunct(this.peek(), '.')) {
      this.pos++;
      this.next();
    }
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'ident' && TYPE_CONTINUATIONS.has(t.value)) {
        this.pos++;
      } else if (isPunct(t, '(')) {
        this.pos++;
        while (!this.isPunct(')')) this.next();
        this.pos++;
      } else if (isPunct(t, '[') && isPunct(this.peek(1), ']')) {
        this.pos += 2;
      } else {
        return;
      }
    }
  }

  private parsePrimary(t: Token): Expr {
    switch (t.kind) {
      case 'string':
        return { k: 'string', value: t.value };
      case 'number':
        return { k: 'number', value: t.value };
      case 'quoted':
        return this.parseName(t.value);
      case 'punct':
        if (t.value === '(') {
          const inner = this.parseExpression(0);
          this.expectPunct(')');
          return inner;
        }
        throw new ParseError(`unexpected ${t.value}`);
      case 'op':
        throw new ParseError(`unexpected ${t.value}`);
      case 'ident':
        return this.parseWord(t.value);
    }
  }

  private parseWord(word: string): Expr {
    if (KEYWORD_LITERALS.has(word)) return { k: 'keyword', value: word.toUpperCase() };
    if (word === 'case') return this.parseCase();
    if (word === 'array' && this.isPunct('[')) {
      this.pos++;
      return { k: 'array', items: this.parseList(']') };
    }
    if (word === 'cast' && this.isPunct('(')) {
      this.pos++;
      const expr = this.parseExpression(0);
      this.expectWord('as');
      this.skipTypeName();
      this.expectPunct(')');
      return expr;
    }
    if (word === 'extract' && this.isPunct('(')) {
      this.pos++;
      const field = this.next();
      this.expectWord('from');
      const from = this.parseExpression(0);
      this.expectPunct(')');
      return { k: 'extract', field: field.value.toLowerCase(), from };
    }
    if (TYPED_LITERAL_TYPES.has(word) && this.peek()?.kind === 'string') return { k: 'string', value: this.next().value };
    return this.parseName(word);
  }

  private parseName(first: string): Expr {
    const parts = [first];
    while (this.isPunct('.')) {
      this.pos++;
      const t = this.next();
      if (t.kind !== 'ident' && t.kind !== 'quoted') throw new ParseError('expected a name');
      parts.push(t.value);
    }
    if (this.isPunct('(')) {
      this.pos++;
      if (this.peek()?.kind === 'op' && this.peek()!.value === '*' && isPunct(this.peek(1), ')')) {
        this.pos += 2;
        return { k: 'call', name: parts.join('.'), args: [], star: true };
      }
      return { k: 'call', name: parts.join('.'), args: this.parseList(')'), star: false };
    }
    return { k: 'name', parts };
  }

  private parseList(close: string): Expr[] {
    const items: Expr[] = [];
    if (this.isPunct(close)) {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.parseExpression(0));
      if (this.isPunct(',')) {
        this.pos++;
        continue;
      }
      this.expectPunct(close);
      return items;
    }
  }

  private parseCase(): Expr {
    const operand = this.isWord('when') ? null : this.parseExpression(0);
    const whens: [Expr, Expr][] = [];
    while (this.acceptWord('when')) {
      const cond = this.parseExpression(0);
      this.expectWord('then');
      whens.push([cond, this.parseExpression(0)]);
    }
    const otherwise = this.acceptWord('else') ? this.parseExpression(0) : null;
    this.expectWord('end');
    if (whens.length === 0) throw new ParseError('CASE without WHEN');
    return { k: 'case', operand, whens, otherwise };
  }

  /** The operator continuing `left`, if it binds at least as tightly as `minPrec`. */
  private parseInfix(left: Expr, minPrec: number): Expr | null {
    const t = this.peek();
    if (!t) return null;
    if (t.kind === 'ident') return this.parseWordInfix(left, minPrec, t.value);
    if (t.kind !== 'op') return null;
    const prec = binaryPrecedence(t.value);
    if (prec <= minPrec) return null;
    this.pos++;
    if (COMPARISON_OPS.has(t.value) && (this.isWord('any') || this.isWord('all') || this.isWord('some')) && isPunct(this.peek(1), '(')) {
      const quantifier = this.next().value === 'all' ? 'ALL' : 'ANY';
      this.pos++;
      const array = this.parseExpression(0);
      this.expectPunct(')');
      return { k: 'quantified', op: t.value, expr: left, quantifier, array };
    }
    // Left-associative: the right side binds one level tighter.
    return { k: 'binary', op: t.value, left, right: this.parseExpression(prec) };
  }

  private parseWordInfix(left: Expr, minPrec: number, word: string): Expr | null {
    if (word === 'at' && this.isWord('time', 1) && this.isWord('zone', 2)) {
      // PostgreSQL up to 16 stores `x AT TIME ZONE z` as the call `timezone(z, x)`.
      if (PREC.at <= minPrec) return null;
      this.pos += 3;
      return { k: 'call', name: 'timezone', args: [this.parseExpression(PREC.at), left], star: false };
    }
    if (word === 'and' || word === 'or') {
      const prec = word === 'and' ? PREC.and : PREC.or;
      if (prec <= minPrec) return null;
      this.pos++;
      return { k: 'logic', op: word === 'and' ? 'AND' : 'OR', items: [left, this.parseExpression(prec)] };
    }
    if (word === 'is') {
      if (PREC.is <= minPrec) return null;
      this.pos++;
      const not = this.acceptWord('not');
      if (this.acceptWord('distinct')) {
        this.expectWord('from');
        return { k: 'distinct', left, right: this.parseExpression(PREC.is), not };
      }
      const what = this.next();
      if (what.kind !== 'ident' || !['null', 'true', 'false', 'unknown'].includes(what.value)) throw new ParseError('bad IS');
      return { k: 'is', expr: left, not, what: what.value.toUpperCase() };
    }
    if (word === 'isnull' || word === 'notnull') {
      if (PREC.is <= minPrec) return null;
      this.pos++;
      return { k: 'is', expr: left, not: word === 'notnull', what: 'NULL' };
    }
    const not = word === 'not';
    const op = not ? this.peek(1) : this.peek();
    if (op?.kind !== 'ident') return null;
    if (!['in', 'between', 'like', 'ilike'].includes(op.value)) return null;
    if (PREC.like <= minPrec) return null;
    this.pos += not ? 2 : 1;
    if (op.value === 'in') {
      this.expectPunct('(');
      return { k: 'in', expr: left, not, items: this.parseList(')') };
    }
    if (op.value === 'between') {
      const low = this.parseExpression(PREC.like);
      this.expectWord('and');
      return { k: 'between', expr: left, not, low, high: this.parseExpression(PREC.like) };
    }
    const name = `${not ? 'NOT ' : ''}${op.value.toUpperCase()}`;
    return { k: 'binary', op: name, left, right: this.parseExpression(PREC.like) };
  }
}

function binaryPrecedence(op: string): number {
  if (COMPARISON_OPS.has(op)) return PREC.comparison;
  if (op in LIKE_OPS || op.endsWith('LIKE')) return PREC.like;
  if (op === '+' || op === '-') return PREC.additive;
  if (op === '*' || op === '/' || op === '%') return PREC.multiplicative;
  if (op === '^') return PREC.power;
  return PREC.other;
}

// ---------------------------------------------------------------------------------------
// Canonical tree

/** Rewrites PostgreSQL's spellings into the ones a person writes, bottom-up. */
function canonical(e: Expr): Expr {
  switch (e.k) {
    case 'string': {
      if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(e.value)) return { k: 'number', value: e.value.replace(/^\+/, '') };
      const lower = e.value.toLowerCase();
      if (lower === 'true' || lower === 'false') return { k: 'keyword', value: lower.toUpperCase() };
      return e;
    }
    case 'number':
    case 'keyword':
      return e;
    case 'name':
      if (e.parts.length === 1 && e.parts[0] === 'current_timestamp') return nowCall();
      return e;
    case 'call': {
      const args = e.args.map(canonical);
      if (SAME_AS_NOW.has(e.name) && args.length === 0) return nowCall();
      return { ...e, args };
    }
    case 'extract':
      return { ...e, from: canonical(e.from) };
    case 'binary': {
      const left = canonical(e.left);
      const right = canonical(e.right);
      const op = LIKE_OPS[e.op] ?? (e.op === '!=' ? '<>' : e.op);
      return { k: 'binary', op, left, right };
    }
    case 'logic': {
      const items = e.items.map(canonical).flatMap((i) => (i.k === 'logic' && i.op === e.op ? i.items : [i]));
      return { k: 'logic', op: e.op, items };
    }
    case 'not': {
      const inner = canonical(e.expr);
      if (inner.k === 'in' || inner.k === 'is' || inner.k === 'distinct') return { ...inner, not: !inner.not };
      return { k: 'not', expr: inner };
    }
    case 'negate': {
      const inner = canonical(e.expr);
      if (inner.k === 'number') return { k: 'number', value: inner.value.startsWith('-') ? inner.value.slice(1) : `-${inner.value}` };
      return { k: 'negate', expr: inner };
    }
    case 'is':
      return { ...e, expr: canonical(e.expr) };
    case 'distinct':
      return { ...e, left: canonical(e.left), right: canonical(e.right) };
    case 'in':
      return { ...e, expr: canonical(e.expr), items: e.items.map(canonical) };
    case 'between': {
      // PostgreSQL stores `x BETWEEN a AND b` as `x >= a AND x <= b`, and
      // `x NOT BETWEEN a AND b` as `x < a OR x > b`.
      const x = canonical(e.expr);
      return {
        k: 'logic',
        op: e.not ? 'OR' : 'AND',
        items: [
          { k: 'binary', op: e.not ? '<' : '>=', left: x, right: canonical(e.low) },
          { k: 'binary', op: e.not ? '>' : '<=', left: x, right: canonical(e.high) },
        ],
      };
    }
    case 'quantified': {
      const expr = canonical(e.expr);
      const array = canonical(e.array);
      // `x IN (a, b)` is stored as `x = ANY (ARRAY[a, b])`, `NOT IN` as `<> ALL (...)`.
      if (array.k === 'array') {
        const op = e.op === '!=' ? '<>' : e.op;
        if (op === '=' && e.quantifier === 'ANY') return { k: 'in', expr, not: false, items: array.items };
        if (op === '<>' && e.quantifier === 'ALL') return { k: 'in', expr, not: true, items: array.items };
      }
      return { ...e, op: e.op === '!=' ? '<>' : e.op, expr, array };
    }
    case 'array':
      return { k: 'array', items: e.items.map(canonical) };
    case 'subscript':
      return { k: 'subscript', expr: canonical(e.expr), index: canonical(e.index) };
    case 'case':
      return {
        k: 'case',
        operand: e.operand && canonical(e.operand),
        whens: e.whens.map(([c, r]) => [canonical(c), canonical(r)]),
        otherwise: e.otherwise && canonical(e.otherwise),
      };
  }
}

function nowCall(): Expr {
  return { k: 'call', name: 'now', args: [], star: false };
}

// ---------------------------------------------------------------------------------------
// Printing

function precedenceOf(e: Expr): number {
  switch (e.k) {
    case 'logic':
      return e.op === 'AND' ? PREC.and : PREC.or;
    case 'not':
      return PREC.not;
    case 'is':
    case 'distinct':
      return PREC.is;
    case 'in':
    case 'between':
      return PREC.like;
    case 'quantified':
      return PREC.comparison;
    case 'binary':
      return binaryPrecedence(e.op);
    case 'negate':
      return PREC.unary;
    default:
      return PREC.postfix;
  }
}

/** `e` printed, in parentheses when it binds less tightly than its context needs. */
function print(e: Expr, context: number): string {
  const text = printBare(e);
  return precedenceOf(e) < context ? `(${text})` : text;
}

function printBare(e: Expr): string {
  switch (e.k) {
    case 'string':
      return quoteString(e.value);
    case 'number':
    case 'keyword':
      return e.value;
    case 'name':
      return e.parts.map(quoteIdent).join('.');
    case 'call':
      if (e.args.length === 0 && !e.star && BARE_FUNCTIONS.has(e.name)) return e.name;
      return `${e.name.split('.').map(quoteIdent).join('.')}(${e.star ? '*' : e.args.map((a) => print(a, 0)).join(', ')})`;
    case 'extract':
      return `extract(${e.field} FROM ${print(e.from, 0)})`;
    case 'binary': {
      const prec = binaryPrecedence(e.op);
      return `${print(e.left, prec)} ${e.op} ${print(e.right, prec + 1)}`;
    }
    case 'logic': {
      const prec = precedenceOf(e);
      return e.items.map((i) => print(i, prec + 1)).join(` ${e.op} `);
    }
    case 'not':
      return `NOT ${print(e.expr, PREC.not)}`;
    case 'negate':
      return `-${print(e.expr, PREC.unary)}`;
    case 'is':
      return `${print(e.expr, PREC.is + 1)} IS ${e.not ? 'NOT ' : ''}${e.what}`;
    case 'distinct':
      return `${print(e.left, PREC.is + 1)} IS ${e.not ? 'NOT ' : ''}DISTINCT FROM ${print(e.right, PREC.is + 1)}`;
    case 'in':
      return `${print(e.expr, PREC.like + 1)} ${e.not ? 'NOT IN' : 'IN'} (${e.items.map((i) => print(i, 0)).join(', ')})`;
    case 'between':
      return `${print(e.expr, PREC.like + 1)} ${e.not ? 'NOT ' : ''}BETWEEN ${print(e.low, PREC.like + 1)} AND ${print(e.high, PREC.like + 1)}`;
    case 'quantified':
      return `${print(e.expr, PREC.comparison + 1)} ${e.op} ${e.quantifier} (${print(e.array, 0)})`;
    case 'array':
      return `ARRAY[${e.items.map((i) => print(i, 0)).join(', ')}]`;
    case 'subscript':
      return `${print(e.expr, PREC.postfix)}[${print(e.index, 0)}]`;
    case 'case': {
      const parts = ['CASE'];
      if (e.operand) parts.push(print(e.operand, 0));
      for (const [c, r] of e.whens) parts.push(`WHEN ${print(c, 0)} THEN ${print(r, 0)}`);
      if (e.otherwise) parts.push(`ELSE ${print(e.otherwise, 0)}`);
      parts.push('END');
      return parts.join(' ');
    }
  }
}

function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Lower-case names need no quotes; PostgreSQL prints them bare, a person may quote them. */
function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
