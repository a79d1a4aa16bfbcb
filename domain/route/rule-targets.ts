/**
 * Resolving who a rule sends leads to: reps by id, full name or first name (last name when
 * unique); pools by id or name, with or without "team", "pod", "pool", "desk", "group". Pure.
 */
import type { RuleTarget } from './rule-types';

export interface RosterLike {
  reps: { id: string; name: string }[];
  pools: { id: string; name: string }[];
}

const GROUP_WORDS = ['team', 'teams', 'pod', 'pods', 'pool', 'pools', 'desk', 'desks', 'group', 'groups', 'queue', 'squad', 'crew'];
const GROUP_SUFFIX = new RegExp(`\\s+(?:${GROUP_WORDS.join('|')})$`);
const GROUP_PREFIX = new RegExp(`^(?:${GROUP_WORDS.join('|')})\\s+`);

function norm(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’']s\b/g, '')
    .replace(/["“”'’()]/g, '')
    .replace(/[^\p{L}\p{N}_-]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^the /, '');
}

function variants(key: string): string[] {
  const out = new Set([key]);
  const core = key.replace(GROUP_SUFFIX, '').replace(GROUP_PREFIX, '');
  if (core) out.add(core);
  for (const k of [...out]) {
    if (k.endsWith('s') && k.length > 3) out.add(k.slice(0, -1));
    else out.add(`${k}s`);
  }
  return [...out];
}

interface Index {
  repIds: Map<string, Set<string>>;
  repFull: Map<string, Set<string>>;
  repParts: Map<string, Set<string>>; // first names, and last names
  pools: Map<string, Set<string>>; // ids and names, with and without group words, singular and plural
}

const INDEX_CACHE = new WeakMap<object, Index>();

function add(map: Map<string, Set<string>>, key: string, id: string): void {
  if (!key) return;
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(id);
}

function index(roster: RosterLike): Index {
  const cached = INDEX_CACHE.get(roster);
  if (cached) return cached;
  const built: Index = { repIds: new Map(), repFull: new Map(), repParts: new Map(), pools: new Map() };
  for (const rep of roster.reps) {
    const full = norm(rep.name);
    const parts = full.split(' ');
    add(built.repIds, norm(rep.id), rep.id);
    add(built.repFull, full, rep.id);
    if (parts.length > 1) {
      add(built.repParts, parts[0]!, rep.id);
      add(built.repParts, parts[parts.length - 1]!, rep.id);
    }
  }
  for (const pool of roster.pools) {
    for (const key of new Set([norm(pool.id), norm(pool.name)])) for (const v of variants(key)) add(built.pools, v, pool.id);
  }
  INDEX_CACHE.set(roster, built);
  return built;
}

export type Resolution = { target: RuleTarget } | { error: string };

/** Lists the roster for error messages: "reps: sarah (Sarah Chen), ...; pools: enterprise (Enterprise team), ...". */
export function describeRoster(roster: RosterLike): string {
  const reps = roster.reps.map((r) => `${r.id} (${r.name})`).join(', ') || '(none)';
  const pools = roster.pools.map((p) => (p.name && p.name !== p.id ? `${p.id} (${p.name})` : p.id)).join(', ') || '(none)';
  return `reps: ${reps}; pools: ${pools}`;
}

/** A rep or pool named by `phrase` ("Sarah", "Sarah Chen", "sarah", "the enterprise team", "SE pool", "pool se"). */
export function resolveTarget(phrase: string, roster: RosterLike): Resolution {
  const idx = index(roster);
  const key = norm(phrase);
  if (!key) return { error: 'no rep or pool named' };
  const saysGroup = GROUP_SUFFIX.test(key) || GROUP_PREFIX.test(key);
  const repKey = key.replace(/^rep /, '');
  const steps: ['rep' | 'pool', Map<string, Set<string>>, string[]][] = saysGroup
    ? [
        ['pool', idx.pools, variants(key)],
        ['rep', idx.repIds, [repKey]],
        ['rep', idx.repFull, [repKey]],
        ['rep', idx.repParts, [repKey]],
      ]
    : [
        ['rep', idx.repIds, [repKey]],
        ['pool', idx.pools, [key]],
        ['rep', idx.repFull, [repKey]],
        ['pool', idx.pools, variants(key)],
        ['rep', idx.repParts, [repKey]],
      ];
  for (const [type, map, keys] of steps) {
    for (const k of keys) {
      const ids = map.get(k);
      if (!ids || ids.size === 0) continue;
      if (ids.size > 1) {
        const names = [...ids]
          .map((id) => (type === 'rep' ? `${id} (${roster.reps.find((r) => r.id === id)?.name})` : id))
          .join(' or ');
        return { error: `"${phrase.trim()}" could be ${names}; use the full name or the id` };
      }
      return { target: { type, id: [...ids][0]! } };
    }
  }
  return { error: `no rep or pool named "${phrase.trim()}" (${describeRoster(roster)})` };
}

/**
 * An attendee phrase: "a solutions engineer from the SE pool" (one member of pool se), "someone
 * from SE", "Mark", "one of the solutions engineers", "a solutions engineer" (pool "Solutions engineers").
 */
export function resolveAttendee(phrase: string, roster: RosterLike): Resolution {
  let p = phrase.trim().replace(/^(?:also\s+)?/i, '');
  const from = /^(?:.*?\s)?(?:from|in|of|out\s+of)\s+(?:the\s+)?(.+)$/i.exec(p);
  if (from && /^(?:a|an|one|1|someone|somebody|any|a\s+member|one\s+member|a\s+rep|an?\s+\S+(?:\s+\S+)?)\b/i.test(p)) {
    const r = resolveTarget(from[1]!, roster);
    if ('target' in r) return r;
  }
  p = p.replace(/^(?:a|an|one|1|any)\s+(?:of\s+(?:the\s+)?)?/i, '');
  return resolveTarget(p, roster);
}

export function sameTarget(a: RuleTarget, b: RuleTarget): boolean {
  return a.type === b.type && a.id === b.id;
}
