import { describe, expect, it } from 'vitest';
import { allInOrder } from '../../src/core/in-order.js';

const later = <T>(ms: number, value: T, fail = false) =>
  new Promise<T>((resolve, reject) => setTimeout(() => (fail ? reject(new Error(String(value))) : resolve(value)), ms));

describe('allInOrder', () => {
  it('gives the values in order', async () => {
    expect(await allInOrder([later(20, 'a'), later(1, 'b')])).toEqual(['a', 'b']);
  });

  it('reports the first failure in order, not the first to fail, and only once all have settled', async () => {
    let settled = false;
    const slowFailure = later(30, 'first', true);
    const fastFailure = later(1, 'second', true);
    const slowSuccess = later(50, 'x').then((v) => ((settled = true), v));
    await expect(allInOrder([slowFailure, fastFailure, slowSuccess])).rejects.toThrow('first');
    expect(settled).toBe(true);
  });
});
