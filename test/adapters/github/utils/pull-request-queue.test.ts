import { describe, expect, it } from 'vitest';
import { PullRequestQueue } from '../../../../src/adapters/github/utils/pull-request-queue.js';

describe('PullRequestQueue', () => {
  it('runs one pull request at a time, and tells older runs a newer one is waiting', async () => {
    const queue = new PullRequestQueue();
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = queue.run('flow/m#1', async (isSuperseded) => {
      events.push('first started');
      await gate;
      events.push(`first superseded: ${isSuperseded()}`);
    });
    const second = queue.run('flow/m#1', async (isSuperseded) => {
      events.push(`second superseded: ${isSuperseded()}`);
    });
    const other = queue.run('flow/m#2', async (isSuperseded) => {
      events.push(`other superseded: ${isSuperseded()}`);
    });
    await other;
    release();
    await Promise.all([first, second]);
    expect(events).toEqual(['first started', 'other superseded: false', 'first superseded: true', 'second superseded: false']);
  });

  it('keeps going after a failed run, and passes the failure to its caller', async () => {
    const queue = new PullRequestQueue();
    const failed = queue.run('k', async () => {
      throw new Error('boom');
    });
    await expect(failed).rejects.toThrow('boom');
    let ran = false;
    await queue.run('k', async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });
});
