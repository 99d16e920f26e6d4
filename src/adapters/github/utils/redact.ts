/**
 * Removes credentials from text bound for a comment, a check run or a log: the password of
 * any connection URL (`postgresql://user:secret@host` → `postgresql://user:***@host`) and
 * every listed secret verbatim.
 */
export function redact(text: string, secrets: (string | null | undefined)[] = []): string {
  let clean = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@\s/]+@/gi, '$1***@');
  for (const secret of secrets) {
    if (secret && secret.length >= 4) clean = clean.split(secret).join('***');
  }
  return clean;
}
