/**
 * How a rule's conditions combine: "and", "or", "not", parentheses and "either ... or ...", read
 * from the scanner's tokens into the compiled form (a list that must all hold; `either` for "or";
 * `negated` on atoms). Pure.
 *
 * Precedence, as in most languages: "not" binds to the next condition, "and" (or just writing
 * conditions side by side) binds tighter than "or". Values of one kind joined by "or", "and", ","
 * or "/" are one list ("healthcare or fintech", "Texas, Oklahoma and Kansas": any of them), tighter
 * still. "unless ..." and "except when/if ..." negate everything after them.
 *
 * Readings a sales-ops person could mean two ways are compile errors that say why, never a guess:
 * - "or" with more than one condition on a side, unless every side has its own subject
 *   ("healthcare leads over $50k or fintech leads over $100k" is clear; "leads from Texas over
 *   $100K or with more than 1000 employees" is not: does Texas apply to both?);
 * - "not A or B" ("not from Texas or over $100K": not either, or only not Texas?).
 */
import type { Atom, Condition } from './rule-types';

/** Thrown with what was not understood; the compiler adds the rule and its index. */
export class ConditionError extends Error {}

export type Expr = { op: 'atom'; atom: Atom } | { op: 'and'; of: Expr[] } | { op: 'or'; of: Expr[] } | { op: 'not'; of: Expr };

interface Span {
  start: number;
  end: number;
}

export type Token =
  | ({ t: 'cond'; expr: Expr } & Span)
  | ({ t: 'or' } & Span)
  | ({ t: 'not'; scope: 'next' | 'rest' } & Span)
  | ({ t: 'open'; either: boolean } & Span)
  | ({ t: 'close' } & Span)
  /** A subject word ("leads", "deals", "companies", "if"): it marks where a side of an "or" starts. */
  | ({ t: 'noun' } & Span);

interface Side {
  items: { expr: Expr; span: Span }[];
  hasNoun: boolean;
}

function quote(text: string, span: Span): string {
  return `"${text.slice(span.start, span.end).trim()}"`;
}

/** Reads the tokens of `text` into one expression. Throws ConditionError for ambiguous or broken logic. */
export function readLogic(tokens: Token[], text: string): Expr {
  let i = 0;
  const peek = () => tokens[i];
  const whole = { start: 0, end: text.length };

  function or(inParens: boolean): Expr {
    const sides: Side[] = [side()];
    const joins: Token[] = [];
    while (peek()?.t === 'or') {
      joins.push(tokens[i++]!);
      sides.push(side());
    }
    for (const [k, s] of sides.entries()) {
      if (s.items.length === 0) {
        const at = joins[Math.max(0, k - 1)];
        throw new ConditionError(`"or" needs a condition on each side${at ? ` (in ${quote(text, spanOf(sides, at, whole))})` : ''}`);
      }
    }
    if (sides.length > 1) checkOrSides(sides, joins, text);
    const exprs = sides.map((s) => (s.items.length === 1 ? s.items[0]!.expr : { op: 'and' as const, of: s.items.map((x) => x.expr) }));
    const next = peek();
    if (next?.t === 'close' && !inParens) throw new ConditionError(`unbalanced parentheses: ")" without "(" in "${text.trim()}"`);
    return exprs.length === 1 ? exprs[0]! : { op: 'or', of: exprs };
  }

  function side(): Side {
    const s: Side = { items: [], hasNoun: false };
    for (let tok = peek(); tok && tok.t !== 'or' && tok.t !== 'close'; tok = peek()) {
      if (tok.t === 'noun') {
        s.hasNoun = true;
        i++;
        continue;
      }
      s.items.push(unary());
    }
    return s;
  }

  function unary(): { expr: Expr; span: Span } {
    const tok = tokens[i++]!;
    if (tok.t === 'cond') return { expr: tok.expr, span: tok };
    if (tok.t === 'not' && tok.scope === 'rest') {
      if (!peek() || peek()!.t === 'close') throw new ConditionError(`expected a condition after ${quote(text, tok)}`);
      const inner = or(true);
      return { expr: { op: 'not', of: inner }, span: { start: tok.start, end: tokens[i - 1]!.end } };
    }
    if (tok.t === 'not') {
      while (peek()?.t === 'noun') i++;
      const next = peek();
      if (!next || next.t === 'or' || next.t === 'close' || next.t === 'not') {
        throw new ConditionError(`expected a condition after ${quote(text, tok)}`);
      }
      const grouped = next.t === 'open' && !next.either; // "not (A or B) or C": the parentheses say it
      const operand = unary();
      if (peek()?.t === 'or' && !grouped) {
        const end = sideEnd(i + 1);
        const word = text.slice(tok.start, tok.end).trim();
        const negated = text.slice(tok.end, operand.span.end).trim();
        const other = text.slice(tokens[i]!.end, end).trim();
        throw new ConditionError(
          `"${word} ... or" is ambiguous in "${text.slice(tok.start, end).trim()}": it could mean "${word} (${negated} or ${other})" or "(${word} ${negated}) or ${other}"; add parentheses to say which`,
        );
      }
      return { expr: { op: 'not', of: operand.expr }, span: { start: tok.start, end: operand.span.end } };
    }
    if (tok.t === 'open') {
      const inner = or(true);
      if (tok.either && inner.op !== 'or') throw new ConditionError(`"either" needs an "or" after it (in "${text.slice(tok.start).trim()}")`);
      if (!tok.either) {
        if (peek()?.t !== 'close') throw new ConditionError(`unbalanced parentheses: "(" without ")" in "${text.trim()}"`);
        i++;
      }
      return { expr: inner, span: { start: tok.start, end: tokens[i - 1]!.end } };
    }
    throw new ConditionError(`unexpected ${quote(text, tok)} in "${text.trim()}"`);
  }

  /** Where the side that starts at token `from` ends in the text. */
  function sideEnd(from: number): number {
    let end = tokens[from]?.end ?? text.length;
    for (let k = from; k < tokens.length && tokens[k]!.t !== 'or' && tokens[k]!.t !== 'close'; k++) end = tokens[k]!.end;
    return end;
  }

  const expr = or(false);
  if (i < tokens.length) throw new ConditionError(`unexpected ${quote(text, tokens[i]!)} in "${text.trim()}"`);
  return expr;
}

function spanOf(sides: Side[], join: Token, fallback: Span): Span {
  const spans = sides.flatMap((s) => s.items.map((x) => x.span));
  if (spans.length === 0) return fallback;
  return { start: Math.min(join.start, ...spans.map((s) => s.start)), end: Math.max(join.end, ...spans.map((s) => s.end)) };
}

/** The "or" readings check (see the module comment). */
function checkOrSides(sides: Side[], joins: Token[], text: string): void {
  const crowded = sides.some((s) => conditionCount(s.items.map((x) => x.expr)) > 1);
  if (!crowded || sides.every((s) => s.hasNoun)) return;
  const k = sides.findIndex((s, n) => n < sides.length - 1 && (conditionCount(s.items.map((x) => x.expr)) > 1 || conditionCount(sides[n + 1]!.items.map((x) => x.expr)) > 1));
  const left = sides[k]!;
  const right = sides[k + 1]!;
  const near = { start: left.items[left.items.length - 1]!.span.start, end: right.items[0]!.span.end };
  const narrow = `${text.slice(0, near.start)}(${text.slice(near.start, near.end).trim()})${text.slice(near.end)}`.trim();
  throw new ConditionError(
    `"or" is ambiguous in "${text.trim()}": it could join only ${quote(text, left.items.at(-1)!.span)} and ${quote(text, { start: joins[k]!.end, end: right.items[0]!.span.end })}, or everything on each side of it. Say which with parentheses (e.g. "${narrow}") or "either ... or ...", repeat the subject on each side ("healthcare leads over $50k or fintech leads"), or write one rule per case`,
  );
}

// ---------------------------------------------------------------- to the compiled form

/** Pushes "not" down to the atoms (De Morgan), so only atoms are ever negated. */
function negationsDown(e: Expr, negate = false): Expr {
  switch (e.op) {
    case 'atom':
      return negate ? { op: 'not', of: e } : e;
    case 'not':
      return negationsDown(e.of, !negate);
    case 'and':
    case 'or': {
      const of = e.of.map((x) => negationsDown(x, negate));
      return { op: negate ? (e.op === 'and' ? 'or' : 'and') : e.op, of };
    }
  }
}

/** The list of conditions (all must hold) for an expression whose negations sit on atoms. */
function conditionsOf(e: Expr): Condition[] {
  const out: Condition[] = [];
  const add = (x: Expr): void => {
    if (x.op === 'and') x.of.forEach(add);
    else if (x.op === 'atom') pushAtom(out, x.atom, false);
    else if (x.op === 'not') pushAtom(out, (x.of as { atom: Atom }).atom, true);
    else {
      const options: Condition[][] = [];
      const addOption = (o: Expr): void => (o.op === 'or' ? o.of.forEach(addOption) : void options.push(conditionsOf(o)));
      x.of.forEach(addOption);
      if (options.length === 1) out.push(...options[0]!);
      else out.push({ kind: 'either', options });
    }
  };
  add(e);
  return out;
}

/** Expression -> the compiled form. */
export function toConditions(e: Expr): Condition[] {
  return conditionsOf(negationsDown(e));
}

/** How many conditions a side of an "or" holds once ranges are merged ("over $50k and under $100k" is one). */
function conditionCount(items: Expr[]): number {
  const atoms: Condition[] = [];
  let others = 0;
  for (const e of items) {
    if (e.op === 'atom') pushAtom(atoms, e.atom, false);
    else others++;
  }
  return atoms.length + others;
}

type Ranged = Extract<Condition, { kind: 'amount' | 'employees' }>;

/**
 * Adds an atom to an all-must-hold list: "over $50k and under $250k" become one range, a repeated
 * "urgent" counts once; negated atoms are kept as written.
 */
function pushAtom(list: Condition[], atom: Atom, negated: boolean): void {
  const c: Condition = negated ? { ...structuredClone(atom), negated: true } : structuredClone(atom);
  if (!negated && (c.kind === 'amount' || c.kind === 'employees')) {
    const open = list.find((x): x is Ranged => x.kind === c.kind && !('negated' in x) && complements(x, c));
    if (open) {
      mergeInto(open, c);
      return;
    }
  }
  if (c.kind === 'urgent' && list.some((x) => x.kind === 'urgent' && !!(x as { negated?: true }).negated === negated)) return;
  list.push(c);
}

function complements(a: Ranged, b: Ranged): boolean {
  const oneSided = (x: Ranged) => (x.min === undefined) !== (x.max === undefined);
  if (!oneSided(a) || !oneSided(b) || (a.min === undefined) === (b.min === undefined)) return false;
  const ca = a.kind === 'amount' ? a.currency : undefined;
  const cb = b.kind === 'amount' ? b.currency : undefined;
  return (!ca && !cb) || (!!ca && !!cb && ca.code === cb.code && ca.rate === cb.rate);
}

function mergeInto(into: Ranged, from: Ranged): void {
  if (from.min !== undefined) Object.assign(into, { min: from.min, minInclusive: from.minInclusive });
  else Object.assign(into, { max: from.max, maxInclusive: from.maxInclusive });
  if (into.kind === 'amount' && from.kind === 'amount' && into.currency && from.currency) {
    if (from.currency.min !== undefined) into.currency.min = from.currency.min;
    if (from.currency.max !== undefined) into.currency.max = from.currency.max;
  }
}
