/** The exit codes every command keeps to; scripts depend on them. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  badInput: 2,
  refused: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
