/**
 * Child process for database.test.ts: opens an ephemeral database on the server given as
 * argv[2] (or an embedded one for "embedded"), prints its name, then waits to be signalled.
 */
import { openEphemeralDatabase } from '../../../src/core/verify/database.js';

const target = process.argv[2];
const db = await openEphemeralDatabase({ databaseUrl: target === 'embedded' ? null : target });
process.stdout.write(`${JSON.stringify({ name: db.name, url: db.url })}\n`);
setInterval(() => undefined, 1000);
