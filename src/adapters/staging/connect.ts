import pg from 'pg';
import type { StagingUrl } from './env-file.js';
import { scrub } from './env-file.js';

/** Timeouts of every staging session: a check must never queue behind, or hold up, real traffic. */
export interface SessionLimits {
  statementTimeout: string;
  lockTimeout: string;
}

export const READ_ONLY_LIMITS: SessionLimits = { statementTimeout: '10s', lockTimeout: '1s' };

/** A connection problem, said plainly and without the password. */
export class StagingConnectionError extends Error {
  override name = 'StagingConnectionError';
}

const CONNECT_TIMEOUT_MS = 5000;

/**
 * A session on staging. `readOnly` sets `default_transaction_read_only`, so even a bug of
 * ours cannot write; both kinds get `statement_timeout` and `lock_timeout` at connect time.
 */
export async function connectStaging(
  staging: StagingUrl,
  options: { readOnly: boolean; limits: SessionLimits },
): Promise<pg.Client> {
  const settings = [
    `statement_timeout=${options.limits.statementTimeout}`,
    `lock_timeout=${options.limits.lockTimeout}`,
    ...(options.readOnly ? ['default_transaction_read_only=on'] : []),
  ];
  const client = new pg.Client({
    connectionString: staging.url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'flow-migrate staging check',
    options: settings.map((s) => `-c ${s}`).join(' '),
  });
  // An idle connection dropping must become a rejected query, not an unhandled error event.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new StagingConnectionError(explain(err, staging));
  }
  return client;
}

function explain(err: unknown, staging: StagingUrl): string {
  const e = err as { code?: string; message?: string };
  const url = new URL(staging.url);
  const where = `${url.hostname}:${url.port || '5432'}`;
  const user = decodeURIComponent(url.username) || '(no user)';
  const database = decodeURIComponent(url.pathname.slice(1)) || user;
  const detail = scrub(e.message ?? String(err), staging.password);
  switch (e.code) {
    case '28P01':
      return `staging refused the password for user ${user} (${staging.display}); check PG_URL in .env.staging`;
    case '28000':
      return `staging does not let user ${user} connect to ${database}: ${detail}`;
    case '3D000':
      return `staging has no database ${database} (${staging.display})`;
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return `cannot reach staging at ${where} (${e.code}): is the server up and reachable from here (VPN, tunnel)?`;
    default:
      if (/timeout/i.test(detail)) return `cannot reach staging at ${where}: no answer within ${CONNECT_TIMEOUT_MS / 1000}s`;
      return `cannot connect to staging (${staging.display}): ${detail}`;
  }
}
