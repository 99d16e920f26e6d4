import { main } from '../../../src/adapters/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `flow-migrate <argv>` in-process from `cwd`, capturing its output (no colour); `entry`
 * is the CLI's `main`, the sources' unless a test gives the built bundle's.
 */
export async function runCli(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}, entry: typeof main = main): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await entry(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    cwd,
    env,
    color: false,
  });
  return { code, stdout, stderr };
}
