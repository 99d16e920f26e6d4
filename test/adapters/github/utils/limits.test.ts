import { describe, expect, it } from 'vitest';
import { fitMarkdown } from '../../../../src/adapters/github/utils/limits.js';

describe('fitMarkdown', () => {
  it('leaves text that fits alone', () => {
    expect(fitMarkdown('short', 100, 'elsewhere')).toBe('short');
  });

  it('cuts at a line end, closes an open code fence and says where the rest is', () => {
    const text = ['# Report', '```python', ...Array.from({ length: 200 }, (_, i) => `line_${i} = ${i}`), '```'].join('\n');
    const cut = fitMarkdown(text, 500, 'the check run has the rest');
    expect(cut.length).toBeLessThanOrEqual(500);
    expect(cut.match(/```/g)).toHaveLength(2);
    expect(cut.endsWith('_The report was cut to fit; the check run has the rest._')).toBe(true);
    expect(cut).toMatch(/line_\d+ = \d+\n```\n\n_The report/);
  });

  it('cuts one huge line at a word end rather than dropping it', () => {
    const cut = fitMarkdown(`intro\n${'word '.repeat(1000)}`, 300, 'x');
    expect(cut.length).toBeLessThanOrEqual(300);
    expect(cut.length).toBeGreaterThan(200);
  });
});
