/**
 * Rules the model compiled, kept across restarts in one JSON file (`<BATON_DATA_DIR>/compiled-rules.json`)
 * so the worker, the API and every CLI run share one compilation and call the model once per rule.
 *
 * - The key is a hash of everything that shapes the model's answer: the model's identity, the
 *   prompt (which names the roster: reps, pools, territories, competitors), the rule text and the
 *   JSON schema sent (with the roster's ids). Change any of them and the entry is simply not found.
 * - What is stored is the model's raw answer; on every load it goes through `ruleFromLlm` again,
 *   the same schema and roster checks as a fresh answer, so a stale or hand-edited entry can
 *   never route outside the team: it is dropped and the rule compiled again.
 * - The file is only ever replaced whole (write a temporary file, then rename), so a reader never
 *   sees half a file. Processes that save at the same time merge what is on disk first; if two
 *   still race, the later rename wins and the other's new entries are compiled again on a later
 *   start — one extra model call, never a wrong rule.
 * - A missing, unreadable or corrupted file is an empty cache (with a warning), never a start-up
 *   error; a failed save is a warning too.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

export const RULE_CACHE_FILE = 'compiled-rules.json';
/** Oldest entries beyond this are dropped on save, so a file edited for years stays small. */
const MAX_ENTRIES = 1_000;

const entrySchema = z.object({
  rule: z.string(),
  model: z.string(),
  compiledAt: z.string(),
  answer: z.unknown(),
});
const fileSchema = z.object({ version: z.literal(1), entries: z.record(z.string(), z.unknown()) });

export type RuleCacheEntry = z.infer<typeof entrySchema>;

export function ruleCacheFile(dataDir: string): string {
  return join(dataDir, RULE_CACHE_FILE);
}

/** The cache key of one model compilation: everything that shapes the answer, hashed. */
export function ruleCacheKey(parts: { model: string; system: string; user: string; schema: unknown }): string {
  return createHash('sha256').update(JSON.stringify([parts.model, parts.system, parts.user, parts.schema]), 'utf8').digest('hex');
}

export class RuleCache {
  private readonly entries: Map<string, RuleCacheEntry>;
  private readonly added = new Map<string, RuleCacheEntry>();
  private readonly dropped = new Set<string>();

  private constructor(
    readonly file: string | null,
    private readonly warn: (message: string) => void,
    entries: Map<string, RuleCacheEntry>,
  ) {
    this.entries = entries;
  }

  /** A cache backed by `file` (null: in memory only). Never throws. */
  static open(file: string | null, warn: (message: string) => void = () => {}): RuleCache {
    return new RuleCache(file, warn, file ? readEntries(file, warn) : new Map());
  }

  get(key: string): RuleCacheEntry | undefined {
    return this.entries.get(key);
  }

  set(key: string, entry: RuleCacheEntry): void {
    this.entries.set(key, entry);
    this.added.set(key, entry);
    this.dropped.delete(key);
  }

  /** Forgets an entry that no longer passes the checks. */
  drop(key: string): void {
    this.entries.delete(key);
    this.added.delete(key);
    this.dropped.add(key);
  }

  /** Writes what changed, merged over the file as it is now on disk. */
  save(): void {
    if (!this.file || (this.added.size === 0 && this.dropped.size === 0)) return;
    const merged = readEntries(this.file, () => {});
    for (const key of this.dropped) merged.delete(key);
    for (const [key, entry] of this.added) merged.set(key, entry);
    const kept = [...merged].sort((a, b) => b[1].compiledAt.localeCompare(a[1].compiledAt)).slice(0, MAX_ENTRIES);
    const tmp = `${this.file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(tmp, `${JSON.stringify({ version: 1, entries: Object.fromEntries(kept) }, null, 2)}\n`);
      renameSync(tmp, this.file);
      this.added.clear();
      this.dropped.clear();
    } catch (err) {
      try {
        rmSync(tmp, { force: true });
      } catch {
        // The directory itself is unusable: nothing was written.
      }
      this.warn(`${this.file}: cannot save compiled rules (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); they will be compiled again next start`);
    }
  }
}

function readEntries(file: string, warn: (message: string) => void): Map<string, RuleCacheEntry> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn(`${file}: cannot read compiled rules (${(err as NodeJS.ErrnoException).code}); compiling again`);
    return new Map();
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    warn(`${file}: not valid JSON; ignoring it and compiling the rules again (it is rewritten on save)`);
    return new Map();
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    warn(`${file}: not a compiled-rules file (${parsed.error.issues[0]?.message ?? 'invalid'}); ignoring it and compiling the rules again`);
    return new Map();
  }
  const entries = new Map<string, RuleCacheEntry>();
  for (const [key, value] of Object.entries(parsed.data.entries)) {
    const entry = entrySchema.safeParse(value);
    if (entry.success) entries.set(key, entry.data);
  }
  return entries;
}
