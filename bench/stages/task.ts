/** One measured thing, run in its own child process so its peak RSS is its own. */
export interface Task {
  /** Untimed, before every run (opening what the run works on). */
  beforeEach?(): Promise<void>;
  /** Timed, once per run (warm-up runs included, but not counted). */
  run(): Promise<void>;
  /** Untimed, after every run (dropping what the run created). */
  afterEach?(): Promise<void>;
  /** Filled by the runs: what makes the figure less than clean (reported, not thrown). */
  warnings?: string[];
  /** Untimed, once at the end. */
  close?(): Promise<void>;
}
