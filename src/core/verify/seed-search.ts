/**
 * Seeding PostgreSQL judges, for a schema whose planned rows it rejected (a CHECK comparing
 * two columns, say): every row that goes in satisfies every CHECK, unique and foreign key,
 * and the head's CHECKs (`checksAfter`), which PostgreSQL judges before the rows go in.
 *
 * Each table's rows go in as one INSERT; only a table whose INSERT is rejected goes row by
 * row. A rejected row is varied in the columns the violated constraint names (earlier and
 * later values, the CHECK's own literals, other parent rows, NULL) until one is accepted:
 * its CHECKs judged condition by condition in one query over all candidates, its uniques
 * and foreign keys by the INSERT itself. The rows after a fitted one are tried with the same
 * changes first, in one INSERT. A row no candidate fits is left out; a table left short
 * gets a note naming the constraint, never a failure. Every statement commits on its own,
 * so a rejection undoes only itself, a deferred constraint is judged at once, and no lock
 * outlives its statement however many tables there are.
 */
import pg from 'pg';
import type { Schema, Table } from '../schema/model.js';
import { quoteIdent, typeSql } from '../plan/sql-quote.js';
import { pgErrorText, type RunResult, type StatementRun } from './runners.js';
import {
  checkConditions,
  insertStatement,
  namedIn,
  seedSession,
  type Rejection,
  type SeededTable,
  type SeedOptions,
  type SeedPlan,
  type SeedSession,
  type SeedStatement,
  type SeedValue,
} from './seed.js';

/** Rounds of varying a row towards satisfying its CHECKs. */
const ROUNDS = 12;
/** Rows satisfying every CHECK tried per planned row (INSERTs, or rows repeating a unique the migration adds). */
const ATTEMPTS_PER_ROW = 12;
/** Pairs of changes judged per round, at most. */
const PAIRS = 2000;
/** Rows in a row that fit nowhere before the rest of the table is given up. */
const HOPELESS_ROWS = 2;
/** Errors that say nothing about the row: the connection or the server failed. */
const FATAL = /^(08|53|57|58|XX)/;

interface Rejected extends Rejection {
  /** The constraint, or what else PostgreSQL said. */
  reason: string;
}

/** Seeds the empty tables of `schema` on `client` (outside a transaction): the rows that went in, and the statements that put them there. */
export async function searchSeed(client: pg.ClientBase, schema: Schema, options: SeedOptions = {}): Promise<{ plan: SeedPlan; run: RunResult }> {
  const session = seedSession(schema, options);
  const landed: SeedStatement[] = [];
  const runs: StatementRun[] = [];
  const run = async (statement: SeedStatement): Promise<Rejected | null> => {
    const started = performance.now();
    try {
      await client.query(statement.sql, statement.params);
    } catch (e) {
      return rejected(e);
    }
    runs.push({ sql: statement.sql, ms: Math.round((performance.now() - started) * 100) / 100, lock: null, error: null });
    landed.push(statement);
    return null;
  };
  const seeder = new RowSearch(client, schema, session, run);
  const plan = (): SeedPlan => ({ tables: session.tables(), statements: landed, notes: session.notes });
  try {
    for (const table of session.order) {
      const planned = session.plan(table);
      // Rows against the head's CHECKs are fitted as rows the database rejects are.
      const fitsHead = (await seeder.judgeHead(table, planned)).every((v) => v?.length === 0);
      const refused = planned.rows.length > 0 && (!fitsHead || (await run(insertStatement(table, planned))) !== null);
      session.record(refused ? await seeder.fitRows(table, planned) : planned);
    }
    for (const update of session.deferredUpdates()) {
      const reasons = new Set<string>();
      for (const statement of update.statements) {
        const rejection = await run(statement);
        if (rejection) reasons.add(rejection.reason);
      }
      if (reasons.size) session.notes.push({ table: update.table, message: `${update.foreignKey} left NULL in some rows: ${[...reasons].join(', ')} rejected them` });
    }
    for (const statement of session.sequenceResets()) {
      const rejection = await run(statement);
      if (rejection) session.notes.push({ table: statement.params[0]!, message: `the sequence of ${statement.params[1]} stays behind the seeded ids: ${rejection.reason}` });
    }
    return { plan: plan(), run: { statements: runs, error: null } };
  } catch (e) {
    return { plan: plan(), run: { statements: runs, error: pgErrorText(e) } };
  }
}

/** What PostgreSQL rejected a statement for; an error that is no judgement of the row is thrown on. */
function rejected(e: unknown): Rejected {
  throwIfFatal(e);
  const err = e as { code: string; constraint?: string; column?: string; message?: string };
  const column = err.code === '23502' ? (err.column ?? null) : null;
  const reason = err.constraint ?? (column !== null ? `NOT NULL ${column}` : (err.message ?? err.code).split('\n')[0]!);
  return { constraint: err.constraint ?? null, column, reason };
}

function throwIfFatal(e: unknown): void {
  const code = (e as { code?: string }).code;
  if (!code || FATAL.test(code)) throw e;
}

/** One condition of a CHECK (see `checkConditions`): rows are judged condition by condition. */
interface Condition {
  constraint: string;
  /** One of the head's CHECKs: the database cannot judge it yet. */
  head: boolean;
  expression: string;
  columns: string[];
}

/** The conditions a row violates (indexes into its table's), or null when it cannot be judged outside the table (a value its type rejects). */
type Verdict = number[] | null;

class RowSearch {
  private readonly conditions = new Map<Table, Condition[]>();
  /** Tables whose CHECKs cannot be evaluated outside them (one names a generated column): their INSERTs judge alone. */
  private readonly unjudgeable = new Set<Table>();
  /** Tables no row of which meets the head's CHECKs: their rows fit the base's alone. */
  private readonly baseOnly = new Set<Table>();

  constructor(
    private readonly client: pg.ClientBase,
    private readonly schema: Schema,
    private readonly session: SeedSession,
    private readonly run: (statement: SeedStatement) => Promise<Rejected | null>,
  ) {}

  /**
   * The planned rows PostgreSQL accepts, each as planned or varied until it fits; a note for
   * the rest. The rows after a fitted one are first tried with the same changes, together.
   */
  async fitRows(table: Table, planned: SeededTable): Promise<SeededTable> {
    let { rows, reasons } = await this.fitEach(table, planned);
    const headChecks = [...new Set(this.session.checks(table).filter((c) => c.head).map((c) => c.name))];
    if (!rows.length && headChecks.length) {
      // No row meets the head's CHECKs too: the rows fit the base's alone, and the upgrade shows what it does with them.
      this.session.notes.push({ table: planned.table, message: `no row meets the head's ${headChecks.join(', ')} as well as the base's checks: rows fit the base's alone` });
      this.baseOnly.add(table);
      ({ rows, reasons } = await this.fitEach(table, planned));
    }
    if (rows.length < planned.rows.length) {
      const why = [...reasons].join(', ');
      const message = rows.length ? `${rows.length} of ${planned.rows.length} rows: no other row satisfies ${why}` : `left empty: no row satisfies ${why}`;
      this.session.notes.push({ table: planned.table, message });
    }
    return { ...planned, rows };
  }

  /** The rows inserted, each fitted in turn, and why the others could not be. */
  private async fitEach(table: Table, planned: SeededTable): Promise<{ rows: SeedValue[][]; reasons: Set<string> }> {
    const inserted: SeedValue[][] = [];
    const reasons = new Set<string>();
    let hopeless = 0;
    for (let index = 0; index < planned.rows.length && hopeless < HOPELESS_ROWS; ) {
      const row = planned.rows[index]!;
      const fitted = await this.fitRow(table, planned, row, index++, inserted);
      if (typeof fitted === 'string') {
        reasons.add(fitted);
        hopeless++;
        continue;
      }
      hopeless = 0;
      inserted.push(fitted);
      const alike = await this.fitAlike(table, planned, planned.rows.slice(index).map((r) => this.session.replay(table, row, fitted, r)), inserted);
      inserted.push(...alike);
      index += alike.length;
    }
    return { rows: inserted, reasons };
  }

  /** The leading `rows` that satisfy every CHECK and the uniques the migration adds, inserted as one; none when PostgreSQL rejects that. */
  private async fitAlike(table: Table, planned: SeededTable, rows: SeedValue[][], inserted: SeedValue[][]): Promise<SeedValue[][]> {
    const verdicts = await this.judge(table, planned.columns, rows);
    const fits: SeedValue[][] = [];
    for (const [i, row] of rows.entries()) {
      if (verdicts[i]?.length !== 0 || this.session.repeatedUniqueAfter(table, row, [...inserted, ...fits]).length) break;
      fits.push(row);
    }
    if (!fits.length || (await this.run(insertStatement(table, { ...planned, rows: fits })))) return [];
    return fits;
  }

  /** The row as inserted, or why none like it could be. */
  private async fitRow(table: Table, planned: SeededTable, row: SeedValue[], index: number, inserted: SeedValue[][]): Promise<SeedValue[] | string> {
    const tried = new Set<string>();
    let queue: { row: SeedValue[]; verdict: Verdict | undefined }[] = [{ row, verdict: undefined }];
    let reason = '';
    for (let attempts = 0; attempts < ATTEMPTS_PER_ROW; attempts++) {
      queue = queue.filter((c) => !tried.has(JSON.stringify(c.row)));
      const next = queue.shift();
      if (!next) break;
      tried.add(JSON.stringify(next.row));
      const fitted = await this.satisfyChecks(table, planned.columns, next.row, next.verdict, index, inserted);
      if (typeof fitted === 'string') {
        reason = fitted;
        continue;
      }
      tried.add(JSON.stringify(fitted));
      // The database cannot judge the unique sets the migration adds: they are kept here.
      const repeated = this.session.repeatedUniqueAfter(table, fitted, inserted);
      let columns = repeated.flat();
      if (repeated.length) reason = `the unique (${columns.join(', ')}) the migration adds`;
      else {
        const rejection = await this.run(insertStatement(table, { ...planned, rows: [fitted] }));
        if (!rejection) return fitted;
        reason = rejection.reason;
        columns = this.session.rejectedColumns(table, rejection);
      }
      const candidates = this.session.variations(table, fitted, index, columns, inserted).filter((c) => !tried.has(JSON.stringify(c)));
      const verdicts = await this.judge(table, planned.columns, candidates);
      // Candidates closest to satisfying every CHECK first; the rest stay queued behind them.
      const ranked = candidates.map((c, i) => ({ row: c, verdict: verdicts[i] })).sort((a, b) => violations(a.verdict) - violations(b.verdict));
      queue = [...ranked, ...queue];
    }
    return reason;
  }

  /**
   * `row` varied until it satisfies every CHECK of its table. Each round tries every change
   * of one column the violated conditions name — and, when none violates fewer, of the
   * columns their neighbour conditions name too, and of two at once — and moves to the one
   * violating fewest, never back to a row it left.
   */
  private async satisfyChecks(
    table: Table,
    columns: string[],
    row: SeedValue[],
    known: Verdict | undefined,
    index: number,
    inserted: SeedValue[][],
  ): Promise<SeedValue[] | string> {
    const first = known === undefined ? (await this.judge(table, columns, [row]))[0]! : known;
    // Not judged outside the table: the INSERT judges it.
    if (first === null) {
      if (known === undefined) this.unjudgeable.add(table);
      return row;
    }
    const conditions = this.conditionsOf(table, columns);
    let failing: number[] = first;
    let current = row;
    const visited = new Set([JSON.stringify(row)]);
    for (let round = 0; failing.length && round < ROUNDS; round++) {
      const named = new Set(failing.flatMap((i) => conditions[i]!.columns));
      const fresh = (rows: SeedValue[][]) => rows.filter((c) => !visited.has(JSON.stringify(c)));
      const singles = fresh(this.session.variations(table, current, index, [...named], inserted));
      let candidates = singles;
      let verdicts = await this.judge(table, columns, candidates);
      if (!verdicts.some((v) => violations(v) < failing.length)) {
        // Stuck on these columns: also the columns of the conditions they share, and two changes at once.
        const near = conditions.filter((c) => c.columns.some((n) => named.has(n))).flatMap((c) => c.columns.filter((n) => !named.has(n)));
        const more = near.length ? fresh(this.session.variations(table, current, index, [...new Set(near)], inserted)) : [];
        const pairs = fresh(withPairs(current, [...singles, ...more]));
        candidates = [...singles, ...more, ...pairs];
        verdicts = [...verdicts, ...(await this.judge(table, columns, [...more, ...pairs]))];
      }
      const found = verdicts.reduce<number>((best, v, i) => (v !== null && (best < 0 || v.length < violations(verdicts[best])) ? i : best), -1);
      if (found < 0) break;
      current = candidates[found]!;
      failing = verdicts[found]!;
      visited.add(JSON.stringify(current));
    }
    return failing.length ? [...new Set(failing.map((i) => conditions[i]!.constraint))].join(', ') : current;
  }

  private conditionsOf(table: Table, columns: string[]): Condition[] {
    let found = this.conditions.get(table);
    if (!found) {
      found = this.session.checks(table).flatMap((c) =>
        checkConditions(c.expression).map((expression) => ({ constraint: c.name, head: c.head, expression, columns: namedIn(expression, columns) })),
      );
      this.conditions.set(table, found);
    }
    return this.baseOnly.has(table) ? found.filter((c) => !c.head) : found;
  }

  /** The head's conditions each planned row violates, as `judge` says; none judged when the table has none. */
  async judgeHead(table: Table, planned: SeededTable): Promise<Verdict[]> {
    if (!this.conditionsOf(table, planned.columns).some((c) => c.head)) return planned.rows.map(() => []);
    return this.judge(table, planned.columns, planned.rows);
  }

  /**
   * The conditions each row violates, as PostgreSQL evaluates them over the rows given as a
   * VALUES list; a list it cannot read (a value its type rejects) is judged in halves.
   */
  private async judge(table: Table, columns: string[], rows: SeedValue[][]): Promise<Verdict[]> {
    const conditions = this.conditionsOf(table, columns);
    if (!conditions.length || !rows.length) return rows.map(() => []);
    if (this.unjudgeable.has(table)) return rows.map(() => null);
    const types = columns.map((name) => {
      const type = table.columns.find((c) => c.name === name)!.type;
      return typeSql(type, type.isEnum ? (this.schema.enums.find((e) => e.name === type.name)?.schema ?? null) : null);
    });
    const values = rows.map((row, i) => `(${i}, ${row.map((v, k) => `${v === null ? 'NULL' : pg.escapeLiteral(v)}::${types[k]}`).join(', ')})`);
    const sql =
      `SELECT ${conditions.map((c) => `(${c.expression}) IS NOT FALSE`).join(', ')}` +
      ` FROM (VALUES ${values.join(', ')}) AS flow_migrate_candidate(flow_migrate_ordinal, ${columns.map(quoteIdent).join(', ')})` +
      ' ORDER BY flow_migrate_ordinal';
    try {
      const result = await this.client.query({ text: sql, rowMode: 'array' });
      return (result.rows as boolean[][]).map((passed) => conditions.flatMap((_, k) => (passed[k] ? [] : [k])));
    } catch (e) {
      throwIfFatal(e);
      if (rows.length === 1) return [null];
      const half = Math.ceil(rows.length / 2);
      return [...(await this.judge(table, columns, rows.slice(0, half))), ...(await this.judge(table, columns, rows.slice(half)))];
    }
  }
}

function violations(verdict: Verdict | undefined): number {
  return verdict === null || verdict === undefined ? Infinity : verdict.length;
}

/** Every two single changes that change different columns, as one row. */
function withPairs(row: SeedValue[], singles: SeedValue[][]): SeedValue[][] {
  const changed = singles.map((s) => s.flatMap((v, i) => (v !== row[i] ? [i] : [])));
  const pairs: SeedValue[][] = [];
  for (let a = 0; a < singles.length && pairs.length < PAIRS; a++) {
    for (let b = a + 1; b < singles.length; b++) {
      if (changed[b]!.some((i) => changed[a]!.includes(i))) continue;
      pairs.push(singles[a]!.map((v, i) => (changed[b]!.includes(i) ? singles[b]![i]! : v)));
    }
  }
  return pairs.slice(0, PAIRS);
}
