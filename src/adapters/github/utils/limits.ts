/** GitHub rejects a comment body longer than this with HTTP 422. */
export const COMMENT_LIMIT = 65_536;
/** Check-run `output.summary` and `output.text` each hold at most this many characters. */
export const CHECK_OUTPUT_LIMIT = 65_535;
/** The checks API takes at most this many annotations per request. */
export const ANNOTATIONS_PER_REQUEST = 50;

/**
 * Cuts markdown to `limit` characters at a line (or word) end, closes a code fence left open, and says
 * where the rest is, so a cut report still renders.
 */
export function fitMarkdown(markdown: string, limit: number, restIsIn: string): string {
  if (markdown.length <= limit) return markdown;
  const notice = `\n\n_The report was cut to fit; ${restIsIn}._`;
  let cut = markdown.slice(0, Math.max(0, limit - notice.length - 8));
  // A line end, unless that throws away most of the room (one huge line): then a word end.
  const lastLine = cut.lastIndexOf('\n');
  const end = lastLine > cut.length / 2 ? lastLine : cut.lastIndexOf(' ');
  if (end > 0) cut = cut.slice(0, end);
  const fences = cut.match(/^\s*(```|~~~)/gm)?.length ?? 0;
  if (fences % 2 === 1) cut += '\n```';
  return cut + notice;
}
