import { describe, expect, it } from 'vitest';
import { normalizeCheck, normalizeDefault } from '../../../src/core/schema/sql-expr.js';

/** Pairs of (model spelling, what pg_get_expr prints) that must compare equal. */
const SAME_DEFAULT: [string, string][] = [
  ["'active'", "'active'::character varying"],
  ["'active'", "'active'::status"],
  ["'x'", "'x'::text"],
  ['0', '0'],
  ["'0'", '0'],
  ["'0'", "'0'::character varying"],
  ['-1', "'-1'::integer"],
  ["'-1'", "'-1'::integer"],
  ['1.50', '1.50'],
  ['false', 'false'],
  ["'false'", 'false'],
  ['FALSE', 'false'],
  ['now()', 'now()'],
  ['CURRENT_TIMESTAMP', 'now()'],
  ['current_timestamp', 'CURRENT_TIMESTAMP'],
  ['func.now', 'func.now'],
  ["'{}'", "'{}'::jsonb"],
  ["'{}'", "'{}'::integer[]"],
  ["now() + interval '1 day'", "(now() + '1 day'::interval)"],
  ['gen_random_uuid()', 'gen_random_uuid()'],
  ["timezone('utc', now())", "timezone('utc'::text, now())"],
  ["  'a  b'  ", "'a  b'::character varying(20)"],
  ["'2020-01-01 00:00:00'", "'2020-01-01 00:00:00'::timestamp without time zone"],
  ["'it''s'", "'it''s'::text"],
  ['CURRENT_DATE', 'CURRENT_DATE'],
  ["(now() at time zone 'utc')", "timezone('utc'::text, now())"],
  ["now() AT TIME ZONE 'utc'", "(now() AT TIME ZONE 'utc'::text)"],
  ["timezone('utc', CURRENT_TIMESTAMP)", "(now() AT TIME ZONE 'utc'::text)"],
];

const DIFFERENT_DEFAULT: [string, string][] = [
  ["'active'", "'inactive'::character varying"],
  ['0', '1'],
  ['true', 'false'],
  ['now()', 'CURRENT_DATE'],
  ["now() AT TIME ZONE 'utc'", "now() AT TIME ZONE 'UTC'"],
  ["'a  b'", "'a b'"],
  ["'A'", "'a'"],
];

/** Pairs of (model spelling, what pg_get_constraintdef / pg_get_expr prints). */
const SAME_CHECK: [string, string][] = [
  ['price > 0', '(price > (0)::numeric)'],
  ['price > 0 AND qty >= 1', '((price > (0)::numeric) AND (qty >= 1))'],
  ['a > 0 AND b > 0 AND c > 0', '((a > 0) AND (b > 0) AND (c > 0))'],
  ["status IN ('a', 'b')", "((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))"],
  ["status NOT IN ('a', 'b')", "((status)::text <> ALL ((ARRAY['a'::character varying, 'b'::character varying])::text[]))"],
  ['x BETWEEN 1 AND 5', '((x >= 1) AND (x <= 5))'],
  ['x NOT BETWEEN 1 AND 5', '((x < 1) OR (x > 5))'],
  ["name LIKE 'a%'", "((name)::text ~~ 'a%'::text)"],
  ["name ILIKE 'a%'", "((name)::text ~~* 'a%'::text)"],
  ['length(name) > 0', '(length((name)::text) > 0)'],
  ['char_length(name) <= 100', '(char_length((name)::text) <= 100)'],
  ['deleted_at IS NULL', '(deleted_at IS NULL)'],
  ['NOT is_archived', '(NOT is_archived)'],
  ['ends_at > starts_at', '(ends_at > starts_at)'],
  ['x != 1', '(x <> 1)'],
  ['x > -1', "(x > '-1'::integer)"],
  ['lower(email)', 'lower((email)::text)'],
  ['"Status" = \'a\'', '("Status" = \'a\'::text)'],
  ['"status" = \'a\'', "(status = 'a'::text)"],
  ['a = 1 OR b = 2 AND c = 3', '((a = 1) OR ((b = 2) AND (c = 3)))'],
  ['(a + b) * c > 0', '(((a + b) * c) > 0)'],
  ['a IS NOT NULL OR b IS NOT NULL', '((a IS NOT NULL) OR (b IS NOT NULL))'],
  ['CAST(x AS integer) > 0', '((x)::integer > 0)'],
  ['CASE WHEN a THEN 1 ELSE 0 END = 1', '(CASE WHEN a THEN 1 ELSE 0 END = 1)'],
  ['coalesce(a, 0) > 0', '(COALESCE(a, 0) > 0)'],
  ['expires_at desc', 'expires_at DESC'],
  ['expires_at DESC NULLS FIRST', 'expires_at DESC'],
  ['expires_at ASC', 'expires_at'],
  ['lower(name) asc nulls last', 'lower((name)::text)'],
  ['a nulls first', 'a NULLS FIRST'],
];

const DIFFERENT_CHECK: [string, string][] = [
  ['(a + b) * c > 0', 'a + b * c > 0'],
  ['a = 1 OR b = 2 AND c = 3', '(a = 1 OR b = 2) AND c = 3'],
  ['price > 0', 'price >= 0'],
  ["status IN ('a', 'b')", "status IN ('a', 'c')"],
  ["status IN ('a', 'b')", "status NOT IN ('a', 'b')"],
  ['a - (b - c) > 0', 'a - b - c > 0'],
  ['"Status" = 1', 'status = 1'],
  ['expires_at DESC', 'expires_at'],
  ['expires_at DESC', 'expires_at DESC NULLS LAST'],
];

describe('normalizeDefault', () => {
  it('keeps null', () => {
    expect(normalizeDefault(null)).toBeNull();
  });

  it.each(SAME_DEFAULT)('%s ≡ %s', (model, pg) => {
    expect(normalizeDefault(model)).toBe(normalizeDefault(pg));
  });

  it.each(DIFFERENT_DEFAULT)('%s ≢ %s', (a, b) => {
    expect(normalizeDefault(a)).not.toBe(normalizeDefault(b));
  });

  it('prints a readable canonical form', () => {
    expect(normalizeDefault("'active'::character varying")).toBe("'active'");
    expect(normalizeDefault("'-1'::integer")).toBe('-1');
    expect(normalizeDefault('CURRENT_TIMESTAMP')).toBe('now()');
  });
});

describe('normalizeCheck', () => {
  it.each(SAME_CHECK)('%s ≡ %s', (model, pg) => {
    expect(normalizeCheck(model)).toBe(normalizeCheck(pg));
  });

  it.each(DIFFERENT_CHECK)('%s ≢ %s', (a, b) => {
    expect(normalizeCheck(a)).not.toBe(normalizeCheck(b));
  });

  it('prints with the fewest parentheses', () => {
    expect(normalizeCheck('((price > (0)::numeric) AND (qty >= 1))')).toBe('price > 0 AND qty >= 1');
    expect(normalizeCheck("((status)::text = ANY ((ARRAY['a'::character varying])::text[]))")).toBe("status IN ('a')");
    expect(normalizeCheck('(((a + b) * c) > 0)')).toBe('(a + b) * c > 0');
  });

  it('falls back to a whitespace and cast normal form for text it cannot parse', () => {
    expect(normalizeCheck('(x  @@  to_tsquery(\'a\'::text) WITH y)')).toBe(normalizeCheck("(x @@ to_tsquery('a') WITH y)"));
  });
});
