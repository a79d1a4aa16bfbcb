/**
 * Durations as team.yaml writes them: `90s`, `15m`, `2h`, `3d`, `1w` and combinations in that
 * order (`1h30m`, `2w3d`, `1h 30m`). Zero is a duration (`0m`, `0`): whether zero makes sense is
 * for the key that uses it to say, not for the parser.
 */
const UNITS = [
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
] as const;
const DURATION = /^(?:(\d+)\s*w)?\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?$/;

/** The duration in milliseconds, or null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '0') return 0;
  const match = DURATION.exec(trimmed);
  if (!trimmed || !match) return null;
  let ms = 0;
  UNITS.forEach(([, size], i) => (ms += Number(match[i + 1] ?? 0) * size));
  return Number.isSafeInteger(ms) ? ms : null;
}

/** The shortest text parseDuration reads back as `ms` (whole seconds): 5_400_000 -> "1h30m". */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / (size / 1000));
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * (size / 1000);
  }
  return parts.join('') || '0s';
}

export const DURATION_EXAMPLES = '90s, 15m, 2h, 3d, 1w or 1h30m';
