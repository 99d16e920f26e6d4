/**
 * SQLAlchemy is the specification: for every fixture package under test/fixtures/models,
 * real SQLAlchemy imports it and runs `create_all` on a fresh PostgreSQL database, and the
 * static reader's schema must match the live catalog table by table (columns in order, types,
 * nullability, defaults, keys, indexes, enums).
 *
 * A fixture is a folder with `fixture.json`: `{ "scan": <folder the reader scans>,
 * "pythonPath": <folder put on sys.path>, "module": <module importing every model> }`, paths
 * relative to the fixture folder, and optionally `"extensions"` to create first. Skips, saying
 * why, where Python with SQLAlchemy is absent.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystemTree } from '../../../src/adapters/fs/file-system-tree.js';
import { readModels, type ReadResult } from '../../../src/core/read/index.js';
import { qualifiedName, type Schema } from '../../../src/core/schema/model.js';
import { columnOrderNotes, compareSchemas, formatDifferences, type SchemaDifference } from '../../../src/core/verify/compare.js';
import { introspectSchema } from '../../../src/core/verify/introspect.js';
import { type EphemeralDatabase, freshDatabase, runSql } from '../../support/database.js';
import { detectPython } from '../../support/python.js';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures/models');
const CREATE_ALL = path.join(import.meta.dirname, '../../oracle/create_all.py');

interface Fixture {
  name: string;
  dir: string;
  scan: string;
  pythonPath: string;
  module: string;
  /** Extensions the models need (an operator class from pg_trgm), created before create_all. */
  extensions?: string[];
}

function fixtures(): Fixture[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(FIXTURES, e.name, 'fixture.json')))
    .map((e) => {
      const dir = path.join(FIXTURES, e.name);
      const spec = JSON.parse(readFileSync(path.join(dir, 'fixture.json'), 'utf8')) as Omit<Fixture, 'name' | 'dir'>;
      return { name: e.name, dir, ...spec };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

const python = detectPython();
const skipReason = python.ok ? null : `skipped: ${python.reason}`;
if (skipReason) console.warn(`SQLAlchemy oracle tests ${skipReason}`);

describe.skipIf(!python.ok)(`SQLAlchemy oracle${skipReason ? ` (${skipReason})` : ''}`, () => {
  const all = fixtures();

  it('has fixtures to check', () => {
    expect(all.map((f) => f.name).length).toBeGreaterThan(0);
  });

  for (const fixture of all) {
    describe(fixture.name, async () => {
      const read: ReadResult = await readModels(path.join(fixture.dir, fixture.scan), fileSystemTree());
      let db: EphemeralDatabase;
      let catalog: Schema;
      let differences: SchemaDifference[];

      beforeAll(async () => {
        if (!python.ok) return;
        db = await freshDatabase();
        for (const extension of fixture.extensions ?? []) await runSql(db.url, `CREATE EXTENSION IF NOT EXISTS ${extension}`);
        await promisify(execFile)(
          python.python,
          [CREATE_ALL, '--python-path', path.join(fixture.dir, fixture.pythonPath), '--module', fixture.module, '--url', db.url],
          { env: python.env, cwd: fixture.dir, timeout: 60_000 },
        );
        catalog = await introspectSchema(db.url);
        differences = compareSchemas(read.schema, catalog);
      });
      afterAll(() => db?.close());

      it('reads the package without errors', () => {
        const errors = read.diagnostics.filter((d) => d.severity === 'error');
        expect(errors.map((d) => `${d.location?.file}:${d.location?.line}: ${d.message}`)).toEqual([]);
      });

      it('finds the tables and enums SQLAlchemy creates', () => {
        expect(read.schema.tables.map(qualifiedName).sort()).toEqual(catalog.tables.map(qualifiedName).sort());
        expect(formatDifferences(differences.filter((d) => d.kind === 'enum'))).toBe('');
      });

      it('declares every column in the order SQLAlchemy creates them', () => {
        expect(columnOrderNotes(read.schema, catalog)).toEqual([]);
      });

      for (const table of read.schema.tables) {
        it(`table ${qualifiedName(table)} matches the catalog`, () => {
          const mine = differences.filter((d) => d.table === qualifiedName(table));
          expect(formatDifferences(mine)).toBe('');
        });
      }
    });
  }
});
