import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** app.yml asks for what the bot uses and no more. */

const manifest = parse(readFileSync(fileURLToPath(new URL('../../../app.yml', import.meta.url)), 'utf8')) as {
  name: string;
  default_events: string[];
  default_permissions: Record<string, string>;
};

describe('app.yml', () => {
  it('subscribes to the events the bot handles', () => {
    expect(manifest.default_events.sort()).toEqual(['check_run', 'issue_comment', 'pull_request']);
  });

  it('asks for the least permissions the bot needs', () => {
    expect(manifest.default_permissions).toEqual({
      contents: 'write',
      pull_requests: 'write',
      checks: 'write',
      issues: 'write',
      metadata: 'read',
    });
  });
});
