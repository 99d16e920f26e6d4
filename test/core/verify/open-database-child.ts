/**
 * Child process for database.test.ts: opens an ephemeral database on the server given as
 * argv[2] (or an embedded one for "embedded"), prints its name, then waits to be signalled.
 * With argv[3] "connected" it also holds a session on that database, as a run mid-way does.
 */
import { connect, openEphemeralDatabase } from '../../../src/core/verify/database.js';

const [, , target, mode] = process.argv;
const db = await openEphemeralDatabase({ databaseUrl: target === 'embedded' ? null : target });
if (mode === 'connected') await connect(db.url);
process.stdout.write(`${JSON.stringify({ name: db.name, url: db.url })}\n`);
setInterval(() => undefined, 1000);
