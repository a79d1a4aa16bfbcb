/**
 * Reading a buyer's message, part 4: moves of a meeting relative to where it is ("an hour later",
 * "push it a day", "30 minutes earlier", "same time tomorrow", "Friday instead, same time?").
 * Pure: returns what was said and the text with those words blanked out (same length), so the
 * day and time readers do not take "30 minutes" or "a day later" for anything else.
 */

export type Move =
  /** By a signed amount: days keep the local time of day (DST-correct), minutes are exact. */
  | { kind: 'shift'; days: number; minutes: number }
  /** Later / earlier than it is, by no amount said. */
  | { kind: 'later' }
  | { kind: 'earlier' }
  /** The same time of day, on the day named elsewhere in the message (or any other day). */
  | { kind: 'same_time' };

const NUMBER: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, ten: 10, fifteen: 15, twenty: 20, thirty: 30, forty: 40, 'forty-five': 45, ninety: 90,
  'a couple of': 2, 'couple of': 2, 'a couple': 2, 'a few': 3, few: 3,
};

const AMOUNT = String.raw`(an? hour and a half|one and a half hours?|1\.5 hours?|half an? hour|a half hour|half hour|\d{1,3}(?:\.5)?|an?|one|two|three|four|five|six|seven|eight|ten|fifteen|twenty|thirty|forty-five|forty|ninety|a couple(?: of)?|couple of|a few|few)`;
const UNIT = String.raw`(minutes?|mins?|m|hours?|hrs?|hr|h|days?|weeks?|wks?)?`;
const LATER = 'later|back|out|ahead|after';
const EARLIER = 'earlier|sooner|up|forward|before';
const OBJECT = String.raw`(?:it|this|that|things|us|the (?:meeting|call|demo|time)|our (?:meeting|call|demo)|the start)`;
const VERB = String.raw`(push|move|bump|shift|delay|postpone|slide|bring|pull|start|make it|do it|change it)`;

/** Minutes or days of an amount and unit; null when it is not a duration ("2 people"). */
function amountOf(amount: string, unit: string | undefined): { days: number; minutes: number } | null {
  const a = amount.trim();
  if (/hour and a half|one and a half|1\.5 hour/.test(a)) return { days: 0, minutes: 90 };
  if (/half/.test(a)) return { days: 0, minutes: 30 };
  const n = NUMBER[a] ?? Number(a);
  if (!Number.isFinite(n) || n <= 0) return null;
  const u = (unit ?? '').trim();
  if (/^(?:minutes?|mins?|m)$/.test(u)) return n <= 600 ? { days: 0, minutes: n } : null;
  if (/^(?:hours?|hrs?|hr|h)$/.test(u)) return n <= 24 ? { days: 0, minutes: Math.round(n * 60) } : null;
  if (/^days?$/.test(u)) return n <= 31 ? { days: n, minutes: 0 } : null;
  if (/^(?:weeks?|wks?)$/.test(u)) return n <= 8 ? { days: 7 * n, minutes: 0 } : null;
  // No unit: "push it 30" means minutes, "an hour" was caught above with its unit.
  return n >= 5 && n <= 120 && Number.isInteger(n) ? { days: 0, minutes: n } : null;
}

function sign(direction: string | undefined, verb: string | undefined): number {
  if (direction && new RegExp(`^(?:${EARLIER})$`).test(direction)) return -1;
  if (direction && new RegExp(`^(?:${LATER})$`).test(direction)) return 1;
  return verb && /^(?:bring|pull)$/.test(verb) ? -1 : 1;
}

function blank(text: string, index: number, length: number): string {
  return text.slice(0, index) + ' '.repeat(length) + text.slice(index + length);
}

/** The move a message asks for, if any, and the text with it blanked out. */
export function readMove(text: string): { move: Move | null; text: string } {
  let out = text;
  const found = (re: RegExp): RegExpExecArray | null => {
    const m = re.exec(out);
    if (m) out = blank(out, m.index, m[0].length);
    return m;
  };

  const sameWeek = found(/\b(?:at )?(?:the )?same time next week\b|\bsame time,? a week later\b/);
  if (sameWeek) return { move: { kind: 'shift', days: 7, minutes: 0 }, text: out };

  // "push it back an hour", "move it up by 30 mins", "bump it a day", "delay by 15 minutes"
  const verbFirst = found(
    new RegExp(String.raw`\b${VERB}(?:\s+${OBJECT})?(?:\s+(${LATER}|${EARLIER}))?\s+(?:by\s+)?${AMOUNT}\s*${UNIT}\b(?:\s+(${LATER}|${EARLIER}))?`),
  );
  if (verbFirst) {
    const amount = amountOf(verbFirst[3]!, verbFirst[4]);
    // "make it an hour" is a length, not a move: those verbs need a direction.
    const needsDirection = /^(?:start|make it|do it|change it)$/.test(verbFirst[1]!);
    if (amount && (!needsDirection || verbFirst[2] || verbFirst[5])) {
      const s = sign(verbFirst[5] ?? verbFirst[2], verbFirst[1]);
      return { move: { kind: 'shift', days: s * amount.days, minutes: s * amount.minutes }, text: out };
    }
    out = text;
  }
  // "an hour later", "30 minutes earlier", "a day later", "by an hour later"
  const amountFirst = found(new RegExp(String.raw`\b(?:by\s+)?${AMOUNT}\s*${UNIT}\s+(later|earlier|sooner|back|forward)\b(?!\s+(?:than|this|next))`));
  if (amountFirst) {
    const amount = amountOf(amountFirst[1]!, amountFirst[2]);
    if (amount) {
      const s = sign(amountFirst[3], undefined);
      return { move: { kind: 'shift', days: s * amount.days, minutes: s * amount.minutes }, text: out };
    }
    out = text;
  }
  if (found(/\b(?:the )?(?:next|following) day\b|\bthe day after\b(?! (?:tomorrow|next))/)) {
    return { move: { kind: 'shift', days: 1, minutes: 0 }, text: out };
  }
  if (found(/\b(?:the )?day before\b(?! (?:yesterday))|\b(?:the )?previous day\b/)) return { move: { kind: 'shift', days: -1, minutes: 0 }, text: out };
  if (found(/\b(?:at )?(?:the )?same time\b|\bsame slot\b/)) return { move: { kind: 'same_time' }, text: out };
  // No amount: "push it back", "can we do it later?", "anything earlier?", "move it up"
  const plain = found(
    new RegExp(
      String.raw`\b(?:(push|move|bump|delay|postpone|slide|bring|pull)(?:\s+${OBJECT})?\s+(back|out|later|up|forward|earlier)|(?:do|make|have|start|meet|schedule|something|anything|sometime|bit|little|slightly)\s+(?:it\s+|a bit\s+|a little\s+|slightly\s+)?(later|earlier|sooner))\b(?!\s+(?:one|option|slot|this|next|in the (?:week|month)))`,
    ),
  );
  if (plain) {
    const direction = plain[2] ?? plain[3]!;
    return { move: { kind: sign(direction, plain[1]) < 0 ? 'earlier' : 'later' }, text: out };
  }
  if (found(/\b(?:postpone|delay)\b/)) return { move: { kind: 'later' }, text: out };
  return { move: null, text };
}
