/**
 * Signals in a buyer's words: competitor mentions, urgency, product interest and obvious
 * disqualifications (spam, vendor pitches, students, job seekers, competitor employees). Pure.
 *
 * Disqualification is deliberately conservative: each pattern needs an unmistakable phrase
 * ("I'm a student", "my resume", "we offer SEO services"), never a single word, so real buyers are
 * not turned away. Free email domains (gmail, ...) are not a disqualification.
 */
import type { DisqualificationReason, Fact, Facts, Segment } from './facts';
import { emailDomain, type Lead } from './lead';
import { snippet, termRegex } from '../text-match';

type Found<T> = { value: T; quote: string };

/** Configured competitors named in the text, in config spelling, negated or not ("we're leaving X"). */
export function findMentions(segments: Segment[], competitors: string[]): Fact<string>[] {
  const out: Fact<string>[] = [];
  for (const competitor of competitors) {
    if (!competitor.trim()) continue;
    const re = termRegex(competitor);
    for (const seg of segments) {
      const m = re.exec(seg.text);
      if (m) {
        out.push({ value: competitor, source: seg.source, quote: snippet(seg.text, m.index, m.index + m[0].length, 3) });
        break;
      }
    }
  }
  return out;
}

const NOT_URGENT =
  /\b(?:(?:not|isn['’]?t|is\s+not|nothing|no)\s+(?:(?:super|very|that|too|really|particularly|terribly|an?)\s+)?(?:urgent|time[- ]sensitive|pressing|rush(?:ed)?)|no\s+(?:rush|hurry|urgency|pressure|deadline|immediate\s+need)|not\s+in\s+(?:a|any)\s+(?:rush|hurry)|non[- ]urgent|whenever\s+(?:is\s+)?convenient|at\s+your\s+(?:earliest\s+)?convenience|no\s+specific\s+timeline)\b/i;
const URGENT =
  /\b(?:urgent(?:ly)?(?!\s+care)|asap|a\.s\.a\.p|as\s+soon\s+as\s+(?:possible|we\s+can)|right\s+away|immediately|time[- ]sensitive|emergency|this\s+week|(?:by|before)\s+(?:the\s+)?(?:end\s+of\s+(?:the\s+)?(?:day|week)|eod|eow|tomorrow|today|monday|tuesday|wednesday|thursday|friday|saturday|sunday|next\s+week)|(?:go|going)\s+live\s+(?:by|before|on|this|next\s+week|in\s+(?:a|one|two|\d+)\s+(?:days?|weeks?))|hard\s+deadline|deadline\s+is|top\s+priority|within\s+(?:the\s+next\s+)?(?:\d+|a|one|two|three|a\s+few)\s+(?:days?|business\s+days?)|need(?:s|ed)?\s+(?:it|this|something|a\s+solution)\s+(?:now|today|tomorrow|yesterday))\b/i;

/** true for "urgent", "asap", "this week", "go live by Friday"; false for "not urgent", "no rush". */
export function findUrgency(text: string): Found<boolean> | undefined {
  const neg = NOT_URGENT.exec(text);
  if (neg) return { value: false, quote: snippet(text, neg.index, neg.index + neg[0].length, 2) };
  const pos = URGENT.exec(text);
  if (pos) return { value: true, quote: snippet(text, pos.index, pos.index + pos[0].length, 3) };
  return undefined;
}

const INTEREST = /\b(?:interested\s+in|(?:a\s+)?demo\s+of|pricing\s+(?:for|on)|questions?\s+about|evaluating|learn\s+more\s+about)\s+(?:(?:your|the|a|an|getting|using|buying|learning\s+more\s+about)\s+)*([^.,;:!?\n()]{3,60}?)(?=\s*(?:[.,;:!?\n()]|\s(?:for|to|because|but|so|since|as|and\s+(?:would|want|need|we|i))\b|$))/i;
const VAGUE_INTEREST = /^(?:it|this|that|them|you|more|talking|chatting|a\s+call|a\s+demo|demo|pricing|your\s+product|your\s+company|working\s+together|your\s+services?)$/i;

/** The product or use case the buyer asks about ("interested in your routing add-on"). */
export function findProductInterest(text: string): Found<string> | undefined {
  const m = INTEREST.exec(text);
  const value = m?.[1]?.trim();
  if (!m || !value || VAGUE_INTEREST.test(value)) return undefined;
  return { value, quote: snippet(text, m.index, m.index + m[0].length, 0, 120) };
}

const SPAM =
  /\b(?:online\s+casino|casino\s+bonus|free\s+spins|viagra|cialis|crypto\s+(?:investment|giveaway|signals?)|bitcoin\s+(?:investment|doubler|giveaway)|forex\s+signals?|you(?:['’]ve|\s+have)\s+won\s+(?:a|an|the|\$)|claim\s+your\s+(?:prize|reward|winnings)|lottery\s+winner|nigerian\s+prince|adult\s+(?:content|dating)|make\s+\$?\d+k?\s+(?:a|per)\s+(?:day|week)\s+from\s+home|click\s+here\s+to\s+(?:claim|win))/i;
/** Pitches that are unmistakable on their own. */
const VENDOR_PITCH =
  /\b(?:(?:we|i)\s+(?:can|could|will)\s+(?:help\s+you\s+)?(?:rank|boost|improve|increase|get)\s+your\s+(?:website|site|google\s+rank\w*|ranking|rankings|traffic|seo|domain\s+authority)|(?:first|top)\s+page\s+(?:of|on)\s+google|(?:i|we)\s+(?:noticed|came\s+across|visited)\s+(?:that\s+)?your\s+(?:website|site)(?:\s+\S+){0,8}\s+(?:seo|rank\w*|traffic|design|errors?|issues?)|(?:our|my)\s+(?:agency|team|company)\s+(?:can|will|would\s+love\s+to)\s+(?:build|design|develop|redesign|rebuild)\s+your\s+(?:website|site|app))/i;
/** Offers of services: a pitch only when addressed to us ("your website", "for you"). */
const SERVICE_OFFER =
  /\b(?:i|we)\s+(?:offer|provide|specialize\s+in|sell)\s+(?:\w+\s+){0,2}?(?:seo|web\s+design|website\s+design|link[- ]?building|back[- ]?links?|lead\s+generation|outsourc\w+|offshore\s+development|app\s+development|content\s+writing|guest\s+post\w*|digital\s+marketing)(?:\s+services?)?/i;
const ADDRESSED_TO_US = /\b(?:your\s+(?:website|site|business|company|team|brand|rankings?|traffic|online\s+presence|marketing|blog|domain)|(?:for|to)\s+you)\b/i;
const LINK_SPAM = /\b(?:link[- ]?building|back[- ]?links?|guest\s+post(?:s|ing)?|domain\s+authority|\bDA\s*\d{2})\b/i;
const OFFER_WORDS = /\b(?:offer|provide|services?|packages?|rates|pricing\s+starts|your\s+(?:site|website|blog|domain))\b/i;
const STUDENT =
  /\b(?:i(?:['’]m|\s+am)\s+(?:a|an)\s+(?:[\w-]+\s+){0,2}?student|as\s+a\s+(?:[\w-]+\s+)?student|(?:school|class|college|university|course|uni|student|capstone|homework)\s+(?:project|assignment|paper)|(?:my|our)\s+(?:thesis|dissertation|homework|coursework)|for\s+my\s+(?:class|course|professor|mba\s+class|thesis|dissertation))\b/i;
const JOB_SEEKER =
  /\b(?:(?:i(?:['’]m|\s+am)\s+)?(?:looking|searching)\s+for\s+(?:a\s+|an\s+)?(?:new\s+|full[- ]time\s+|part[- ]time\s+)?(?:job|position|role|internship|employment)(?![-\w])(?!\s+(?:management|based|routing|assignment|mapping|tool|software|platform))|(?:are|is)\s+(?:you|your\s+(?:company|team))\s+(?:currently\s+|still\s+)?hiring|(?:any|your)\s+(?:open\s+)?(?:job|career|employment)\s+(?:openings?|opportunit(?:y|ies)|positions?|vacanc(?:y|ies))|(?:my|attached|attaching)\s+(?:(?:updated|latest)\s+)?(?:resume|résumé|cv)\b|apply(?:ing)?\s+(?:for|to)\s+(?:a|the|an|any|your)\s+(?:[\w-]+\s+)?(?:job|position|role|opening|internship)|(?:interested\s+in|inquir(?:e|ing)\s+about)\s+(?:career|job|employment)\s+opportunit(?:y|ies)|(?:would\s+love|want|like)\s+to\s+(?:join|work\s+(?:for|at|with))\s+(?:your|the)\s+(?:team|company))/i;

/** An obvious non-buyer, judged from the buyer's words. */
export function disqualification(segments: Segment[]): { reason: 'spam' | 'student' | 'job_seeker' | 'vendor_pitch'; quote: string } | undefined {
  const checks: [RegExp, 'spam' | 'vendor_pitch' | 'job_seeker' | 'student'][] = [
    [SPAM, 'spam'],
    [VENDOR_PITCH, 'vendor_pitch'],
    [JOB_SEEKER, 'job_seeker'],
    [STUDENT, 'student'],
  ];
  for (const [re, reason] of checks) {
    for (const seg of segments) {
      const m = re.exec(seg.text);
      if (m) return { reason, quote: snippet(seg.text, m.index, m.index + m[0].length, 2, 120) };
      if (reason === 'vendor_pitch') {
        const offer = SERVICE_OFFER.exec(seg.text);
        if (offer && ADDRESSED_TO_US.test(seg.text)) return { reason, quote: snippet(seg.text, offer.index, offer.index + offer[0].length, 2, 120) };
        const link = LINK_SPAM.exec(seg.text);
        if (link && OFFER_WORDS.test(seg.text)) return { reason, quote: snippet(seg.text, link.index, link.index + link[0].length, 3) };
      }
    }
  }
  const all = segments.map((s) => s.text).join('\n');
  const urls = all.match(/https?:\/\/\S+/g) ?? [];
  if (urls.length >= 3 && all.replace(/https?:\/\/\S+/g, '').trim().split(/\s+/).length < urls.length * 6) {
    return { reason: 'spam', quote: urls[0]!.slice(0, 90) };
  }
  return undefined;
}

function squash(text: string): string {
  return text
    .toLowerCase()
    .replace(/\b(?:inc|llc|ltd|limited|corp|corporation|co|gmbh|plc|sa|ag|bv|pty)\b\.?/g, '')
    .replace(/\.(?:com|io|ai|co|net|org|app|dev)\b/g, '')
    .replace(/[^a-z0-9]/g, '');
}

/** The lead works for a configured competitor: their email domain or company is the competitor's. */
export function competitorEmployer(lead: Pick<Lead, 'email' | 'company'>, competitors: string[]): { reason: 'competitor'; quote: string } | undefined {
  const domain = emailDomain(lead.email);
  const labels = domain.split('.').slice(0, -1);
  const company = lead.company ? squash(lead.company) : '';
  for (const competitor of competitors) {
    const name = squash(competitor);
    if (!name) continue;
    if (labels.some((l) => l.replace(/[^a-z0-9]/g, '') === name)) return { reason: 'competitor', quote: `@${domain}` };
    if (company && company === name) return { reason: 'competitor', quote: lead.company! };
  }
  return undefined;
}

// ---------------------------------------------------------------- a model's disqualification

/**
 * Looser cues than the patterns above: not enough to close a lead on their own, but what Baton's
 * signals must see in a model's quote before the model's disqualification is accepted.
 */
const DISQUALIFICATION_CUES: Record<Exclude<DisqualificationReason, 'competitor'>, RegExp> = {
  spam: /\b(?:casino|free\s+spins|jackpot|viagra|cialis|crypto(?:currency)?|bitcoin|forex|lottery|prize|winnings|giveaway|you\s+(?:have\s+)?won|adult\s+\w+|click\s+(?:here|the\s+link|below)|make\s+money|earn\s+\$?\d+|work\s+from\s+home|guaranteed\s+returns?|investment\s+opportunity)\b|https?:\/\//i,
  student:
    /\b(?:student|students|studying|thesis|dissertation|professor|homework|assignment|coursework|classmates?|semester|capstone|undergrad\w*|grad(?:uate)?\s+school|phd|mba\s+(?:program|class|course)|(?:school|class|college|university|course|research)\s+(?:project|paper|report))\b/i,
  job_seeker:
    /\b(?:resume|résumé|cv|job|jobs|career|careers|hiring|hire\s+me|internship|intern|applying|applicant|candidate|vacanc(?:y|ies)|employment|recruiter|work\s+for\s+you|join\s+your\s+(?:team|company)|(?:for|about|apply\s+(?:for|to)|applying\s+(?:for|to))\s+(?:the|a|an|your|any)\s+(?:[\w-]+\s+){0,3}(?:role|position|opening))\b/i,
  vendor_pitch:
    /\b(?:seo|backlinks?|link[- ]?building|guest\s+post(?:s|ing)?|domain\s+authority|our\s+(?:agency|services|team\s+can|company\s+can)|we\s+can\s+help\s+you\s+(?:rank|grow|increase|boost|get|generate)|outsourc\w+|offshore|white[- ]label|lead\s+generation\s+services|web\s+design|website\s+(?:redesign|design)|development\s+services|marketing\s+services|partnership\s+opportunity|(?:we|i)\s+(?:offer|provide|sell)\b.*\b(?:you|your)\b)/i,
};
const WORKS_AT = /\b(?:(?:i|we)\s*(?:am|are|['’]m|['’]re)\s+(?:at|with|from)|(?:i|we)\s+work\s+(?:at|for|with)|work(?:ing)?\s+(?:at|for)|on\s+the\s+[\w-]+\s+team\s+at)\b/i;

/**
 * Whether Baton's own signals agree with a model's disqualification: its quote must show a cue of
 * that reason (for `competitor`, a configured competitor named as the buyer's employer), and the
 * buyer must show no buying intent (a budget, a company size or a product interest). Otherwise
 * the lead goes on, and `why` says what was missing.
 */
export function confirmsDisqualification(
  reason: DisqualificationReason,
  quote: string,
  facts: Pick<Facts, 'budgetUsd' | 'employees' | 'productInterest'>,
  competitors: string[],
): { confirmed: true } | { confirmed: false; why: string } {
  const intent = [
    facts.budgetUsd && `a budget ($${facts.budgetUsd.value.toLocaleString('en-US')})`,
    facts.employees && `a company size (${facts.employees.value.toLocaleString('en-US')})`,
    facts.productInterest && `an interest in ${JSON.stringify(facts.productInterest.value)}`,
  ].filter((s): s is string => !!s);
  if (intent.length) return { confirmed: false, why: `the buyer also gives ${intent.join(', ')}` };
  const cue =
    reason === 'competitor'
      ? WORKS_AT.test(quote) && competitors.some((c) => c.trim() && termRegex(c).test(quote))
      : DISQUALIFICATION_CUES[reason].test(quote);
  if (!cue) return { confirmed: false, why: `Baton's own signals see no sign of it in that quote` };
  return { confirmed: true };
}
