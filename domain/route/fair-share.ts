/**
 * Weighted shares, lead by lead. Each member has a *deficit*: the share of the leads they were
 * entitled to so far minus the leads they got. Every turn, the members who could take the lead
 * accrue its worth in proportion to their weights (together exactly one lead), the chosen member's
 * deficit drops by one, and so `count + deficit` is the member's weighted share of the window.
 *
 * Who is chosen follows Tijdeman's solution to the "chairman assignment problem" (1980): among the
 * members whose deficit is at least δ = 1/(2n−2), the one who would reach the upper bound soonest.
 * It keeps every deficit inside ±(1 − δ), that is strictly within one lead of the weighted share,
 * where plain "largest deficit first" and D'Hondt-style "lowest count per weight" both drift past
 * one lead with unequal weights (measured: test/domain/route/fairness.test.ts). Ties go to the next
 * member in the listed order after the last one assigned, so equal weights are the old rotation.
 *
 * Who could take the lead changes (PTO, caps, a rule that excludes someone): members who join the
 * candidates start at deficit 0, the pool's average ("calibration"), and the deficits of those who
 * stay are re-centred to sum to 0, which keeps the bound above over any pattern of availability.
 */

/** Floating-point slack when comparing deficits and deadlines. */
const EPS = 1e-9;

/** Adds one lead's worth of share to each member of `among`, in proportion to the weights. */
export function accrue(deficits: Record<string, number>, among: readonly string[], weightOf: (id: string) => number): void {
  const total = among.reduce((sum, id) => sum + weightOf(id), 0);
  for (const id of among) deficits[id] = (deficits[id] ?? 0) + weightOf(id) / total;
}

/**
 * Calibration when the candidates change: newcomers start at 0 (on their share, neither owed
 * leads nor ahead), and the members who stay are shifted together so their deficits sum to 0.
 */
export function recentre(deficits: Record<string, number>, candidates: readonly string[], previous: readonly string[]): string[] {
  const before = new Set(previous);
  const staying = candidates.filter((id) => before.has(id));
  const joining = candidates.filter((id) => !before.has(id));
  if (joining.length === 0 && staying.length === before.size) return [];
  for (const id of joining) deficits[id] = 0;
  if (staying.length > 0) {
    const mean = staying.reduce((sum, id) => sum + (deficits[id] ?? 0), 0) / staying.length;
    for (const id of staying) deficits[id] = (deficits[id] ?? 0) - mean;
  }
  return joining;
}

/**
 * Tijdeman's choice among `candidates` (in the pool's listed order), after `accrue`: the deadline
 * of a member is how many leads until their deficit would pass 1 − δ at their rate of share.
 * `rateOf` is the member's share of one lead (weight over the weights of who accrued).
 */
export function pickFair(
  candidates: readonly string[],
  deficits: Record<string, number>,
  rateOf: (id: string) => number,
  order: readonly string[],
  lastAssigned: string | null,
): string | null {
  if (candidates.length <= 1) return candidates[0] ?? null;
  const delta = 1 / (2 * candidates.length - 2);
  const ready = candidates.filter((id) => (deficits[id] ?? 0) >= delta - EPS);
  const pool = ready.length > 0 ? ready : candidates;
  const deadline = (id: string) => (1 - delta - (deficits[id] ?? 0)) / rateOf(id);
  const soonest = Math.min(...pool.map(deadline));
  const tied = pool.filter((id) => deadline(id) <= soonest + EPS);
  return afterInOrder(tied, order, lastAssigned);
}

/**
 * The first of `ids` after `last` in the listed `order`, wrapping around: the rotation's tie-break,
 * and the whole of strict rotation (`nextInRotation`). Ids outside `order` (a stale roster) fall
 * back to a stable choice.
 */
export function afterInOrder(ids: readonly string[], order: readonly string[], last: string | null): string | null {
  if (ids.length === 0) return null;
  if (ids.length === 1) return ids[0]!;
  const allowed = new Set(ids);
  const start = last === null ? -1 : order.indexOf(last);
  for (let step = 1; step <= order.length; step++) {
    const candidate = order[(start + step + order.length) % order.length]!;
    if (allowed.has(candidate)) return candidate;
  }
  return [...ids].sort()[0]!;
}
