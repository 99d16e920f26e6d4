import type { Diagnostic, Severity, SourceLocation } from '../schema/model.js';

/** Collects what the reader could not determine, each pointing at the model line. */
export class Diagnostics {
  readonly list: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  error(code: string, message: string, location: SourceLocation | null): void {
    this.add('error', code, message, location);
  }

  warning(code: string, message: string, location: SourceLocation | null): void {
    this.add('warning', code, message, location);
  }

  private add(severity: Severity, code: string, message: string, location: SourceLocation | null): void {
    // A mixin read for several tables must not repeat its diagnostics.
    const key = `${severity}|${code}|${message}|${location?.file}:${location?.line}:${location?.column}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ severity, code, message, location });
  }
}
