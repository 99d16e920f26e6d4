import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PRIVATE_KEY, webhook } from './github-api.js';

/**
 * `npm start` for real: the start script's command, on the built app, with a test key and
 * secret, answering webhooks over HTTP on localhost. The event is a comment on an issue (not
 * a pull request), which the bot ignores without calling GitHub, so no network is needed.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const startScript = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start;
const [command, subcommand, entry] = startScript.split(/\s+/);
const built = entry !== undefined && existsSync(`${root}${entry}`);
const SECRET = 'test-webhook-secret';

describe.skipIf(!built)(`npm start (${startScript})`, () => {
  let app: ChildProcess;
  let port: number;
  let output = '';

  beforeAll(async () => {
    port = await freePort();
    app = spawn(process.execPath, [`${root}node_modules/.bin/${command}`, subcommand!, entry!], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        APP_ID: '123',
        PRIVATE_KEY: TEST_PRIVATE_KEY,
        WEBHOOK_SECRET: SECRET,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'info',
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Listening on')) resolve();
      };
      app.stdout!.on('data', onData);
      app.stderr!.on('data', onData);
      app.on('exit', (code) => reject(new Error(`the app exited with ${code} before listening:\n${output}`)));
    });
  });

  afterAll(() => {
    app?.kill();
  });

  const deliver = (body: string, signature: string) =>
    fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issue_comment',
        'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
        'x-hub-signature-256': signature,
      },
      body,
    });

  it('answers a correctly signed webhook', async () => {
    const payload = webhook('issue_comment.created');
    const body = JSON.stringify({ ...payload, issue: { ...payload.issue, pull_request: undefined } });
    const response = await deliver(body, sign(body, SECRET));
    expect(response.status).toBe(200);
  });

  it('rejects a badly signed webhook', async () => {
    const body = JSON.stringify(webhook('issue_comment.created'));
    const response = await deliver(body, sign(body, 'not-the-secret'));
    expect(response.status).toBe(400);
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain('PRIVATE KEY');
  });
});

function sign(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
