import { describe, expect, it } from 'vitest';
import { mentionsCommand, parseCommands } from '../../../../src/adapters/github/utils/commands.js';

describe('parseCommands', () => {
  it('reads every /migration line and ignores the conversation around it', () => {
    expect(
      parseCommands('Looks right to me.\n/migration rename tasks.status=current_status\r\n  /migration allow-data-loss\nthanks'),
    ).toEqual({
      commands: [
        { kind: 'rename', rename: { kind: 'column', table: 'tasks', from: 'status', to: 'current_status' } },
        { kind: 'allow-data-loss' },
      ],
      problems: [],
    });
    expect(parseCommands('/migration rename bots=flowbots\n/migration regenerate').commands).toEqual([
      { kind: 'rename', rename: { kind: 'table', from: 'bots', to: 'flowbots' } },
      { kind: 'regenerate' },
    ]);
  });

  it('says which lines it did not understand', () => {
    expect(parseCommands('/migration allow-data-loss please\n/migration\n/migration rename a.b.c.d=e').problems).toEqual([
      '"/migration allow-data-loss please" is not a command I know',
      '"/migration" is not a command I know',
      expect.stringContaining('invalid rename "a.b.c.d=e"'),
    ]);
  });

  it('only counts a command at the start of a line', () => {
    expect(mentionsCommand('see `/migration allow-data-loss` in the docs')).toBe(false);
    expect(mentionsCommand('ok\n/migration regenerate')).toBe(true);
  });
});
