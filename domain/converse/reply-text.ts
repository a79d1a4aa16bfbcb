/**
 * Reading a buyer's message, part 1: the text as it is compared (quoted history dropped, spelling
 * and punctuation evened out, negated boundaries rephrased) and the words that carry an intent.
 * Pure; English only.
 */

/** Drops quoted e-mail history ("> ...", "On Tue, ... wrote:") so old proposals are not re-read. */
export function stripQuoted(text: string): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  for (const line of lines) {
    if (/^\s*>/.test(line)) continue;
    if (/^\s*(?:on .{3,120} wrote:|-{2,}\s*original message\s*-{2,}|from: .+)$/i.test(line)) break;
    out.push(line);
  }
  return out.join('\n');
}

/** Misspellings and shorthand buyers write, mapped to the word the patterns know. */
const SPELLING: [RegExp, string][] = [
  [/\b(?:tmrw|tmrow|tmr|tmrrw|tomorow|tommorow|tommorrow|tomorrrow|tomorroww|2moro|2morrow|2mrw)\b/g, 'tomorrow'],
  [/\b(?:thrusday|thurday|thursay|thrsday|thurdsay)\b/g, 'thursday'],
  [/\b(?:wendesday|wensday|wednsday|wedensday|wednesdy)\b/g, 'wednesday'],
  [/\b(?:tuseday|tuesay|teusday|tusday)\b/g, 'tuesday'],
  [/\b(?:firday|fryday|fridy)\b/g, 'friday'],
  [/\b(?:mondy|monady)\b/g, 'monday'],
  [/\bnxt\b/g, 'next'],
  [/\bw\/(?=\s|\w)/g, 'with '],
  [/\bw\/o\b/g, 'without'],
  [/\bwks?\b/g, 'week'],
  [/\b(?:aftn|arvo|afternon|afteroon)\b/g, 'afternoon'],
  [/\b(?:mornin|mornng|morining)\b/g, 'morning'],
  [/\b(?:pls|plz|plse)\b/g, 'please'],
  [/\b(?:thx|thnx|thanx|tnx|ty)\b/g, 'thanks'],
  [/\bmtg\b/g, 'meeting'],
  [/\bl8r\b/g, 'later'],
  [/\b(?:resched|reschedual|reshedule|rescedule)\b/g, 'reschedule'],
  [/\b(?:cancell?ed|cancelling|canceling|cancell|cancle|cancal)\b/g, 'cancel'],
  [/\bu\b/g, 'you'],
  [/\bcan u\b/g, 'can you'],
  [/\bi'?ll\b/g, "i'll"],
  [/\bim\b/g, "i'm"],
  [/\b(can|don|won|isn|doesn|didn|couldn|wouldn|aren)t\b/g, "$1't"],
];

/** The message as the patterns read it: lower case, one kind of quote and dash, negated boundaries rephrased. */
export function normalize(text: string): string {
  let t = stripQuoted(text)
    .toLowerCase()
    .replace(/[\u2018\u2019\u2032`]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, ' - ');
  for (const [re, word] of SPELLING) t = t.replace(re, word);
  return (
    t
      .replace(/\b([ap])\.m\.?/g, '$1m')
      .replace(/\b(\d{1,2})\s*([ap])\b(?!\w)/g, '$1$2m')
      // "Mon, Jan 12": one date, not two clauses.
      .replace(/\b((?:mon|tue|wed|thu|fri|sat|sun)[a-z]*),\s*(?=(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|\d{1,2}\/\d)/g, '$1 ')
      // Polite phrases that contain a "no"/"not" but never reject anything.
      .replace(/\b(?:no|not a) (?:problem|worries|worry|rush|pressure|biggie)\b/g, ' ')
      .replace(/\bnot (?:a )?(?:big deal|sure|certain)\b/g, ' ')
      .replace(/\bif not\b.*$/g, ' ')
      // Boundaries phrased with a negation: of a time of day, they rule times out ("nothing after
      // 4pm" -> "not after 4pm"); of a day, they bound the range ("no later than Friday" -> "by Friday").
      .replace(/\b(?:not|nothing|no(?:thing)? earlier than|no sooner than) (?:before|until|till)(?=\s+(?:\d|noon|midday|lunch))/g, 'not before')
      .replace(/\bno (?:earlier|sooner) than(?=\s+(?:\d|noon|midday|lunch))/g, 'not before')
      .replace(/\b(?:not|nothing) (?:after|later than)(?=\s+(?:\d|noon|midday|lunch))/g, 'not after')
      .replace(/\bno later than(?=\s+(?:\d|noon|midday|lunch))/g, 'not after')
      .replace(/\b(?:not|nothing|no(?:thing)? earlier than|no sooner than) (?:before|until|till)\b(?!\s+(?:\d|noon|midday|lunch))/g, 'from')
      .replace(/\bno (?:earlier|sooner) than\b/g, 'from')
      .replace(/\b(?:not|nothing) (?:after|later than)\b(?!\s+(?:\d|noon|midday|lunch))/g, 'by')
      .replace(/\bno later than\b/g, 'by')
      // "anything but Thursday", "except 2pm": the rest of the clause is excluded.
      .replace(/\b(?:anything |any day |any time |anytime )?(?:but not|except(?: for)?|other than|apart from|besides)\s+/g, ', not ')
      .replace(/\b(?:anything|any day|any time|anytime) but\s+/g, ', not ')
      .replace(/\b(?:instead of|rather than)\s+/g, ', not ')
      .replace(/(?:\b(?:is|are|i'm|i am|we're|we are)|'s|'re) out\b(?! of)/g, ' unavailable')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

export const CLAUSE_SPLIT = /\s*(?:[;!?]+|\.(?=\s|$)|,|\n|\s-\s|\bbut\b|\bhowever\b|\balthough\b|\bthough\b|\binstead\b)\s*/;

// ---------------------------------------------------------------------------------------------
// Before booking
// ---------------------------------------------------------------------------------------------

export const STRONG_DECLINE = [
  /\b(?:not|no longer|isn't|not really|aren't) (?:really |that |very )?interested\b(?! in (?:mon|tue|wed|thu|fri|sat|sun|the |that|this|those|these|morning|afternoon|evening|option|any of|\d))/,
  /\bunsubscribe\b/,
  /\b(?:remove|take) (?:me|us) (?:off|from)\b|\bremove me\b/,
  /\bopt(?:ing)? out\b/,
  /\bstop (?:e-?mailing|messaging|contacting|texting|calling|reaching out|sending|following up|writing)\b/,
  /^(?:please |pls )?stop[.!]*$/,
  /\b(?:do not|don't|dont) (?:contact|e-?mail|message|text|call|reach out to|follow up with|write to) (?:me|us)\b/,
  /\bleave (?:me|us) alone\b/,
  /\b(?:went|going|gone|go|decided to go|moving forward|moved forward|signed|partnered|chose to go) with (?:another|a different|an?other|someone else|a competitor|your competitor|a competing|other)\b/,
  /\b(?:chose|chosen|picked|selected|found|bought|purchased|signed with|settled on|decided on) (?:another|a different|a competing|an alternative) (?:vendor|solution|provider|tool|product|platform|company|option)\b/,
  /\bno longer (?:need|looking|require|relevant|pursuing|evaluating)\b/,
  /\b(?:not|no longer) (?:a )?(?:good |great |right )?fit\b/,
  /\bnot looking (?:for|to)\b/,
  /\b(?:wrong person|spam)\b/,
];

export const WEAK_DECLINE = [
  /^(?:no|nope|nah)[.!]*$/,
  /\bno,? thanks?\b|\bno thank you\b|\bthanks,? but no\b/,
  /\bnever ?mind\b/,
  /\b(?:i'll|we'll|i will|we will|gonna) pass\b|\bpass for now\b/,
  /\bcancel\b/,
  /\bnot (?:right )?now\b/,
  /\bmaybe (?:later|another time|next (?:year|quarter))\b/,
  /\b(?:we're|we are|i'm|i am) (?:all )?(?:set|good)(?: for now)?[.!]*$/,
  /\bnot the right time\b/,
  /\bchanged (?:my|our) minds?\b/,
];

export const REJECT_ALL = [
  /\b(?:none|neither)\b/,
  /\b(?:any|either|all|both) of (?:these|those|them|the (?:times|options|slots|above))\b.*\b(?:not|n't|cannot)\b/,
  /\b(?:not|n't|cannot|unable to)\b.*\b(?:any|either|all|both) of (?:these|those|them|the (?:times|options|slots|above))\b/,
  /\b(?:those|these|they|the times|the options|the slots|both|all of them)\b (?:all |both )?(?:don't|do not|won't|will not|doesn't|can't|are not|aren't)\b/,
  /\b(?:can't|cannot|couldn't|unable to|won't be able to|not able to) (?:make|do|attend|join) (?:any|either|those|these|them|all)\b/,
  /\b(?:other|different|alternative|another|more|new|additional) (?:times?|days?|dates?|options?|slots?|availability|openings?)\b/,
  /\b(?:something|anything|any ?time|anywhere) else\b/,
  /\bre-?schedule\b/,
  /\bpush (?:it|this|that|things|the meeting) (?:back|out|later)\b/,
];

export const NEGATION =
  /\b(?:not|no|don't|dont|doesn't|doesnt|didn't|can't|cant|cannot|won't|wont|isn't|aren't|wouldn't|couldn't|shouldn't|never|unavailable|busy|booked|taken|conflict|conflicts|clash|clashes|impossible|ooo|out of (?:the )?office|travell?ing|bad|tough|tricky|unable|(?:i'm|i am|we're|we are|i'll be|we'll be|i will be|we will be) (?:off|away))\b/;

export const AFFIRMATIVE =
  /\b(?:yes|yep|yeah|yup|ya|sure|ok|okay|k|sounds (?:good|great|perfect)|works?|perfect|great|good|fine|excellent|let's do|lets do|i'll take|we'll take|book|confirm|go with|go for|that one|lock (?:it|that) in|see you|i'm in|count me in|please|ideal|best)\b/;

export const FLEXIBLE =
  /\b(?:either|any of (?:them|those|these|the (?:times|options|slots))|any (?:one )?(?:works|is fine|is good)|anytime works|any time works|whichever|whatever (?:works|is easiest|suits)|all (?:of them |three |those |these |times )?(?:work|are (?:fine|good|ok|okay))|both (?:work|are (?:fine|good|ok|okay))|don't mind|no preference|flexible|you pick|you choose|your call|up to you|soonest|asap|as soon as possible|earliest (?:possible|available))\b/;

export const INQUIRY =
  /\b(?:anything|any (?:time|times|slots?|openings?|availability|chance|room)|do you have|have you got|got anything|is there|are there|what (?:else|other)|availability|open(?:ings)? (?:on|for))\b/;

// ---------------------------------------------------------------------------------------------
// After booking
// ---------------------------------------------------------------------------------------------

/** Calling the booked meeting off ("please cancel", "we need to cancel", "call it off"). */
export const CANCEL = [
  /\bcancel\b/,
  /\bcall (?:it|this|the (?:meeting|call|demo)) off\b/,
  /\b(?:scrap|drop|kill|nix) (?:it|the (?:meeting|call|demo))\b/,
  /\b(?:won't|will not|don't|do not|no longer) (?:need|want) (?:the |this |a |our )?(?:meeting|call|demo|it)\b/,
  /\b(?:won't|will not|can't|cannot) (?:be able to )?(?:make it|attend|join|come) (?:at all|anymore|any more)\b/,
  /\b(?:take|put) (?:it|this) off (?:the|your|my) calendar\b/,
];

/** Asking for another time for the booked meeting, in so many words. */
export const RESCHEDULE = [
  /\bre-?schedule\b/,
  /\b(?:move|moving|shift|bump|push|postpone|rearrange|delay)\b(?! forward with| ahead with)/,
  /\b(?:change|switch|swap) (?:it|this|that|the (?:time|day|date|meeting|call|demo)|our (?:meeting|call|demo)|to)\b/,
  /\bbring (?:it|this|the (?:meeting|call|demo)) (?:forward|up|earlier)\b/,
  /\b(?:other|different|alternative|another|new|later|earlier) (?:times?|days?|dates?|slots?|options?)\b/,
  /\b(?:something|anything|any ?time) else\b/,
  /\binstead\b/,
];

/** The booked time no longer suits, without saying what would ("something came up"): a cancel said as well wins. */
export const CANNOT_MAKE_IT = [
  /\bsomething (?:came|has come|'s come) up\b|\bsomething urgent\b|\bchange of plans?\b/,
  /\b(?:can't|cannot|can no longer|won't be able to|will not be able to|unable to|not able to|couldn't|won't) (?:make it|make|attend|do it|join|be there)\b/,
  /\b(?:doesn't|does not|won't|will not|no longer) work\b/,
  /\b(?:a )?conflict\b|\bdouble[- ]booked\b|\bclash(?:es)?\b/,
];

/** Keeping the booked time after all ("never mind, keep it", "the original time is fine"). */
export const KEEP = /\b(?:keep|stick with|stay with|leave) (?:it|the (?:original|current|existing|same)|our (?:original|current)|things as they are)\b|\b(?:original|current|existing) (?:time|slot|one) (?:is fine|works|is good|is ok|is okay)\b|\bnever ?mind\b|\b(?:all good|we're good|i'm good),? (?:keep|as is)\b/;

/** Saying yes to "Shall I move it there?" (not "see you then", which keeps the meeting as it is). */
export const AGREE =
  /\b(?:yes|yep|yeah|yup|ya|sure|ok|okay|sounds (?:good|great|perfect)|perfect|great|please do|go ahead|do it|let's do (?:it|that)|(?:that )?works(?: for me)?|move it|book it|confirm(?:ed)?|lock it in)\b/;

/** "See you then", "great, thanks!", "perfect 👍". */
export const ACKNOWLEDGE = [
  /\bsee (?:you|ya|u)\b/,
  /\b(?:thanks|thank you|thank u|cheers|much appreciated|appreciate it)\b/,
  /\b(?:great|perfect|awesome|excellent|wonderful|fantastic|brilliant|super|cool|nice|sweet|lovely|amazing)\b/,
  /\b(?:got it|sounds good|sounds great|all good|all set|works for me|that works|noted|confirmed|understood|will do|roger|gotcha|perfecto)\b/,
  /\b(?:looking forward|look forward|talk (?:to you )?(?:soon|then|tomorrow)|speak (?:to you )?(?:soon|then)|chat (?:soon|then))\b/,
  /\b(?:accepted|received|got) the (?:calendar )?invite\b/,
  /^(?:ok|okay|k|kk|yes|yep|yeah|yup|sure|great|perfect|cool|good|fine)[.!]*$/,
  /[\u{1F44D}\u{1F64F}\u{1F60A}\u{1F642}\u{1F600}\u{1F389}\u{2705}\u{1F44C}\u{263A}]/u,
];

/** Questions the agent can answer itself: when the meeting is, whether it is still on. */
export const MEETING_TIME_QUESTION =
  /\b(?:what time|when) (?:is|was|are|'s) (?:it|the (?:meeting|call|demo)|our (?:meeting|call|demo)|we meeting)\b|\b(?:is|are) (?:it|the (?:meeting|call|demo)|we) still (?:on|happening|confirmed)\b|\bstill on\b|\bremind me (?:when|what time)\b/;

/** A question: a question mark, or a sentence that opens like one. */
export const QUESTION =
  /\?|^(?:do|does|did|will|would|could|can|should|shall|is|are|am|was|what|what's|who|who's|whom|how|how's|where|where's|when|which|why|any idea|i was wondering|wondering)\b/;

/** Not a question, but something the rep should know before the meeting ("I'll bring our CTO"). */
export const NOTE_FOR_REP = new RegExp(
  [
    String.raw`\b(?:bring(?:ing)?|invite|inviting|add(?:ing)?|include|join(?:ing)?|attend(?:ing)?|loop(?:ing)? in|cc'?(?:ing)?)\b.*\b(?:colleague|cto|ceo|cfo|coo|vp|boss|manager|team|teammate|partner|engineer|lead|head of|director|someone|co-?worker|@)`,
    String.raw`\b(?:colleague|cto|ceo|cfo|coo|vp|boss|manager|teammate|partner|engineer|director|co-?worker)\b.*\b(?:join|attend|come|be there|sit in)`,
    String.raw`\b(?:running|be|i'm|we're)\b.{0,25}\blate\b|\b(?:mins?|minutes) late\b|\bstuck in traffic\b`,
    String.raw`\bagenda\b|\bslides?\b|\bdeck\b`,
  ].join('|'),
);
