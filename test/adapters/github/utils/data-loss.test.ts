import { describe, expect, it } from 'vitest';
import {
  confirmedFingerprints,
  dataLossFingerprint,
  formatDataLossState,
  isDataLoss,
  nextDataLossState,
  readDataLossState,
} from '../../../../src/adapters/github/utils/data-loss.js';
import type { Finding } from '../../../../src/core/plan/types.js';

const DROP_A: Finding = {
  rule: 'drop-column',
  side: 'upgrade',
  severity: 'error',
  table: 'tasks',
  column: 'a',
  location: null,
  message: 'DROP COLUMN tasks.a deletes its data; code still selecting it fails.',
  fix: 'Stop using it first.',
  confirmations: [{ kind: 'allow-data-loss' }],
  confirmed: false,
  operation: 0,
};
const DROP_B: Finding = { ...DROP_A, column: 'b', message: 'DROP COLUMN tasks.b deletes its data; code still selecting it fails.' };
const A = dataLossFingerprint(DROP_A);
const B = dataLossFingerprint(DROP_B);

function comment(state: Map<string, Date | null>): string {
  return `<!-- flow-migrate -->\n${formatDataLossState(state)}\nreport`;
}

describe('data-loss fingerprints', () => {
  it('tell findings apart by rule, table, column and what they say, and ignore the confirmed flag', () => {
    expect(B).not.toBe(A);
    expect(dataLossFingerprint({ ...DROP_A, confirmed: true, location: { file: 'm.py', line: 3, column: 1 } })).toBe(A);
    const narrow: Finding = { ...DROP_A, rule: 'narrow-type', message: 'tasks.a narrows from varchar(50) to varchar(20).' };
    expect(dataLossFingerprint({ ...narrow, message: 'tasks.a narrows from varchar(50) to varchar(10).' })).not.toBe(
      dataLossFingerprint(narrow),
    );
  });

  it('count only refusing findings that allowing data loss confirms', () => {
    expect(isDataLoss(DROP_A)).toBe(true);
    expect(isDataLoss({ ...DROP_A, severity: 'warning', confirmations: [] })).toBe(false);
    expect(isDataLoss({ ...DROP_A, rule: 'add-not-null-no-default', confirmations: [] })).toBe(false);
  });
});

describe('the sticky comment state', () => {
  it('reads back what it wrote, pending findings dated by the comment version', () => {
    const body = comment(new Map([[A, new Date('2026-11-25T06:00:00Z')], [B, null]]));
    expect(readDataLossState(body, '2026-11-25T06:10:00Z')).toEqual(
      new Map([
        [A, new Date('2026-11-25T06:00:00Z')],
        [B, new Date('2026-11-25T06:10:00Z')],
      ]),
    );
  });

  it('is empty without a state line, with a broken one, or for pending findings of an undated comment', () => {
    expect(readDataLossState('<!-- flow-migrate -->\nold report', '2026-11-25T06:00:00Z').size).toBe(0);
    expect(readDataLossState('<!-- flow-migrate:data-loss {"shown":{"yesterday":["x"]},"pending":[]} -->', undefined).size).toBe(0);
    expect(readDataLossState('<!-- flow-migrate:data-loss {not json -->', undefined).size).toBe(0);
    expect(readDataLossState(comment(new Map([[A, null]])), undefined).size).toBe(0);
  });

  it('is one line that cannot end the HTML comment early', () => {
    const line = formatDataLossState(new Map([[A, new Date('2026-11-25T06:00:00Z')]]));
    expect(line.split('\n')).toHaveLength(1);
    expect(line.indexOf('-->')).toBe(line.length - 3);
  });
});

describe('confirmations against the state', () => {
  const shown = new Map([
    [A, new Date('2026-11-25T06:00:00Z')],
    [B, new Date('2026-11-25T06:10:00Z')],
  ]);

  it('confirm exactly the findings shown before the confirmation', () => {
    expect(confirmedFingerprints(shown, new Date('2026-11-25T06:05:00Z'))).toEqual(new Set([A]));
    expect(confirmedFingerprints(shown, new Date('2026-11-25T06:15:00Z'))).toEqual(new Set([A, B]));
    // Given in the same second the finding was shown: it may not have been seen.
    expect(confirmedFingerprints(shown, new Date('2026-11-25T06:10:00Z'))).toEqual(new Set([A]));
    expect(confirmedFingerprints(shown, null)).toEqual(new Set());
  });

  it('after a run: known findings keep their time, new ones are pending, gone ones are forgotten', () => {
    const dropC: Finding = { ...DROP_A, column: 'c', message: 'DROP COLUMN tasks.c deletes its data.' };
    const next = nextDataLossState(shown, [DROP_A, dropC, { ...DROP_A, rule: 'create-index', severity: 'info', confirmations: [] }]);
    expect(next).toEqual(
      new Map([
        [A, new Date('2026-11-25T06:00:00Z')],
        [dataLossFingerprint(dropC), null],
      ]),
    );
  });
});
