/**
 * Rotation: the next member after the last one assigned, in the pool's listed order, among the
 * eligible ones. Pure, so the pool workflow (durable, one per pool) and the CLI pick alike.
 */
export function nextInRotation(members: readonly string[], lastAssigned: string | null, eligible: readonly string[]): string | null {
  if (eligible.length === 0) return null;
  const allowed = new Set(eligible);
  const start = lastAssigned === null ? -1 : members.indexOf(lastAssigned);
  for (let step = 1; step <= members.length; step++) {
    const candidate = members[(start + step + members.length) % members.length]!;
    if (allowed.has(candidate)) return candidate;
  }
  // Eligible ids outside the member list (should not happen): fall back to a stable choice.
  return [...eligible].sort()[0]!;
}

/** Where rotation state lives: a durable pool workflow in production, memory in the CLI and tests. */
export interface Rotation {
  next(poolId: string, members: readonly string[], eligible: readonly string[], leadId: string): Promise<string | null>;
}

export class InMemoryRotation implements Rotation {
  private readonly last = new Map<string, string>();

  async next(poolId: string, members: readonly string[], eligible: readonly string[]): Promise<string | null> {
    const chosen = nextInRotation(members, this.last.get(poolId) ?? null, eligible);
    if (chosen) this.last.set(poolId, chosen);
    return chosen;
  }
}
