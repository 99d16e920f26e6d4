/**
 * Child process for database.test.ts: starts and stops an embedded server, then leaves the
 * process to end on its own with exit code 3, as the CLI sets its exit code and returns.
 */
import { startEmbeddedServer } from '../../../src/core/verify/database.js';

const server = await startEmbeddedServer();
await server.close();
process.exitCode = 3;
