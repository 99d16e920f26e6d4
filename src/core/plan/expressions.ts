/** Small lexical work on SQL expressions written in models (checks, index expressions, predicates). */
import { quoteIdent } from './sql-quote.js';

/**
 * A base SQL expression with renamed columns spelled by their new names (string literals
 * left alone), as PostgreSQL itself rewrites it on RENAME COLUMN: so a check or an index
 * over a renamed column is not taken for a changed one.
 */
export function renameColumnsIn(expression: string, renames: Map<string, string>): string {
  if (!renames.size) return expression;
  return expression.replace(SQL_TOKEN, (token) => {
    const name = identifierOf(token);
    const renamed = name === null ? undefined : renames.get(name);
    return renamed === undefined ? token : quoteIdent(renamed);
  });
}

/** String literals, quoted identifiers and bare words of an SQL expression. */
const SQL_TOKEN = /'(?:[^']|'')*'|"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*/g;

/** The identifier a token names, or null for a string literal. */
function identifierOf(token: string): string | null {
  if (token.startsWith("'")) return null;
  return token.startsWith('"') ? token.slice(1, -1).replaceAll('""', '"') : token;
}

export function identifiersIn(expression: string): string[] {
  return (expression.match(SQL_TOKEN) ?? []).map(identifierOf).filter((x) => x !== null);
}
