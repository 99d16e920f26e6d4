import { InputError } from '../errors.js';
import {
  qualifiedName,
  type Column,
  type ColumnType,
  type EnumType,
  type Index,
  type PrimaryKey,
  type Schema,
  type Table,
} from '../schema/model.js';
import { formatType } from '../schema/format.js';
import { normalizeCheck } from '../schema/sql-expr.js';
import { formatRename } from './confirmation.js';
import { blocksExistingTable, sideLocks } from './locks.js';
import { creationOrder } from './order.js';
import { risk, type DraftFinding } from './risk.js';
import { quoteIdent, quoteLiteral, typeSql } from './sql-quote.js';
import { applyChange, numberingOf, numberingText, ownsSequence, placeholder } from './columns.js';
import { operatorClassExtension } from './extensions.js';
import { constraintColumns, fkActions, fkActionsText, fkTarget, indexKey, matchByName, onDeleteEffect, sameColumns, sameComputed, sameDefault } from './compare.js';
import { identifiersIn, renameColumnsIn } from './expressions.js';
import { classifyTypeChange, sameType } from './type-change.js';
import type {
  ColumnChange,
  Confirmation,
  ConstraintDef,
  EnumColumnUse,
  Finding,
  Operation,
  Plan,
  PlanOptions,
  PlannedOperation,
  PossibleRename,
  RenameRequest,
  RiskRuleId,
} from './types.js';

/**
 * Execution phases. Operations are emitted into the phase that makes the whole sequence
 * executable, and the downgrade walks the same list backwards:
 * enum types exist before anything uses them; constraints and indexes that go away are
 * dropped first, then the tables and columns that go away (so their names, and the names
 * of their indexes and sequences, are free for what replaces them); renames before
 * everything that uses the new names; tables before the foreign keys that point at them;
 * enum types dropped after their last column.
 */
const enum Phase {
  EnumTypes,
  DropDependents,
  Drops,
  Renames,
  EnumRebuilds,
  CreateTables,
  Columns,
  AddDependents,
  ForeignKeys,
  DropEnumTypes,
}
const PHASE_COUNT = Phase.DropEnumTypes + 1;

interface Draft {
  op: PlannedOperation;
  findings: DraftFinding[];
}

interface TablePair {
  base: Table;
  head: Table;
  /** base column name → head column name, for confirmed column renames. */
  columnRenames: Map<string, string>;
}

const ALLOW_DATA_LOSS: Confirmation = { kind: 'allow-data-loss' };

/** The rules whose statement scans or rewrites an existing table while holding its lock. */
const SCANS_OR_REWRITES = new Set<RiskRuleId>([
  'narrow-type',
  'enum-remove-value',
  'change-type-rewrite',
  'cast-needed',
  'add-column-volatile-default',
  'set-not-null',
  'add-foreign-key',
  'add-check',
  'add-unique-constraint',
  'add-primary-key',
  'create-index',
  'change-fk-action',
]);

/** Functions whose value changes per row, so a default using them rewrites the table on ADD COLUMN. */
const VOLATILE_DEFAULT = /\b(gen_random_uuid|uuid_generate_v[14]\w*|random|clock_timestamp|timeofday|nextval)\s*\(/i;

/** Two schemas in, the ordered operations that turn `base` into `head`, with their findings. */
export function plan(base: Schema, head: Schema, options: PlanOptions): Plan {
  return new Planner(base, head, options).run();
}

class Planner {
  private readonly phases: Draft[][] = Array.from({ length: PHASE_COUNT }, () => []);
  private readonly possibleRenames: PossibleRename[] = [];
  private readonly pairs: TablePair[] = [];
  private readonly dropped: Table[] = [];
  private readonly created: Table[] = [];
  /** base qualified table name → the pair it belongs to. */
  private readonly pairByBase = new Map<string, TablePair>();
  private readonly enums: EnumType[];
  /** Primary keys, unique constraints and unique indexes dropped from kept tables (columns in head names). */
  private readonly droppedKeys: { table: Table; columns: string[] }[] = [];
  /** `table.column` (head names) dropped and added again: what depends on it is re-created. */
  private readonly recreatedColumns = new Set<string>();
  /** `table.column` (head names) whose default an enum rebuild sets. */
  private readonly defaultsSetByRebuild = new Set<string>();
  /** Qualified names of the `assumeEmpty` tables a NOT NULL column with no value is added to. */
  private readonly assumedEmpty = new Set<string>();

  constructor(
    private readonly base: Schema,
    private readonly head: Schema,
    private readonly options: PlanOptions,
  ) {
    const headEnums = new Set(head.enums.map(qualifiedName));
    this.enums = [...head.enums, ...base.enums.filter((e) => !headEnums.has(qualifiedName(e)))];
  }

  run(): Plan {
    this.matchTables();
    this.planEnums();
    for (const pair of this.pairs) this.planPair(pair);
    this.planCreatedTables();
    this.planDroppedTables();
    this.reportPossibleTableRenames();
    this.bounceForeignKeysOnChangedKeys();
    this.wrapRebuildDependents();
    this.requireExtensions();

    const drafts = this.phases.flat();
    const upgradeFindings: Finding[] = drafts.flatMap((draft, index) =>
      draft.findings.map((f) => ({
        ...f,
        operation: index,
        side: 'upgrade' as const,
        confirmed:
          f.severity === 'error' &&
          f.confirmations.some((c) => c.kind === 'allow-data-loss' && this.options.allowDataLoss),
      })),
    );
    const downgradeFindings = this.downgradeFindings(drafts);
    const findings = [...upgradeFindings, ...downgradeFindings];
    const upgrade = drafts.flatMap((d) => d.op.upgrade);
    const downgrade = [...drafts].reverse().flatMap((d) => d.op.downgrade);
    return {
      operations: drafts.map((d) => d.op),
      findings,
      possibleRenames: this.possibleRenames,
      refused: findings.some((f) => f.severity === 'error' && !f.confirmed),
      needsLockTimeout: blocksExistingTable(upgrade) || blocksExistingTable(downgrade),
      scansExistingTable: findings.some((f) => SCANS_OR_REWRITES.has(f.rule)),
      assumedEmpty: [...this.assumedEmpty],
      enums: this.enums,
    };
  }

  /**
   * The findings of the downgrade's statements, by the same rules as the upgrade's. A step on
   * a table the downgrade itself re-creates is free; a downgrade finding never refuses the
   * plan, so an error-level rule is reported as a warning.
   */
  private downgradeFindings(drafts: Draft[]): Finding[] {
    const entries = [...drafts.keys()].reverse().flatMap((index) => drafts[index]!.op.downgrade.map((op) => ({ op, index })));
    const locks = sideLocks(entries.map((e) => e.op));
    return entries.flatMap(({ op, index }, i) => {
      if (locks[i]!.locks.some((l) => l.kind === 'table' && l.onNewTable)) return [];
      return this.downgradeRisks(op, drafts[index]!.op.downgrade).map((f): Finding => ({
        ...f,
        severity: f.severity === 'error' ? 'warning' : f.severity,
        confirmations: [],
        confirmed: false,
        operation: index,
        side: 'downgrade',
      }));
    });
  }

  /** `steps` is the downgrade `op` belongs to. */
  private downgradeRisks(op: Operation, steps: Operation[]): DraftFinding[] {
    if (!('table' in op) || typeof op.table !== 'string' || !('schema' in op)) return [];
    const table = this.head.tables.find((t) => t.name === op.table && t.schema === op.schema) ?? this.base.tables.find((t) => t.name === op.table && t.schema === op.schema);
    const q = qualifiedName({ schema: op.schema, name: op.table });
    const at = { table: q, location: table?.location ?? null };
    switch (op.kind) {
      case 'addConstraint': {
        const c = op.constraint;
        const columnOf = 'columns' in c && c.columns.length === 1 ? c.columns[0]! : null;
        const where = { ...at, column: columnOf, location: c.location ?? at.location };
        if (c.kind === 'foreignKey') return [risk('add-foreign-key', { ...where, message: `The downgrade re-adds foreign key ${c.name}, checking every row of ${op.table} under SHARE ROW EXCLUSIVE on ${op.table} and ${c.referredTable}; it fails on rows written since the upgrade that break it.` })];
        if (c.kind === 'check') return [risk('add-check', { ...where, message: `The downgrade re-adds check ${c.name}, scanning every row of ${op.table} under ACCESS EXCLUSIVE; it fails on rows written since the upgrade that break it.` })];
        if (c.kind === 'unique') return [risk('add-unique-constraint', { ...where, message: `The downgrade re-adds unique constraint ${c.name}, building an index under ACCESS EXCLUSIVE on ${op.table} (reads and writes wait); it fails on duplicates written since the upgrade.` })];
        return [risk('add-primary-key', { ...where, message: `The downgrade re-adds primary key ${c.name}, building an index and checking NOT NULL on every row of ${op.table} under ACCESS EXCLUSIVE.` })];
      }
      case 'createIndex':
        return op.concurrently ? [] : [risk('create-index', { ...at, location: op.index.location ?? at.location, message: `The downgrade re-creates index ${op.index.name}, blocking writes to ${op.table} (SHARE lock) for the whole build.` })];
      case 'alterColumn': {
        const column = op.existing.name;
        const where = { ...at, column };
        const change = op.change;
        if (change.kind === 'nullable' && !change.nullable) {
          const fill = steps.find((s) => s.kind === 'backfill' && s.table === op.table && s.column === column);
          return [
            risk('set-not-null', {
              ...where,
              message:
                fill?.kind === 'backfill'
                  ? `The downgrade's SET NOT NULL on ${op.table}.${column} scans every row under ACCESS EXCLUSIVE (NULLs written since the upgrade are first set to ${fill.value}).`
                  : `The downgrade's SET NOT NULL on ${op.table}.${column} scans every row under ACCESS EXCLUSIVE and fails on NULLs written since the upgrade.`,
            }),
          ];
        }
        if (change.kind === 'type') {
          const kind = classifyTypeChange(op.existing.type, change.type, quoteIdent(column), this.typeSql).kind;
          const from = formatType(op.existing.type);
          const to = formatType(change.type);
          if (kind === 'cheap') return [];
          return [
            kind === 'narrow'
              ? risk('narrow-type', { ...where, message: `The downgrade narrows ${op.table}.${column} from ${from} back to ${to}: it fails on values written since the upgrade that do not fit (ALTER TABLE ${op.table} ALTER COLUMN ${column} TYPE ${to}).` })
              : risk('change-type-rewrite', { ...where, message: `The downgrade changes ${op.table}.${column} from ${from} back to ${to}, rewriting the table and its indexes under ACCESS EXCLUSIVE${change.using ? `; USING ${change.using} fails on values that do not convert` : ''}.` }),
          ];
        }
        if (change.kind === 'rename') return [risk('rename-column', { ...where, message: `The downgrade renames ${op.table}.${column} back to ${change.newName}; code selecting ${column} fails.` })];
        return [];
      }
      case 'addColumn': {
        const c = op.column;
        const rewrites = c.serial || c.identity !== null || (c.computed?.persisted ?? false) || (c.serverDefault !== null && VOLATILE_DEFAULT.test(c.serverDefault));
        return rewrites ? [risk('add-column-volatile-default', { ...at, column: c.name, message: `The downgrade adds ${op.table}.${c.name} back with a value computed per row, rewriting the whole table under ACCESS EXCLUSIVE.` })] : [];
      }
      // What a downgrade's drops lose is the rollback section's (see the report's cannotRestore).
      default:
        return [];
    }
  }

  private emit(phase: Phase, op: PlannedOperation, findings: DraftFinding[] = []): Draft {
    const draft = { op, findings };
    this.phases[phase]!.push(draft);
    return draft;
  }

  // ---- matching ----------------------------------------------------------------------

  private matchTables(): void {
    const baseByName = new Map(this.base.tables.map((t) => [qualifiedName(t), t]));
    const headByName = new Map(this.head.tables.map((t) => [qualifiedName(t), t]));
    const tableRequests = this.options.renames.filter((r) => r.kind === 'table');
    const used = new Set<RenameRequest>();
    const renamedFrom = new Map<string, Table>();

    for (const h of this.head.tables) {
      if (baseByName.has(qualifiedName(h))) continue;
      const request = tableRequests.find((r) => r.to === h.name || r.to === qualifiedName(h));
      const hint = typeof h.info['renamed_from'] === 'string' ? h.info['renamed_from'] : null;
      const from = request?.from ?? hint;
      if (from === null) continue;
      const b = baseByName.get(from) ?? baseByName.get(qualifiedName({ schema: h.schema, name: from }));
      if (!b || headByName.has(qualifiedName(b)) || renamedFrom.has(qualifiedName(b))) {
        if (request) throw unusableRename(request, `no table "${from}" that the head models no longer have`);
        // A hint outlives its migration: once the rename ran (or on a database built from
        // scratch) there is no old table, and the hint says nothing.
        continue;
      }
      if (request) used.add(request);
      renamedFrom.set(qualifiedName(b), h);
    }
    for (const r of tableRequests) {
      if (!used.has(r)) throw unusableRename(r, `no new table "${r.to}" in the head models`);
    }

    for (const b of this.base.tables) {
      const h = headByName.get(qualifiedName(b)) ?? renamedFrom.get(qualifiedName(b));
      if (!h) {
        this.dropped.push(b);
        continue;
      }
      const pair: TablePair = { base: b, head: h, columnRenames: this.matchColumns(b, h) };
      this.pairs.push(pair);
      this.pairByBase.set(qualifiedName(b), pair);
    }
    const pairedHeads = new Set(this.pairs.map((p) => qualifiedName(p.head)));
    this.created.push(...this.head.tables.filter((t) => !pairedHeads.has(qualifiedName(t))));

    for (const name of this.options.assumeEmpty ?? []) {
      if (!this.head.tables.some((t) => tableIs(t, name))) throw new InputError(`--assume-empty ${name}: no table "${name}" in the head models`);
    }

    const columnRequests = this.options.renames.filter((r) => r.kind === 'column');
    for (const r of columnRequests) {
      const pair = this.pairs.find((p) => tableIs(p.head, r.table) || tableIs(p.base, r.table));
      if (!pair || pair.columnRenames.get(r.from) !== r.to) {
        throw unusableRename(r, `table "${r.table}" has no column "${r.from}" that became a new column "${r.to}"`);
      }
    }
  }

  private matchColumns(b: Table, h: Table): Map<string, string> {
    const renames = new Map<string, string>();
    const baseNames = new Set(b.columns.map((c) => c.name));
    const headNames = new Set(h.columns.map((c) => c.name));
    for (const c of h.columns) {
      if (baseNames.has(c.name)) continue;
      const request = this.options.renames.find(
        (r) => r.kind === 'column' && r.to === c.name && (tableIs(h, r.table) || tableIs(b, r.table)),
      );
      const hint = typeof c.info['renamed_from'] === 'string' ? c.info['renamed_from'] : null;
      const from = request?.kind === 'column' ? request.from : hint;
      if (from === null) continue;
      // A request that fits nothing is reported by matchTables with its own text; a hint
      // naming no column that went away is one whose rename already ran.
      if (!baseNames.has(from) || headNames.has(from) || renames.has(from)) continue;
      renames.set(from, c.name);
    }
    return renames;
  }

  private headColumnName(pair: TablePair, baseName: string): string {
    return pair.columnRenames.get(baseName) ?? baseName;
  }

  /** The table and column a base table's column has once the renames ran. */
  private renamedLocation(baseTable: Table, column: string): { schema: string | null; table: string; column: string } {
    const pair = this.pairByBase.get(qualifiedName(baseTable));
    if (!pair) return { schema: baseTable.schema, table: baseTable.name, column };
    return { schema: pair.head.schema, table: pair.head.name, column: this.headColumnName(pair, column) };
  }

  private enumSchema(type: ColumnType): string | null {
    if (!type.isEnum) return null;
    return this.enums.find((e) => e.name === type.name)?.schema ?? null;
  }

  private typeSql = (type: ColumnType): string => typeSql(type, this.enumSchema(type));

  // ---- enum types --------------------------------------------------------------------

  private planEnums(): void {
    const baseEnums = new Map(this.base.enums.map((e) => [qualifiedName(e), e]));
    const headEnums = new Map(this.head.enums.map((e) => [qualifiedName(e), e]));
    for (const h of this.head.enums) {
      const b = baseEnums.get(qualifiedName(h));
      if (!b) {
        this.emit(Phase.EnumTypes, {
          summary: `create enum type ${h.name}`,
          table: null,
          upgrade: [{ kind: 'createEnum', enum: h }],
          downgrade: [{ kind: 'dropEnum', enum: h, ifCreatedHere: true }],
        });
      } else if (b.labels.join('\u0000') !== h.labels.join('\u0000')) {
        this.planEnumChange(b, h);
      }
    }
    for (const b of this.base.enums) {
      if (headEnums.has(qualifiedName(b))) continue;
      this.emit(Phase.DropEnumTypes, {
        summary: `drop enum type ${b.name}`,
        table: null,
        upgrade: [{ kind: 'dropEnum', enum: b, ifCreatedHere: false }],
        downgrade: [{ kind: 'createEnum', enum: b }],
      });
    }
  }

  /**
   * The columns a rebuild converts, as they are in the EnumRebuilds phase: under their head
   * names, not yet dropped, not yet added. With `headDefaults` (a value removal), a column
   * that keeps the type takes its head default in the rebuild itself (the base one may name
   * the removed value), so the column diff leaves that default alone.
   */
  private rebuildUses(e: EnumType, headDefaults: boolean): EnumColumnUse[] {
    return this.base.tables.flatMap((t) => {
      const pair = this.pairByBase.get(qualifiedName(t));
      // Columns and tables that go away are dropped before the rebuild (and come back after its reverse).
      if (!pair) return [];
      return t.columns
        .filter((c) => c.type.isEnum && c.type.name === e.name)
        .flatMap((c) => {
          const at = this.renamedLocation(t, c.name);
          const target = pair.head.columns.find((x) => x.name === at.column);
          if (!target) return [];
          const keeps = headDefaults && target.type.isEnum && target.type.name === e.name && target.type.arrayDimensions === c.type.arrayDimensions;
          if (keeps) this.defaultsSetByRebuild.add(`${qualifiedName(pair.head)}.${target.name}`);
          return [{ ...at, arrayDimensions: c.type.arrayDimensions, defaultBefore: c.serverDefault, defaultAfter: keeps ? target.serverDefault : c.serverDefault }];
        });
    });
  }

  private planEnumChange(b: EnumType, h: EnumType): void {
    const ref = { schema: h.schema, name: h.name };
    const kept = h.labels.filter((l) => b.labels.includes(l));
    const onlyAdds = kept.length === b.labels.length && kept.every((l, i) => l === b.labels[i]);
    if (onlyAdds) {
      const added = h.labels.filter((l) => !b.labels.includes(l));
      // Each value goes after its nearest predecessor that exists by then (or before the
      // nearest successor); one that only new values follow is simply appended.
      const present = new Set(b.labels);
      const upgrade: Operation[] = added.map((value) => {
        const i = h.labels.indexOf(value);
        const after = h.labels.slice(0, i).findLast((l) => present.has(l)) ?? null;
        const next = h.labels.slice(i + 1).find((l) => present.has(l)) ?? null;
        present.add(value);
        return { kind: 'addEnumValue', enum: ref, value, before: after === null ? next : null, after: next === null ? null : after };
      });
      // The values are added first (their autocommit then commits next to nothing); taking
      // them away again is a rebuild, which must run where the other rebuilds run: with the
      // columns back in their base state but under their head names.
      this.emit(Phase.EnumRebuilds, {
        summary: `remove ${added.map(quoteLiteral).join(', ')} from enum type ${h.name} on downgrade`,
        table: null,
        upgrade: [],
        downgrade: [
          {
            kind: 'rebuildEnum',
            enum: ref,
            labels: b.labels,
            columns: this.rebuildUses(b, false),
            why: `PostgreSQL cannot drop an enum value: rebuild ${h.name} without ${added.map(quoteLiteral).join(', ')}`,
          },
        ],
      });
      this.emit(
        Phase.EnumTypes,
        {
          summary: `add ${added.map(quoteLiteral).join(', ')} to enum type ${h.name}`,
          table: null,
          upgrade,
          downgrade: [],
        },
        added.map((value) =>
          risk('enum-add-value', {
            table: null,
            location: h.location,
            message: `ALTER TYPE ${h.name} ADD VALUE ${quoteLiteral(value)} cannot run inside a transaction block that later uses it, so it runs in autocommit.`,
          }),
        ),
      );
      return;
    }
    const removed = b.labels.filter((l) => !h.labels.includes(l));
    const uses = this.rebuildUses(b, true);
    const reverseUses = uses.map((u) => ({ ...u, defaultBefore: u.defaultAfter, defaultAfter: u.defaultBefore }));
    this.emit(
      Phase.EnumRebuilds,
      {
        summary: removed.length
          ? `remove ${removed.map(quoteLiteral).join(', ')} from enum type ${h.name}`
          : `reorder the values of enum type ${h.name}`,
        table: null,
        upgrade: [
          {
            kind: 'rebuildEnum',
            enum: ref,
            labels: h.labels,
            columns: uses,
            why: `PostgreSQL cannot drop or reorder enum values: rebuild ${h.name} and convert its columns through text`,
          },
        ],
        downgrade: [
          {
            kind: 'rebuildEnum',
            enum: ref,
            labels: b.labels,
            columns: reverseUses,
            why: `restore the previous values of ${h.name}`,
          },
        ],
      },
      removed.map((value) =>
        risk('enum-remove-value', {
          table: null,
          location: h.location,
          message: `Enum type ${h.name} loses ${quoteLiteral(value)}: the rebuild fails on rows that hold it${
            uses.length ? ` (${uses.map((u) => `${u.table}.${u.column}`).join(', ')})` : ''
          }.`,
        }),
      ),
    );
  }

  // ---- tables ------------------------------------------------------------------------

  private planCreatedTables(): void {
    const order = creationOrder(this.created);
    for (const t of order.tables) {
      const deferred = new Set(order.deferred.filter((d) => d.table === t).map((d) => d.foreignKey));
      const created = { ...t, foreignKeys: t.foreignKeys.filter((fk) => !deferred.has(fk)) };
      this.emit(Phase.CreateTables, {
        summary: `create table ${t.name}`,
        table: qualifiedName(t),
        upgrade: [
          { kind: 'createTable', table: created },
          ...t.indexes.map((index): Operation => ({ kind: 'createIndex', schema: t.schema, table: t.name, index, concurrently: false })),
        ],
        downgrade: [{ kind: 'dropTable', table: created }],
      });
    }
    for (const { table, foreignKey } of order.deferred) {
      const constraint: ConstraintDef = { kind: 'foreignKey', ...foreignKey };
      this.emit(Phase.ForeignKeys, {
        summary: `add foreign key ${foreignKey.name} to ${table.name}`,
        table: qualifiedName(table),
        upgrade: [{ kind: 'addConstraint', schema: table.schema, table: table.name, constraint, why: 'the tables reference each other: add this key once both exist' }],
        downgrade: [{ kind: 'dropConstraint', schema: table.schema, table: table.name, constraint }],
      });
    }
  }

  private planDroppedTables(): void {
    const order = creationOrder(this.dropped);
    for (const { table, foreignKey } of order.deferred) {
      const constraint: ConstraintDef = { kind: 'foreignKey', ...foreignKey };
      this.emit(Phase.DropDependents, {
        summary: `drop foreign key ${foreignKey.name} from ${table.name}`,
        table: qualifiedName(table),
        upgrade: [{ kind: 'dropConstraint', schema: table.schema, table: table.name, constraint, why: 'the dropped tables reference each other: drop this key first' }],
        downgrade: [{ kind: 'addConstraint', schema: table.schema, table: table.name, constraint }],
      });
    }
    for (const t of [...order.tables].reverse()) {
      const deferred = new Set(order.deferred.filter((d) => d.table === t).map((d) => d.foreignKey));
      const recreated = { ...t, foreignKeys: t.foreignKeys.filter((fk) => !deferred.has(fk)) };
      this.emit(
        Phase.Drops,
        {
          summary: `drop table ${t.name}`,
          table: qualifiedName(t),
          upgrade: [{ kind: 'dropTable', table: recreated }],
          downgrade: [
            { kind: 'createTable', table: recreated },
            ...t.indexes.map((index): Operation => ({ kind: 'createIndex', schema: t.schema, table: t.name, index, concurrently: false })),
          ],
        },
        [
          risk('drop-table', {
            table: qualifiedName(t),
            location: t.location,
            message: `DROP TABLE ${t.name} deletes every row it holds; code still using it fails.`,
          }),
        ],
      );
    }
  }

  private reportPossibleTableRenames(): void {
    for (const b of this.dropped) {
      for (const h of this.created) {
        if (b.schema !== h.schema || !sameColumns(b, h)) continue;
        const confirmation: Confirmation = { kind: 'rename', from: b.name, to: h.name };
        this.possibleRenames.push({ kind: 'table', table: qualifiedName(b), from: b.name, to: h.name, confirmation });
        const drop = this.phases[Phase.Drops]!.find((d) => d.op.upgrade.some((o) => o.kind === 'dropTable' && o.table.name === b.name && o.table.schema === b.schema));
        drop?.findings.push(
          risk('unconfirmed-rename', {
            table: qualifiedName(b),
            location: h.location ?? b.location,
            message: `Table ${b.name} goes and ${h.name} with the same columns arrives: unless this is confirmed as a rename, it is a drop and a create, and the rows of ${b.name} are lost.`,
            confirmations: [confirmation, ALLOW_DATA_LOSS],
          }),
        );
      }
    }
  }

  // ---- a table present on both sides --------------------------------------------------

  private planPair(pair: TablePair): void {
    const { base: b, head: h } = pair;
    const q = qualifiedName(h);
    if (qualifiedName(b) !== q) this.planTableRename(pair);
    for (const [from, to] of pair.columnRenames) this.planColumnRename(pair, from, to);
    this.planSequenceRenames(pair);

    if ((b.comment ?? null) !== (h.comment ?? null)) {
      this.emit(Phase.Columns, {
        summary: `change the comment of table ${h.name}`,
        table: q,
        upgrade: [{ kind: 'setTableComment', schema: h.schema, table: h.name, comment: h.comment, existing: b.comment }],
        downgrade: [{ kind: 'setTableComment', schema: h.schema, table: h.name, comment: b.comment, existing: h.comment }],
      });
    }

    const baseByHeadName = new Map(b.columns.map((c) => [this.headColumnName(pair, c.name), c]));
    for (const c of h.columns) {
      const old = baseByHeadName.get(c.name);
      if (old) this.planColumnChanges(h, { ...old, name: c.name }, c);
      else this.planAddColumn(h, c);
    }
    const headNames = new Set(h.columns.map((c) => c.name));
    const droppedColumns = b.columns.filter((c) => !headNames.has(this.headColumnName(pair, c.name)));
    for (const c of droppedColumns) this.planDropColumn(pair, c);

    this.planPrimaryKey(pair);
    this.planUniqueConstraints(pair);
    this.planCheckConstraints(pair);
    this.planIndexes(pair);
    this.planForeignKeys(pair);
  }

  private planTableRename({ base: b, head: h }: TablePair): void {
    this.emit(
      Phase.Renames,
      {
        summary: `rename table ${b.name} to ${h.name}`,
        table: qualifiedName(h),
        upgrade: [{ kind: 'renameTable', schema: b.schema, from: b.name, to: h.name }],
        downgrade: [{ kind: 'renameTable', schema: b.schema, from: h.name, to: b.name }],
      },
      [
        risk('rename-table', {
          table: qualifiedName(h),
          location: h.location,
          message: `ALTER TABLE ${b.name} RENAME TO ${h.name} takes a brief ACCESS EXCLUSIVE lock; code still using ${b.name} fails.`,
        }),
      ],
    );
  }

  private planColumnRename({ head: h, base: b }: TablePair, from: string, to: string): void {
    const column = b.columns.find((c) => c.name === from)!;
    const headColumn = h.columns.find((c) => c.name === to)!;
    this.emit(
      Phase.Renames,
      {
        summary: `rename ${h.name}.${from} to ${to}`,
        table: qualifiedName(h),
        upgrade: [{ kind: 'alterColumn', schema: h.schema, table: h.name, existing: column, change: { kind: 'rename', newName: to } }],
        downgrade: [{ kind: 'alterColumn', schema: h.schema, table: h.name, existing: { ...column, name: to }, change: { kind: 'rename', newName: from } }],
      },
      [
        risk('rename-column', {
          table: qualifiedName(h),
          column: to,
          location: headColumn.location,
          message: `Renaming ${h.name}.${from} to ${to} takes a brief ACCESS EXCLUSIVE lock; code still selecting ${from} fails.`,
        }),
      ],
    );
  }

  /** A serial or identity column owns `<table>_<column>_seq`; keep it named as the models would create it. */
  private planSequenceRenames(pair: TablePair): void {
    const { base: b, head: h } = pair;
    for (const c of b.columns) {
      const headName = this.headColumnName(pair, c.name);
      const hc = h.columns.find((x) => x.name === headName);
      // Renamed even when the head column stops owning it: it is dropped by its new name.
      if (!hc || !ownsSequence(c)) continue;
      const from = `${b.name}_${c.name}_seq`;
      const to = `${h.name}_${hc.name}_seq`;
      if (from === to) continue;
      this.emit(Phase.Renames, {
        summary: `rename sequence ${from} to ${to}`,
        table: qualifiedName(h),
        upgrade: [{ kind: 'renameSequence', schema: h.schema, from, to, why: 'keep the sequence named as the models would create it' }],
        downgrade: [{ kind: 'renameSequence', schema: h.schema, from: to, to: from }],
      });
    }
  }

  // ---- columns -----------------------------------------------------------------------

  private planAddColumn(t: Table, c: Column): void {
    const q = qualifiedName(t);
    const base = { summary: `add ${c.name} to ${t.name}`, table: q };
    const drop: Operation = { kind: 'dropColumn', schema: t.schema, table: t.name, column: c };
    const rewrites = c.serial || c.identity !== null || (c.computed?.persisted ?? false) ||
      (c.serverDefault !== null && VOLATILE_DEFAULT.test(c.serverDefault));
    if (rewrites) {
      this.emit(Phase.Columns, { ...base, upgrade: [{ kind: 'addColumn', schema: t.schema, table: t.name, column: c }], downgrade: [drop] }, [
        risk('add-column-volatile-default', {
          table: q,
          column: c.name,
          location: c.location,
          message: `Adding ${t.name}.${c.name} computes a value per row, so PostgreSQL rewrites the whole table under ACCESS EXCLUSIVE.`,
        }),
      ]);
      return;
    }
    if (c.nullable || c.serverDefault !== null) {
      this.emit(
        Phase.Columns,
        { ...base, upgrade: [{ kind: 'addColumn', schema: t.schema, table: t.name, column: c }], downgrade: [drop] },
        c.serverDefault !== null
          ? [
              risk('add-column-default', {
                table: q,
                column: c.name,
                location: c.location,
                message: `Adding ${t.name}.${c.name} with DEFAULT ${c.serverDefault} is catalog-only since PostgreSQL 11.`,
              }),
            ]
          : [],
      );
      return;
    }
    const fill = c.default?.sql ?? null;
    if (fill !== null) {
      const withDefault = { ...c, serverDefault: fill };
      this.emit(
        Phase.Columns,
        {
          ...base,
          upgrade: [
            {
              kind: 'addColumn',
              schema: t.schema,
              table: t.name,
              column: withDefault,
              why: `existing rows get the model's default=${c.default!.python} so NOT NULL holds`,
            },
            {
              kind: 'alterColumn',
              schema: t.schema,
              table: t.name,
              existing: withDefault,
              change: { kind: 'serverDefault', serverDefault: null },
              why: 'the model has no server default: drop the one used to fill existing rows',
            },
          ],
          downgrade: [drop],
        },
        [
          risk('add-not-null-python-default', {
            table: q,
            column: c.name,
            location: c.location,
            message: `Adding NOT NULL ${t.name}.${c.name} fills existing rows with ${fill} (the model's default=) through a temporary server default the revision then drops: between the migration and the deploy, INSERTs by the old code, which does not know the column, fail.`,
          }),
        ],
      );
      return;
    }
    const empty = (this.options.assumeEmpty ?? []).some((name) => tableIs(t, name));
    if (empty) this.assumedEmpty.add(q);
    this.emit(
      Phase.Columns,
      { ...base, upgrade: [{ kind: 'addColumn', schema: t.schema, table: t.name, column: c, ...(empty ? { why: `${t.name} holds no rows (--assume-empty): no value is needed for existing ones` } : {}) }], downgrade: [drop] },
      empty
        ? []
        : [
            risk('add-not-null-no-default', {
              table: q,
              column: c.name,
              location: c.location,
              message: `Adding NOT NULL ${t.name}.${c.name} fails on a table with rows: existing rows need a value, and the model gives neither server_default= nor a literal default=.`,
              confirmations: [{ kind: 'assume-empty', table: t.name }],
            }),
          ],
    );
  }

  private planDropColumn(pair: TablePair, c: Column): void {
    const t = pair.head;
    const q = qualifiedName(t);
    // Dropped before the renames: under the base table name, and re-added under it on downgrade.
    const where = { schema: pair.base.schema, table: pair.base.name };
    const findings = [
      risk('drop-column', {
        table: q,
        column: c.name,
        location: c.location,
        message: `DROP COLUMN ${t.name}.${c.name} deletes its data; code still selecting it fails.`,
      }),
    ];
    const added = t.columns.filter((hc) => !pair.base.columns.some((bc) => this.headColumnName(pair, bc.name) === hc.name));
    for (const a of added) {
      if (!sameType(a.type, c.type)) continue;
      const confirmation: Confirmation = { kind: 'rename', from: `${t.name}.${c.name}`, to: a.name };
      this.possibleRenames.push({ kind: 'column', table: q, from: c.name, to: a.name, confirmation });
      findings.push(
        risk('unconfirmed-rename', {
          table: q,
          column: a.name,
          location: a.location ?? c.location,
          message: `${t.name}.${c.name} goes and ${a.name} of the same type arrives: unless this is confirmed as a rename, the values of ${c.name} are lost.`,
          confirmations: [confirmation, ALLOW_DATA_LOSS],
        }),
      );
    }
    this.emit(
      Phase.Drops,
      {
        summary: `drop ${c.name} from ${t.name}`,
        table: q,
        upgrade: [{ kind: 'dropColumn', ...where, column: c }],
        downgrade: this.readdColumn(pair.base, c),
      },
      findings,
    );
  }

  /** The downgrade of a dropped column: its data is gone, but NOT NULL must hold for the rows there are. */
  private readdColumn(t: Table, c: Column): Operation[] {
    const where = { schema: t.schema, table: t.name };
    if (c.nullable || c.serverDefault !== null || c.serial || c.identity || c.computed) {
      return [{ kind: 'addColumn', ...where, column: c }];
    }
    const fill = c.default?.sql ?? placeholder(c.type, this.enums);
    if (fill === null) return [{ kind: 'addColumn', ...where, column: c }];
    const withDefault = { ...c, serverDefault: fill };
    return [
      { kind: 'addColumn', ...where, column: withDefault, why: `the dropped values are gone: rows get ${fill} so NOT NULL holds` },
      { kind: 'alterColumn', ...where, existing: withDefault, change: { kind: 'serverDefault', serverDefault: null } },
    ];
  }

  private planColumnChanges(t: Table, old: Column, target: Column): void {
    const q = qualifiedName(t);
    const where = { schema: t.schema, table: t.name };
    const name = `${t.name}.${target.name}`;
    if (!sameComputed(old.computed, target.computed)) {
      this.planComputedChange(t, old, target);
      return;
    }
    let cur = old;
    const step = (change: ColumnChange, why?: string): { op: Operation; next: Column } => {
      const op: Operation = { kind: 'alterColumn', ...where, existing: cur, change, ...(why ? { why } : {}) };
      const next = applyChange(cur, change);
      cur = next;
      return { op, next };
    };

    if (!sameType(cur.type, target.type)) {
      const col = quoteIdent(target.name);
      const forward = classifyTypeChange(cur.type, target.type, col, this.typeSql);
      const back = classifyTypeChange(target.type, cur.type, col, this.typeSql);
      const upgrade: Operation[] = [];
      const downgrade: Operation[] = [];
      const oldDefault = cur.serverDefault;
      if (oldDefault !== null) {
        upgrade.push(step({ kind: 'serverDefault', serverDefault: null }, 'the old default cannot be converted with the column').op);
      }
      const before = cur;
      const from = formatType(before.type);
      const to = formatType(target.type);
      upgrade.push(
        step(
          { kind: 'type', type: target.type, using: forward.using },
          forward.using ? `PostgreSQL has no automatic cast from ${from} to ${to}` : undefined,
        ).op,
      );
      downgrade.push({ kind: 'alterColumn', ...where, existing: cur, change: { kind: 'type', type: before.type, using: back.using } });
      if (before.serial && target.serial) {
        // ALTER COLUMN TYPE leaves a serial's sequence as it was (an identity's follows).
        const sequence = `${t.name}_${target.name}_seq`;
        upgrade.push({ kind: 'setSequenceType', schema: t.schema, sequence, type: target.type, why: `the sequence of ${name} counts in ${to} too` });
        downgrade.unshift({ kind: 'setSequenceType', schema: t.schema, sequence, type: before.type });
      }
      if (oldDefault !== null) {
        downgrade.push({ kind: 'alterColumn', ...where, existing: before, change: { kind: 'serverDefault', serverDefault: oldDefault } });
      }
      const at = { table: q, column: target.name, location: target.location };
      const findings: DraftFinding[] = [];
      if (forward.kind === 'narrow') {
        findings.push(risk('narrow-type', { ...at, message: `${name} narrows from ${from} to ${to}: existing values may be rejected, truncated or rounded.` }));
      } else if (forward.kind === 'rewrite') {
        findings.push(risk('change-type-rewrite', { ...at, message: `${name} from ${from} to ${to} rewrites the table and its indexes under ACCESS EXCLUSIVE.` }));
      } else {
        findings.push(risk('change-type-cheap', { ...at, message: `${name} from ${from} to ${to} is catalog-only: no rewrite.` }));
      }
      if (forward.using) {
        findings.push(risk('cast-needed', { ...at, message: `${name} from ${from} to ${to} needs USING ${forward.using}, which fails on rows that do not convert.` }));
      }
      this.emit(Phase.Columns, { summary: `change the type of ${name} to ${to}`, table: q, upgrade, downgrade }, findings);
    }

    if (!sameDefault(cur.serverDefault, target.serverDefault) && !this.defaultsSetByRebuild.has(`${q}.${target.name}`)) {
      const { op } = step({ kind: 'serverDefault', serverDefault: target.serverDefault });
      const reverse: Operation = { kind: 'alterColumn', ...where, existing: cur, change: { kind: 'serverDefault', serverDefault: op.kind === 'alterColumn' ? op.existing.serverDefault : null } };
      this.emit(
        Phase.Columns,
        { summary: `change the server default of ${name}`, table: q, upgrade: [op], downgrade: [reverse] },
        // Dropping the old default only to convert the type is part of the type change.
        old.serverDefault === target.serverDefault
          ? []
          : [
              risk('change-server-default', {
                table: q,
                column: target.name,
                location: target.location,
                message: `${target.serverDefault === null ? 'Dropping' : 'Setting'} the default of ${name} is catalog-only and affects new rows only.`,
              }),
            ],
      );
    }

    if (cur.nullable && !target.nullable) {
      const fill = target.serverDefault ?? target.default?.sql ?? null;
      const upgrade: Operation[] = [];
      if (fill !== null) {
        upgrade.push({ kind: 'backfill', ...where, column: target.name, value: fill, why: `rows where ${target.name} is NULL get ${fill} before NOT NULL` });
      }
      upgrade.push(step({ kind: 'nullable', nullable: false }).op);
      this.emit(
        Phase.Columns,
        {
          summary: `make ${name} NOT NULL`,
          table: q,
          upgrade,
          downgrade: [{ kind: 'alterColumn', ...where, existing: cur, change: { kind: 'nullable', nullable: true } }],
        },
        [
          risk('set-not-null', {
            table: q,
            column: target.name,
            location: target.location,
            message:
              fill !== null
                ? `SET NOT NULL on ${name} scans every row under ACCESS EXCLUSIVE (NULLs are first set to ${fill}).`
                : `SET NOT NULL on ${name} scans every row under ACCESS EXCLUSIVE and fails if any row holds NULL (the model has no default to fill them with).`,
          }),
        ],
      );
    } else if (!cur.nullable && target.nullable) {
      const before = cur;
      const { op } = step({ kind: 'nullable', nullable: true });
      const fill = before.serverDefault ?? old.default?.sql ?? null;
      const downgrade: Operation[] = [];
      if (fill !== null) {
        downgrade.push({ kind: 'backfill', ...where, column: target.name, value: fill, why: `rows where ${target.name} became NULL get ${fill} before NOT NULL` });
      }
      downgrade.push({ kind: 'alterColumn', ...where, existing: cur, change: { kind: 'nullable', nullable: false } });
      this.emit(Phase.Columns, { summary: `make ${name} nullable`, table: q, upgrade: [op], downgrade }, [
        risk('drop-not-null', {
          table: q,
          column: target.name,
          location: target.location,
          message:
            fill !== null
              ? `DROP NOT NULL on ${name} is catalog-only; the downgrade fills NULLs with ${fill}.`
              : `DROP NOT NULL on ${name} is catalog-only; the downgrade fails once NULLs exist, as there is no default to fill them with.`,
        }),
      ]);
    }

    const numbering = { from: numberingOf(old), to: numberingOf(target) };
    if (JSON.stringify(numbering.from) !== JSON.stringify(numbering.to)) {
      const change = { ...where, column: target.name, type: target.type };
      this.emit(Phase.Columns, {
        summary: `change how ${name} numbers new rows`,
        table: q,
        upgrade: [{ kind: 'changeNumbering', ...change, ...numbering, why: `${name} becomes ${numberingText(numbering.to)}, continuing after the existing values` }],
        downgrade: [{ kind: 'changeNumbering', ...change, from: numbering.to, to: numbering.from, why: `${name} is ${numberingText(numbering.from)} again` }],
      });
    }

    if ((cur.comment ?? null) !== (target.comment ?? null)) {
      const before = cur;
      const { op } = step({ kind: 'comment', comment: target.comment });
      this.emit(Phase.Columns, {
        summary: `change the comment of ${name}`,
        table: q,
        upgrade: [op],
        downgrade: [{ kind: 'alterColumn', ...where, existing: cur, change: { kind: 'comment', comment: before.comment } }],
      });
    }
  }

  /**
   * A generated column's expression cannot be altered in place before PostgreSQL 17: the
   * column is dropped and added again, its values recomputed; indexes and constraints on it
   * go with it and are re-created (see `touchesRecreated`). A generated column that becomes
   * plain keeps its values (DROP EXPRESSION); a plain one that becomes generated loses them.
   */
  private planComputedChange(t: Table, old: Column, target: Column): void {
    const q = qualifiedName(t);
    const where = { schema: t.schema, table: t.name };
    const name = `${t.name}.${target.name}`;
    const recreate = (from: Column, to: Column, why: string): Operation[] => {
      // A plain column comes back empty: a NOT NULL one needs a value for the rows there are.
      const [add, ...rest] = to.computed ? [{ kind: 'addColumn', ...where, column: to } as Operation] : this.readdColumn(t, to);
      return [{ kind: 'dropColumn', ...where, column: from, why }, { ...add!, why }, ...rest];
    };
    // Dropping and adding a column drops what depends on it, in the upgrade or the downgrade.
    this.recreatedColumns.add(`${q}.${target.name}`);
    if (old.computed && !target.computed) {
      const keeps = { ...old, computed: null };
      this.emit(Phase.Columns, {
        summary: `make ${name} a plain column`,
        table: q,
        upgrade: [{ kind: 'dropExpression', ...where, column: target.name, why: `${name} keeps its current values as plain data` }],
        downgrade: recreate(keeps, old, `restore the generated expression of ${name}`),
      });
      this.planColumnChanges(t, keeps, target);
      return;
    }
    const findings: DraftFinding[] = [
      risk('add-column-volatile-default', {
        table: q,
        column: target.name,
        location: target.location,
        message: `${name} is dropped and added again as a stored generated column: PostgreSQL rewrites the whole table under ACCESS EXCLUSIVE.`,
      }),
    ];
    if (!old.computed) {
      findings.push(
        risk('drop-column', { table: q, column: target.name, location: target.location, message: `${name} becomes a generated column: its current values are dropped and recomputed.` }),
      );
    }
    this.emit(
      Phase.Columns,
      {
        summary: `change the generated expression of ${name}`,
        table: q,
        upgrade: recreate(old, target, `a generated expression cannot be altered in place: re-create ${name}`),
        downgrade: recreate(target, old, `restore the previous definition of ${name}`),
      },
      findings,
    );
  }

  /** Whether an index or constraint of a pair involves a column that is dropped and re-added. */
  private touchesRecreated(pair: TablePair, columns: string[], expressions: string[]): boolean {
    const q = qualifiedName(pair.head);
    const recreated = pair.head.columns.filter((c) => this.recreatedColumns.has(`${q}.${c.name}`)).map((c) => c.name);
    const mentioned = new Set(expressions.flatMap(identifiersIn));
    return recreated.some((c) => columns.includes(c) || mentioned.has(c));
  }

  // ---- constraints and indexes ----------------------------------------------------------

  private mapColumns(pair: TablePair, columns: string[]): string[] {
    return columns.map((c) => this.headColumnName(pair, c));
  }

  private planPrimaryKey(pair: TablePair): void {
    const { base: b, head: h } = pair;
    const old: PrimaryKey | null = b.primaryKey ? { ...b.primaryKey, columns: this.mapColumns(pair, b.primaryKey.columns) } : null;
    const now = h.primaryKey;
    this.diffConstraints(
      pair,
      old ? [{ kind: 'primaryKey', ...old }] : [],
      b.primaryKey ? [{ kind: 'primaryKey', ...b.primaryKey }] : [],
      now ? [{ kind: 'primaryKey', ...now }] : [],
      (c) => (c.kind === 'primaryKey' ? c.columns.join(',') : ''),
    );
  }

  private planUniqueConstraints(pair: TablePair): void {
    this.diffConstraints(
      pair,
      pair.base.uniqueConstraints.map((u): ConstraintDef => ({ kind: 'unique', ...u, columns: this.mapColumns(pair, u.columns) })),
      pair.base.uniqueConstraints.map((u): ConstraintDef => ({ kind: 'unique', ...u })),
      pair.head.uniqueConstraints.map((u): ConstraintDef => ({ kind: 'unique', ...u })),
      (c) => (c.kind === 'unique' ? `${c.columns.join(',')}${c.nullsNotDistinct ? '|nulls not distinct' : ''}|${c.deferrable ?? ''}` : ''),
    );
  }

  private planCheckConstraints(pair: TablePair): void {
    this.diffConstraints(
      pair,
      pair.base.checkConstraints.map((c): ConstraintDef => ({ kind: 'check', ...c, expression: renameColumnsIn(c.expression, pair.columnRenames) })),
      pair.base.checkConstraints.map((c): ConstraintDef => ({ kind: 'check', ...c })),
      pair.head.checkConstraints.map((c): ConstraintDef => ({ kind: 'check', ...c })),
      (c) => (c.kind === 'check' ? normalizeCheck(c.expression) : ''),
    );
  }

  private planForeignKeys(pair: TablePair): void {
    const old = pair.base.foreignKeys.map((fk): ConstraintDef => {
      const target = this.pairByBase.get(qualifiedName({ schema: fk.referredSchema, name: fk.referredTable }));
      return {
        kind: 'foreignKey',
        ...fk,
        columns: this.mapColumns(pair, fk.columns),
        referredSchema: target ? target.head.schema : fk.referredSchema,
        referredTable: target ? target.head.name : fk.referredTable,
        referredColumns: target ? this.mapColumns(target, fk.referredColumns) : fk.referredColumns,
      };
    });
    this.diffConstraints(
      pair,
      old,
      pair.base.foreignKeys.map((fk): ConstraintDef => ({ kind: 'foreignKey', ...fk })),
      pair.head.foreignKeys.map((fk): ConstraintDef => ({ kind: 'foreignKey', ...fk })),
      (c) => (c.kind === 'foreignKey' ? `${fkTarget(c)}|${fkActions(c)}` : ''),
    );
  }

  /**
   * Same name and definition: nothing. Same definition, other name: rename. Otherwise the
   * old one is dropped (before renames, under its old table name) and the new one added.
   * `old` is in head names for comparing; `originals` (same order) in base names, as the
   * downgrade re-adds a dropped constraint once the renames are undone.
   */
  private diffConstraints(
    pair: TablePair,
    old: ConstraintDef[],
    originals: ConstraintDef[],
    now: ConstraintDef[],
    key: (c: ConstraintDef) => string,
  ): void {
    const originalOf = (c: ConstraintDef) => originals[old.indexOf(c)]!;
    const { base: b, head: h } = pair;
    const q = qualifiedName(h);
    const { matches, dropped } = matchByName(old, now, key);
    const added: ConstraintDef[] = [];
    const changed: [ConstraintDef, ConstraintDef][] = [];
    for (const { item: n, same, renamed } of matches) {
      if (same) {
        if (key(same) !== key(n) || this.touchesRecreated(pair, constraintColumns(same), same.kind === 'check' ? [same.expression] : [])) {
          changed.push([same, n]);
        }
        continue;
      }
      if (renamed) {
        this.emit(Phase.Renames, {
          summary: `rename constraint ${renamed.name} to ${n.name}`,
          table: q,
          upgrade: [{ kind: 'renameConstraint', schema: h.schema, table: h.name, from: renamed.name, to: n.name, why: 'keep the name the models give it' }],
          downgrade: [{ kind: 'renameConstraint', schema: h.schema, table: h.name, from: n.name, to: renamed.name }],
        });
        continue;
      }
      added.push(n);
    }

    for (const o of [...changed.map(([c]) => c), ...dropped]) {
      if (o.kind === 'primaryKey' || o.kind === 'unique') this.droppedKeys.push({ table: b, columns: o.columns });
    }
    for (const [o, n] of changed) {
      const actionOnly = o.kind === 'foreignKey' && n.kind === 'foreignKey' && fkTarget(o) === fkTarget(n);
      this.emitDropConstraint(b, originalOf(o));
      this.emitAddConstraint(h, n, actionOnly ? 'change-fk-action' : undefined, o);
    }
    for (const o of dropped) this.emitDropConstraint(b, originalOf(o));
    for (const n of added) this.emitAddConstraint(h, n);
  }

  /**
   * PostgreSQL refuses to drop a primary key or unique constraint a foreign key depends on:
   * such a key (unchanged itself) is dropped first and added again once the new key exists.
   */
  private bounceForeignKeysOnChangedKeys(): void {
    for (const p of this.pairs) {
      for (const fk of p.base.foreignKeys) {
        const target = qualifiedName({ schema: fk.referredSchema, name: fk.referredTable });
        const targetPair = this.pairByBase.get(target);
        if (!targetPair) continue;
        const referred = [...this.mapColumns(targetPair, fk.referredColumns)].sort().join(',');
        const changes = this.droppedKeys.some((k) => qualifiedName(k.table) === target && [...k.columns].sort().join(',') === referred);
        const kept = p.head.foreignKeys.find((x) => x.name === fk.name);
        const droppedAnyway = this.phases[Phase.DropDependents]!.some((d) =>
          d.op.upgrade.some((o) => o.kind === 'dropConstraint' && o.constraint.name === fk.name && o.table === p.base.name && o.schema === p.base.schema),
        );
        if (!changes || !kept || droppedAnyway) continue;
        const old: ConstraintDef = { kind: 'foreignKey', ...fk };
        const now: ConstraintDef = { kind: 'foreignKey', ...kept };
        const why = `foreign key ${fk.name} depends on the key of ${targetPair.head.name} that changes`;
        this.phases[Phase.DropDependents]!.unshift({
          op: {
            summary: `drop foreign key ${fk.name} from ${p.base.name} while the key it references changes`,
            table: qualifiedName(p.head),
            upgrade: [{ kind: 'dropConstraint', schema: p.base.schema, table: p.base.name, constraint: old, why }],
            downgrade: [{ kind: 'addConstraint', schema: p.base.schema, table: p.base.name, constraint: old, why }],
          },
          findings: [],
        });
        this.emitAddConstraint(p.head, now);
      }
    }
  }

  /**
   * A check or an index predicate comparing an enum column with a literal holds that literal
   * as a value of the old type, and blocks the column's conversion (no operator between the
   * two types). Those that survive the migration unchanged are dropped around each rebuild
   * and re-created after it; the diff handles the others.
   */
  /**
   * An index whose operator class comes from an extension (`gin_trgm_ops`: pg_trgm) fails
   * without it, so the revision creates it first when missing. The downgrade leaves it: the
   * upgrade cannot tell whether it created it, and other objects may use it.
   */
  private requireExtensions(): void {
    const needs = new Map<string, string[]>();
    for (const draft of this.phases.flat()) {
      for (const op of draft.op.upgrade) {
        if (op.kind !== 'createIndex') continue;
        for (const opclass of Object.values(op.index.operatorClasses)) {
          const extension = operatorClassExtension(op.index.using, opclass);
          if (extension) needs.set(extension, [...(needs.get(extension) ?? []), `${opclass} (${op.index.name})`]);
        }
      }
    }
    const drafts = [...needs].map(([extension, uses]): Draft => ({
      op: {
        summary: `require extension ${extension}`,
        table: null,
        upgrade: [{ kind: 'createExtension', name: extension, why: `${extension} provides ${[...new Set(uses)].join(', ')}; the downgrade leaves it installed` }],
        downgrade: [],
      },
      findings: [],
    }));
    this.phases[Phase.EnumTypes]!.unshift(...drafts);
  }

  private wrapRebuildDependents(): void {
    const recreatedLater = (t: Table, name: string) =>
      [Phase.AddDependents, Phase.ForeignKeys].some((phase) =>
        this.phases[phase]!.some((d) =>
          d.op.upgrade.some(
            (o) =>
              (o.kind === 'addConstraint' && o.table === t.name && o.constraint.name === name) ||
              (o.kind === 'createIndex' && o.table === t.name && o.index.name === name),
          ),
        ),
      );
    const around = (ops: Operation[]): Operation[] =>
      ops.flatMap((op) => {
        if (op.kind !== 'rebuildEnum') return [op];
        const before: Operation[] = [];
        const after: Operation[] = [];
        const why = `it compares ${op.enum.name} values and would block the conversion: drop it around the rebuild`;
        for (const { head: h } of this.pairs) {
          const columns = op.columns.filter((u) => u.schema === h.schema && u.table === h.name).map((u) => u.column);
          const mentions = (expressions: string[]) => expressions.flatMap(identifiersIn).some((id) => columns.includes(id));
          if (!columns.length) continue;
          const where = { schema: h.schema, table: h.name };
          for (const c of h.checkConstraints) {
            if (!mentions([c.expression]) || recreatedLater(h, c.name)) continue;
            const constraint: ConstraintDef = { kind: 'check', ...c };
            before.push({ kind: 'dropConstraint', ...where, constraint, why });
            after.push({ kind: 'addConstraint', ...where, constraint });
          }
          for (const index of h.indexes) {
            const expressions = [...index.elements.flatMap((e) => ('expression' in e ? [e.expression] : [])), ...(index.where === null ? [] : [index.where])];
            if (!mentions(expressions) || recreatedLater(h, index.name)) continue;
            before.push({ kind: 'dropIndex', ...where, index, concurrently: false, why });
            after.push({ kind: 'createIndex', ...where, index, concurrently: false });
          }
        }
        return [...before, op, ...after];
      });
    for (const draft of this.phases[Phase.EnumRebuilds]!) {
      draft.op.upgrade = around(draft.op.upgrade);
      draft.op.downgrade = around(draft.op.downgrade);
    }
  }

  private emitDropConstraint(t: Table, c: ConstraintDef): void {
    const where = { schema: t.schema, table: t.name };
    this.emit(Phase.DropDependents, {
      summary: `drop ${CONSTRAINT_WORD[c.kind]} ${c.name} from ${t.name}`,
      table: qualifiedName(t),
      upgrade: [{ kind: 'dropConstraint', ...where, constraint: c }],
      downgrade: [{ kind: 'addConstraint', ...where, constraint: c }],
    });
  }

  private emitAddConstraint(t: Table, c: ConstraintDef, rule?: 'change-fk-action', old?: ConstraintDef): void {
    const where = { schema: t.schema, table: t.name };
    const q = qualifiedName(t);
    const at = { table: q, column: 'columns' in c && c.columns.length === 1 ? c.columns[0]! : null, location: c.location ?? t.location };
    const findings: DraftFinding[] = [];
    if (rule === 'change-fk-action' && c.kind === 'foreignKey' && old?.kind === 'foreignKey') {
      findings.push(
        risk('change-fk-action', {
          ...at,
          message: `Foreign key ${c.name} changes from ${fkActionsText(old)} to ${fkActionsText(c)}: it is dropped and re-added, checking every row under SHARE ROW EXCLUSIVE on ${t.name} and ${c.referredTable}. ${onDeleteEffect(c, t.name)}`,
        }),
      );
    } else if (c.kind === 'foreignKey') {
      findings.push(risk('add-foreign-key', { ...at, message: `Adding foreign key ${c.name} checks every row of ${t.name} under SHARE ROW EXCLUSIVE on ${t.name} and ${c.referredTable}.` }));
    } else if (c.kind === 'check') {
      findings.push(risk('add-check', { ...at, message: `Adding check ${c.name} scans every row of ${t.name} under ACCESS EXCLUSIVE.` }));
    } else if (c.kind === 'unique') {
      findings.push(risk('add-unique-constraint', { ...at, message: `Adding unique constraint ${c.name} builds an index under ACCESS EXCLUSIVE on ${t.name}, so reads wait as well as writes, and fails on duplicates.` }));
    } else {
      findings.push(risk('add-primary-key', { ...at, message: `Adding primary key ${c.name} builds an index and checks NOT NULL on every row of ${t.name} under ACCESS EXCLUSIVE.` }));
    }
    this.emit(
      c.kind === 'foreignKey' ? Phase.ForeignKeys : Phase.AddDependents,
      {
        summary: `${rule ? 'change' : 'add'} ${CONSTRAINT_WORD[c.kind]} ${c.name} ${rule ? 'on' : 'to'} ${t.name}`,
        table: q,
        upgrade: [{ kind: 'addConstraint', ...where, constraint: c }],
        downgrade: [{ kind: 'dropConstraint', ...where, constraint: c }],
      },
      findings,
    );
  }

  private planIndexes(pair: TablePair): void {
    const { base: b, head: h } = pair;
    const q = qualifiedName(h);
    const old = b.indexes.map((i): Index => ({
      ...i,
      elements: i.elements.map((e) =>
        'column' in e ? { column: this.headColumnName(pair, e.column) } : { expression: renameColumnsIn(e.expression, pair.columnRenames) },
      ),
      where: i.where === null ? null : renameColumnsIn(i.where, pair.columnRenames),
      include: this.mapColumns(pair, i.include),
      operatorClasses: Object.fromEntries(Object.entries(i.operatorClasses).map(([c, opclass]) => [this.headColumnName(pair, c), opclass])),
    }));
    const concurrently = this.options.concurrentIndexes ?? false;
    const { matches, dropped } = matchByName(old, h.indexes, indexKey);
    const toDrop: Index[] = [];
    const toCreate: Index[] = [];
    for (const { item: n, same, renamed } of matches) {
      if (same) {
        const expressions = [...same.elements.flatMap((e) => ('expression' in e ? [e.expression] : [])), ...(same.where === null ? [] : [same.where])];
        const columns = [...same.elements.flatMap((e) => ('column' in e ? [e.column] : [])), ...same.include];
        if (indexKey(same) !== indexKey(n) || this.touchesRecreated(pair, columns, expressions)) {
          toDrop.push(same);
          toCreate.push(n);
        }
        continue;
      }
      if (renamed) {
        this.emit(Phase.Renames, {
          summary: `rename index ${renamed.name} to ${n.name}`,
          table: q,
          upgrade: [{ kind: 'renameIndex', schema: h.schema, table: h.name, from: renamed.name, to: n.name, why: 'keep the name the models give it' }],
          downgrade: [{ kind: 'renameIndex', schema: h.schema, table: h.name, from: n.name, to: renamed.name }],
        });
        continue;
      }
      toCreate.push(n);
    }
    toDrop.push(...dropped);

    // A plain unique index can hold up a foreign key too (see bounceForeignKeysOnChangedKeys).
    for (const o of toDrop) {
      const columns = o.elements.flatMap((e) => ('column' in e ? [e.column] : []));
      if (o.unique && o.where === null && columns.length === o.elements.length) this.droppedKeys.push({ table: b, columns });
    }
    // Dropped before the renames: under the base names, and re-created with them on downgrade.
    for (const i of toDrop.map((o) => b.indexes[old.indexOf(o)]!)) {
      const where = { schema: b.schema, table: b.name };
      this.emit(
        Phase.DropDependents,
        {
          summary: `drop index ${i.name}`,
          table: qualifiedName(b),
          upgrade: [{ kind: 'dropIndex', ...where, index: i, concurrently }],
          downgrade: [{ kind: 'createIndex', ...where, index: i, concurrently }],
        },
        concurrently
          ? []
          : [risk('drop-index', { table: qualifiedName(b), location: i.location ?? b.location, message: `DROP INDEX ${i.name} takes ACCESS EXCLUSIVE on ${b.name} briefly.` })],
      );
    }
    for (const i of toCreate) {
      const where = { schema: h.schema, table: h.name };
      this.emit(
        Phase.AddDependents,
        {
          summary: `create index ${i.name} on ${h.name}`,
          table: q,
          upgrade: [{ kind: 'createIndex', ...where, index: i, concurrently }],
          downgrade: [{ kind: 'dropIndex', ...where, index: i, concurrently }],
        },
        concurrently
          ? []
          : [risk('create-index', { table: q, location: i.location ?? h.location, message: `CREATE INDEX ${i.name} blocks writes to ${h.name} (SHARE lock) for the whole build.` })],
      );
    }
  }
}

const CONSTRAINT_WORD: Record<ConstraintDef['kind'], string> = {
  primaryKey: 'primary key',
  unique: 'unique constraint',
  foreignKey: 'foreign key',
  check: 'check constraint',
};

function unusableRename(r: RenameRequest, why: string): InputError {
  return new InputError(`--rename ${formatRename(r)}: ${why}`);
}

function tableIs(t: Table, name: string): boolean {
  return t.name === name || qualifiedName(t) === name;
}
