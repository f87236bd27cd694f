/**
 * Error grouping: one bug is one group, whichever page, build or line it came
 * from. The fingerprint hashes the kind, the message with volatile parts
 * (numbers, ids, URLs, quoted values) normalised, and the top stack frames
 * reduced to function name and script file name (no line, column, query,
 * origin or content hash).
 *
 * @example
 * ```ts
 * await errorFingerprint('error', 'x is undefined', 'TypeError: ...\n    at f (https://a/app.js:1:2)');
 * ```
 */
const TOP_FRAMES = 3;

/** The message with run-specific details replaced by placeholders. */
export function normaliseMessage(message: string): string {
  return message
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"`)]+/gi, '<url>')
    .replace(/(["'`])(?:(?!\1).){0,200}\1/g, '<str>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    .replace(/\b(?=[0-9a-f]*\d)[0-9a-f]{12,}\b/gi, '<id>')
    .replace(/\d+(\.\d+)?/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/** `name@file` for each frame: Chrome (`at f (url:1:2)`) and Firefox/Safari (`f@url:1:2`) forms. */
export function normaliseFrames(stack: string | undefined): string[] {
  if (!stack) return [];
  const frames: string[] = [];
  for (const line of stack.split('\n')) {
    const chrome = line.match(/^\s*at (?:(.+?) \()?(.+?)(?::\d+){0,2}\)?\s*$/);
    const gecko = chrome ? null : line.match(/^\s*([^@\s]*)@(.+?)(?::\d+){0,2}\s*$/);
    const match = chrome ?? gecko;
    if (!match) continue;
    const name = (match[1] ?? '').replace(/^async /, '').trim() || '?';
    frames.push(`${name}@${scriptName(match[2] ?? '')}`);
    if (frames.length === TOP_FRAMES) break;
  }
  return frames;
}

/** Script file name without directories, query or content hash; inline page code becomes `<page>`. */
function scriptName(location: string): string {
  const path = location.replace(/[?#].*$/, '');
  const file = path.slice(path.lastIndexOf('/') + 1);
  if (!/\.(m|c)?[jt]sx?$/.test(file)) return '<page>';
  // app.3f9a2b1c.js, chunk-ABCD1234.js -> app.js, chunk.js
  return file.replace(/[.-](?=[0-9a-zA-Z_]*\d)[0-9a-zA-Z_]{6,}(?=\.(m|c)?[jt]sx?$)/, '');
}

/** 16 hex characters of SHA-256 over kind, normalised message and top frames. */
export async function errorFingerprint(kind: string, message: string, stack: string | undefined): Promise<string> {
  const key = [kind, normaliseMessage(message), ...normaliseFrames(stack)].join('\n');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key));
  return [...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
