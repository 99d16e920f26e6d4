import { constants } from 'node:os';

/**
 * The signal the process is stopping for, once one has arrived. The cleanup it starts (dropping
 * the run's database, stopping its server) ends the run's sessions, so whatever fails after it
 * is its consequence, not a result: the CLI reports the interruption instead.
 */
let received: NodeJS.Signals | null = null;

export function markInterrupted(signal: NodeJS.Signals): void {
  received ??= signal;
}

export function interruption(): { signal: NodeJS.Signals; exitCode: number } | null {
  return received && { signal: received, exitCode: 128 + constants.signals[received] };
}
