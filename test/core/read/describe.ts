import { formatType } from '../../../src/core/schema/format.js';
import type { Column, Diagnostic, Schema, Table } from '../../../src/core/schema/model.js';

/** One line per column: `name type NULL|NOT NULL [serial] [default X] [identity] [computed]`. */
export function describeColumn(c: Column): string {
  return [
    c.name,
    formatType(c.type),
    c.nullable ? 'NULL' : 'NOT NULL',
    c.serial ? 'serial' : '',
    c.serverDefault !== null ? `DEFAULT ${c.serverDefault}` : '',
    c.identity ? `IDENTITY(${c.identity.always ? 'always' : 'by default'}${c.identity.start !== null ? ` start ${c.identity.start}` : ''})` : '',
    c.computed ? `COMPUTED(${c.computed.expression})` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** A table as short lines a test can spell out exactly: columns in order, then keys, indexes, checks. */
export function describeTable(t: Table): string[] {
  const lines = t.columns.map(describeColumn);
  if (t.primaryKey) lines.push(`PK ${t.primaryKey.name} (${t.primaryKey.columns.join(', ')})`);
  for (const f of t.foreignKeys) {
    const target = `${f.referredSchema ? `${f.referredSchema}.` : ''}${f.referredTable}(${f.referredColumns.join(', ')})`;
    const actions = [f.onDelete && `ON DELETE ${f.onDelete}`, f.onUpdate && `ON UPDATE ${f.onUpdate}`].filter(Boolean);
    lines.push(`FK ${f.name} (${f.columns.join(', ')}) -> ${target}${actions.length ? ` ${actions.join(' ')}` : ''}`);
  }
  for (const u of t.uniqueConstraints) lines.push(`UQ ${u.name} (${u.columns.join(', ')})${u.nullsNotDistinct ? ' NULLS NOT DISTINCT' : ''}`);
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
    lines.push(`${i.unique ? 'UNIQUE INDEX' : 'INDEX'} ${i.name} (${elements})${extra.length ? ` ${extra.join(' ')}` : ''}`);
  }
  for (const c of t.checkConstraints) lines.push(`CHECK ${c.name} (${c.expression})`);
  return lines;
}

export function describeSchema(schema: Schema): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of schema.tables) out[t.schema ? `${t.schema}.${t.name}` : t.name] = describeTable(t);
  for (const e of schema.enums) out[`enum ${e.name}`] = e.labels;
  return out;
}

export function describeDiagnostics(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.severity} ${d.code} ${d.location ? `${d.location.file}:${d.location.line}` : '-'}`);
}
