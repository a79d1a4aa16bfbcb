/**
 * Where pool turns are answered: a durable pool workflow per pool in production
 * (runtime/pool-client.ts), memory in the CLI, the simulation and tests. Both answer with the same
 * pure `takeTurn` (fairness.ts) and apply meeting events with the same `applyMeetingEvent`.
 */
import { afterInOrder } from './fair-share';
import { takeTurn, type TurnAnswer, type TurnIds, type TurnRequest } from './fairness';
import { applyMeetingEvent, emptyLedger, type MeetingEvent, type PoolLedger } from './pool-ledger';

export interface PoolService {
  /** One turn of `request.pool`; the same request id always gets the same answer. */
  turn(request: TurnRequest, ids: TurnIds): Promise<TurnAnswer>;
  /** A meeting event for one of the pool's members (idempotent by `event.key`). */
  report(poolId: string, event: MeetingEvent): Promise<void>;
}

/** Pools kept in memory: the CLI (`baton route`, `baton simulate`) and tests. */
export class InMemoryPools implements PoolService {
  readonly ledgers = new Map<string, PoolLedger>();
  private readonly answers = new Map<string, TurnAnswer>();

  constructor(private readonly clock: () => number = () => Date.now()) {}

  ledger(poolId: string): PoolLedger {
    let ledger = this.ledgers.get(poolId);
    if (!ledger) this.ledgers.set(poolId, (ledger = emptyLedger()));
    return ledger;
  }

  /** Synchronous, for callers that drive decisions with `settle` (fairness.ts). */
  turnNow(request: TurnRequest, ids: TurnIds): TurnAnswer {
    const key = `${request.pool.id}\u0000${ids.requestId}`;
    const known = this.answers.get(key);
    if (known) return known;
    const answer = takeTurn(this.ledger(request.pool.id), request, ids);
    this.answers.set(key, answer);
    return answer;
  }

  /** Answers the turns of one lead (`leadId`), numbering its requests as the activities do. */
  answerer(leadId: string, scope = leadId): (request: TurnRequest) => TurnAnswer {
    let calls = 0;
    return (request) => this.turnNow(request, { requestId: `${scope}#${calls++}`, leadId });
  }

  async turn(request: TurnRequest, ids: TurnIds): Promise<TurnAnswer> {
    return this.turnNow(request, ids);
  }

  reportNow(poolId: string, event: MeetingEvent): boolean {
    return applyMeetingEvent(this.ledger(poolId), event, this.clock());
  }

  async report(poolId: string, event: MeetingEvent): Promise<void> {
    this.reportNow(poolId, event);
  }
}

/**
 * Strict rotation, as pools turned before fairness: the next member after the last one assigned,
 * in the listed order, among the eligible ones. The pool workflow keeps it for turns recorded with
 * it (replay), and equal weights choose the same way.
 */
export function nextInRotation(members: readonly string[], lastAssigned: string | null, eligible: readonly string[]): string | null {
  return afterInOrder(eligible, members, lastAssigned);
}
