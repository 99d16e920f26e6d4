import { constants } from 'node:os';

/**
 * The signal the process is stopping for, once one has arrived. The cleanup it starts (dropping
 * the run's database, stopping its server) ends the run's sessions, so whatever fails after it
 * is its consequence, not a result: the CLI reports the interruption instead.
 */
let received: NodeJS.Signals | null = null;
const listeners = new Set<(signal: NodeJS.Signals) => void>();

export function markInterrupted(signal: NodeJS.Signals): void {
  if (received) return;
  received = signal;
  for (const listener of listeners) listener(signal);
}

export function interruption(): { signal: NodeJS.Signals; exitCode: number } | null {
  return received && { signal: received, exitCode: 128 + constants.signals[received] };
}

/** Calls `listener` when a signal arrives, before the cleanup runs (which may end the process); returns the unsubscribe. */
export function onInterruption(listener: (signal: NodeJS.Signals) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
