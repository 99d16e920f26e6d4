/**
 * Prints bench/results.json as the markdown table the README's "Performance" section
 * quotes: `node .bench-build/bench/markdown.js [results.json]`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchRecord } from './run.js';
import type { TargetResult } from './targets.js';

const file = process.argv[2] ?? fileURLToPath(new URL('../../bench/results.json', import.meta.url));
const { machine, records, targets } = JSON.parse(readFileSync(file, 'utf8')) as {
  machine: { cpus: number; cpuModel: string | null; node: string; date: string; totalMemoryMb: number };
  records: BenchRecord[];
  targets: TargetResult[];
};
const fmt = (n: number | null) => (n === null ? '' : n >= 100 ? String(Math.round(n)) : String(n));
console.log(`${machine.cpus} CPUs (${machine.cpuModel ?? 'unknown'}), ${machine.totalMemoryMb} MB, Node ${machine.node}, ${machine.date.slice(0, 10)}\n`);
console.log('| measurement | tables | median ms (min–max) | CPU ms | peak RSS MB |');
console.log('|---|---|---|---|---|');
for (const r of records) {
  const name = `${r.measurement}${r.variant ? ` (${r.variant})` : ''}`;
  const time = r.error ? `failed: ${r.error.split('\n')[0]}` : `${fmt(r.median)} (${fmt(r.min)}–${fmt(r.max)})`;
  console.log(`| ${name} | ${r.tables ?? ''} | ${time} | ${fmt(r.cpuMedianMs)} | ${r.peakRssMb ?? ''} |`);
}
console.log('\n| target | result | figure |\n|---|---|---|');
for (const t of targets) console.log(`| ${t.target} | ${t.met === null ? 'not measured' : t.met ? 'met' : '**missed**'} | ${t.figure} |`);
