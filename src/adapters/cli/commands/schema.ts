import { z } from 'zod';
import { readModels } from '../../../core/read/index.js';
import { formatDeferral, formatType } from '../../../core/schema/format.js';
import { qualifiedName, type Schema, type Table } from '../../../core/schema/model.js';
import { parseOptions, UsageError, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { displayLocation, type CliIO } from '../io.js';
import { formatDiagnostics } from '../plan-output.js';
import { modelsDir } from './diff.js';

const HELP = `Usage: flow-migrate schema DIR [--json]
       flow-migrate schema FILE.py [--json]   (models kept in one module)

Reads the SQLAlchemy models under DIR (statically: nothing is imported or run) and prints
the schema PostgreSQL would hold: tables, columns, keys, indexes, constraints and enum
types, each with the model line it comes from. What cannot be determined statically is
reported as a diagnostic with its file and line.

Options:
  --json   print {"schema": ..., "diagnostics": [...]} instead

Exit codes: 0 read, 2 bad input (a syntax error, or a table or column that cannot be read).
`;

const optionsSchema = z.object({ json: z.boolean().default(false) });

export const schemaCommand: Command = {
  name: 'schema',
  help: HELP,
  async run(args, io) {
    const { options, positionals } = parseOptions(args, { json: { type: 'boolean' } }, optionsSchema);
    if (positionals.length !== 1) throw new UsageError('expected one models directory');
    const { tree, dir } = modelsDir(positionals[0]!, io);
    const result = await readModels(dir, tree);
    const unreadable = result.diagnostics.some((d) => d.severity === 'error');
    if (options.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    else {
      io.stdout(formatSchema(result.schema, io));
      io.stderr(formatDiagnostics(result.diagnostics, io));
    }
    return unreadable ? ExitCode.badInput : ExitCode.ok;
  },
};

/** The schema as a person reads it: one block per table, then the enum types. */
export function formatSchema(schema: Schema, io: CliIO): string {
  const blocks = schema.tables.map((t) => formatTable(t, io));
  for (const e of schema.enums) blocks.push(`enum ${qualifiedName(e)}: ${e.labels.join(', ')}\n`);
  if (!blocks.length) return 'no tables\n';
  return blocks.join('\n');
}

function where(location: Table['location'], io: CliIO): string {
  if (!location) return '';
  const l = displayLocation(location, io);
  return `  (${l.file}:${l.line})`;
}

function formatTable(t: Table, io: CliIO): string {
  const lines = [`table ${qualifiedName(t)}${t.comment ? ` -- ${t.comment}` : ''}${where(t.location, io)}`];
  const rows = t.columns.map((c) => {
    const notes = [
      c.nullable ? 'NULL' : 'NOT NULL',
      c.serial ? 'serial' : '',
      c.serverDefault !== null ? `DEFAULT ${c.serverDefault}` : '',
      c.identity ? `GENERATED ${c.identity.always ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY` : '',
      c.computed ? `GENERATED ALWAYS AS (${c.computed.expression}) STORED` : '',
      c.default ? `default=${c.default.python}` : '',
      c.comment ? `-- ${c.comment}` : '',
    ].filter(Boolean);
    return [c.name, formatType(c.type), notes.join(' ')];
  });
  const w0 = Math.max(0, ...rows.map((r) => r[0]!.length));
  const w1 = Math.max(0, ...rows.map((r) => r[1]!.length));
  for (const [name, type, notes] of rows) lines.push(`  ${name!.padEnd(w0)}  ${type!.padEnd(w1)}  ${notes}`.trimEnd());
  if (t.primaryKey) lines.push(`  PRIMARY KEY ${t.primaryKey.name} (${t.primaryKey.columns.join(', ')})`);
  for (const fk of t.foreignKeys) {
    const actions = [fk.onDelete && `ON DELETE ${fk.onDelete}`, fk.onUpdate && `ON UPDATE ${fk.onUpdate}`, formatDeferral(fk.deferrable)].filter(Boolean);
    const target = qualifiedName({ schema: fk.referredSchema, name: fk.referredTable });
    lines.push(`  FOREIGN KEY ${fk.name} (${fk.columns.join(', ')}) -> ${target} (${fk.referredColumns.join(', ')})${actions.length ? ` ${actions.join(' ')}` : ''}`);
  }
  for (const u of t.uniqueConstraints) {
    lines.push(`  UNIQUE ${u.name} (${u.columns.join(', ')})${[u.nullsNotDistinct ? ' NULLS NOT DISTINCT' : '', u.deferrable ? ` ${formatDeferral(u.deferrable)}` : ''].join('')}`);
  }
  for (const i of t.indexes) {
    const elements = i.elements
      .map((e) => ('column' in e ? [e.column, i.operatorClasses[e.column]].filter(Boolean).join(' ') : e.expression))
      .join(', ');
    const extra = [
      i.using ? `USING ${i.using}` : '',
      i.include.length ? `INCLUDE (${i.include.join(', ')})` : '',
      i.nullsNotDistinct ? 'NULLS NOT DISTINCT' : '',
      i.where ? `WHERE ${i.where}` : '',
    ].filter(Boolean);
    lines.push(`  ${i.unique ? 'UNIQUE INDEX' : 'INDEX'} ${i.name} (${elements})${extra.length ? ` ${extra.join(' ')}` : ''}`);
  }
  for (const c of t.checkConstraints) lines.push(`  CHECK ${c.name} (${c.expression})`);
  if (Object.keys(t.info).length) lines.push(`  info ${JSON.stringify(t.info)}`);
  return `${lines.join('\n')}\n`;
}
