import type { BenchRecord } from './run.js';

/** One of issue 7's targets, judged on this run's figures (null: not measured). */
export interface TargetResult {
  target: string;
  met: boolean | null;
  figure: string;
}

export function evaluateTargets(records: BenchRecord[]): TargetResult[] {
  const get = (id: string) => records.find((r) => (r.id === id || r.id.startsWith(`${id}/`)) && r.median !== null) ?? null;
  const ms = (r: BenchRecord | null) => (r ? `${r.median} ms` : 'not measured');
  const out: TargetResult[] = [];

  const rpr1000 = get('read-plan-render/1000');
  out.push({
    target: 'read + plan + render of 1000 tables under 1 s',
    met: rpr1000 ? rpr1000.median! < 1000 : null,
    figure: rpr1000 ? `${ms(rpr1000)} wall, ${rpr1000.cpuMedianMs} ms CPU` : 'not measured',
  });

  // Growth is judged on CPU time, which a busy shared machine disturbs far less than wall time.
  const rpr200 = get('read-plan-render/200');
  const cpuGrowth = rpr1000?.cpuMedianMs && rpr200?.cpuMedianMs ? rpr1000.cpuMedianMs / rpr200.cpuMedianMs : null;
  const wallGrowth = rpr1000 && rpr200 ? rpr1000.median! / rpr200.median! : null;
  out.push({
    target: 'cost no worse than linear: read + plan + render of 1000 tables <= 5.5 x 200 tables (CPU time)',
    met: cpuGrowth === null ? null : cpuGrowth <= 5.5,
    figure:
      cpuGrowth === null || wallGrowth === null
        ? 'not measured'
        : `${cpuGrowth.toFixed(2)} x CPU time (${rpr1000!.cpuMedianMs} vs ${rpr200!.cpuMedianMs} ms); ${wallGrowth.toFixed(2)} x wall time`,
  });

  const roundTrip = get('verify-round-trip/server/200');
  const verify = get('verify/server/200');
  const floor = get('psql-floor/base+up+down+up/200');
  const ratio = roundTrip && floor ? roundTrip.median! / floor.median! : null;
  out.push({
    target: 'verify round trip of 200 tables on a server within 2 x the psql floor',
    met: ratio === null ? null : ratio <= 2,
    figure:
      ratio === null
        ? `round trip ${ms(roundTrip)}, floor ${ms(floor)}`
        : `${ratio.toFixed(2)} x (round trip ${ms(roundTrip)} vs psql ${ms(floor)}; whole verify ${ms(verify)}, ${(verify ? verify.median! / floor!.median! : Number.NaN).toFixed(2)} x)`,
  });

  // The largest real schemas: a whole verify passes (no error, no differences) on both databases.
  const scaleServer = records.find((r) => r.id.startsWith('verify/server/') && r.tables !== null && r.tables >= 5000) ?? null;
  const scaleEmbedded = records.find((r) => r.id === `verify/embedded-warm/${scaleServer?.tables ?? 5000}`) ?? null;
  const scaleFloor = scaleServer ? (get(`psql-floor/base+up+down+up/${scaleServer.tables}`) ?? null) : null;
  const passed = (r: BenchRecord | null) => r !== null && r.error === null && r.median !== null && r.warnings.length === 0;
  out.push({
    target: 'verify of 5000 tables passes on a server and embedded (time against the psql floor)',
    met: scaleServer || scaleEmbedded ? passed(scaleServer) && passed(scaleEmbedded) : null,
    figure: `server ${scaleServer?.error ? 'failed' : ms(scaleServer)}${
      scaleServer?.median && scaleFloor?.median ? ` (${(scaleServer.median / scaleFloor.median).toFixed(2)} x psql ${ms(scaleFloor)})` : `, psql floor ${ms(scaleFloor)}`
    }; embedded ${scaleEmbedded?.error ? 'failed' : ms(scaleEmbedded)}`,
  });

  const ready = get('embedded-ready/warm');
  out.push({
    target: 'embedded PostgreSQL, warm, ready under 1 s',
    met: ready ? ready.median! < 1000 : null,
    figure: ms(ready),
  });

  // End to end is what git runs: the installed script, which only starts node when a .py file is staged.
  const script = get('pre-commit-script/no-model-commit');
  const pythonScript = get('pre-commit-script/python-no-model-commit');
  out.push({
    target: 'hook on a commit touching no model under 150 ms (the installed pre-commit script)',
    met: script ? script.median! < 150 : null,
    figure: `${ms(script)}; with a non-model .py file staged ${ms(pythonScript)}`,
  });

  const gen = records.find((r) => r.id === 'generate-command/1000' && r.peakRssMb !== null) ?? null;
  out.push({
    target: 'peak RSS of the 1000-table generate under 300 MB',
    met: gen ? gen.peakRssMb! < 300 : null,
    figure: gen ? `${gen.peakRssMb} MB (whole command)` : 'not measured',
  });
  return out;
}
