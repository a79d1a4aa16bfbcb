/**
 * Reading a buyer's message, part 2: time zones they name ("5pm Eastern", "2pm PT", "14:00 CET",
 * "3pm London time", "I'm on Central time"). A small table, not a city database: the workflow
 * bundle carries this module for every lead.
 */

/** IANA zone -> the words buyers use for it. Short ones (abbreviations) count only next to a time or before "time". */
const ZONE_WORDS: [string, string[]][] = [
  ['America/New_York', ['eastern', 'east coast', 'et', 'est', 'edt', 'new york', 'nyc', 'ny', 'boston', 'atlanta', 'miami', 'philadelphia', 'dc']],
  ['America/Toronto', ['toronto', 'montreal', 'ottawa']],
  ['America/Chicago', ['central', 'ct', 'cst', 'cdt', 'chicago', 'dallas', 'houston', 'austin', 'minneapolis', 'nashville']],
  ['America/Denver', ['mountain', 'mt', 'mst', 'mdt', 'denver', 'salt lake city', 'boulder']],
  ['America/Phoenix', ['arizona', 'phoenix']],
  ['America/Los_Angeles', ['pacific', 'west coast', 'pt', 'pst', 'pdt', 'los angeles', 'la', 'san francisco', 'sf', 'bay area', 'seattle', 'san diego', 'portland']],
  ['America/Vancouver', ['vancouver']],
  ['America/Anchorage', ['alaska', 'akst', 'akdt']],
  ['Pacific/Honolulu', ['hawaii', 'hst']],
  ['UTC', ['utc', 'gmt', 'zulu']],
  ['Europe/London', ['london', 'uk', 'british', 'bst', 'england']],
  ['Europe/Dublin', ['dublin', 'ireland', 'irish']],
  ['Europe/Paris', ['paris', 'france', 'french']],
  ['Europe/Berlin', ['central european', 'cet', 'cest', 'berlin', 'germany', 'german', 'munich', 'frankfurt']],
  ['Europe/Amsterdam', ['amsterdam', 'netherlands', 'dutch']],
  ['Europe/Madrid', ['madrid', 'barcelona', 'spain']],
  ['Europe/Rome', ['rome', 'milan', 'italy']],
  ['Europe/Zurich', ['zurich', 'switzerland', 'swiss']],
  ['Europe/Stockholm', ['stockholm', 'sweden']],
  ['Europe/Helsinki', ['eet', 'eest', 'helsinki', 'finland']],
  ['Asia/Jerusalem', ['israel', 'tel aviv']],
  ['Asia/Dubai', ['dubai', 'uae']],
  ['Asia/Kolkata', ['ist', 'india', 'indian', 'mumbai', 'bangalore', 'bengaluru', 'delhi', 'pune', 'hyderabad', 'chennai']],
  ['Asia/Singapore', ['sgt', 'singapore']],
  ['Asia/Hong_Kong', ['hkt', 'hong kong']],
  ['Asia/Shanghai', ['china', 'beijing', 'shanghai']],
  ['Asia/Tokyo', ['jst', 'tokyo', 'japan']],
  ['Australia/Sydney', ['aest', 'aedt', 'sydney', 'australian eastern']],
  ['Australia/Melbourne', ['melbourne']],
  ['America/Sao_Paulo', ['sao paulo', 'brazil', 'brt']],
  ['America/Mexico_City', ['mexico city']],
];

const ZONE_BY_WORD = new Map(ZONE_WORDS.flatMap(([zone, words]) => words.map((w) => [w, zone] as const)));
const byLength = (a: string, b: string) => b.length - a.length;
const ALL = [...ZONE_BY_WORD.keys()].sort(byLength).map((w) => w.replace(/ /g, '\\s+')).join('|');
/** Names of three letters or fewer ("et", "pst", "la") are too easily something else on their own. */
const LONG = [...ZONE_BY_WORD.keys()].filter((w) => w.length > 3).sort(byLength).map((w) => w.replace(/ /g, '\\s+')).join('|');

const TIME_WORD = String.raw`(?:\s+(?:time(?:\s*zone)?|tz|timezone))`;
const PATTERNS: RegExp[] = [
  // right after a clock time: "5pm eastern", "14:00 cet", "2 pm (pt)", "3pm london time"
  new RegExp(String.raw`(?<=(?:\d\s*(?:am|pm)|\d[:.]\d\d|\bnoon|\bat\s+\d{1,2})\s*\(?\s*(?:in\s+)?)(${ALL})\b${TIME_WORD}?\)?`, 'g'),
  // before "time": "eastern time", "pt time", "london time"
  new RegExp(String.raw`\b(${ALL})${TIME_WORD}\b`, 'g'),
  // where the buyer is: "I'm in Chicago", "we're based in London"
  new RegExp(String.raw`(?<=\b(?:i'm|i am|we're|we are|i'll be|we'll be|based|located|living)\s+(?:in|on|out of)\s+)(${LONG})\b`, 'g'),
];

/** "my time", "local time": the buyer's own zone, already the default. */
const OWN_TIME = /\b(?:my|our|local) time\b/g;

export interface ZoneMention {
  zone: string;
  index: number;
}

/**
 * The zones a text names, in order, and the text with those words blanked out (same length, so
 * positions still line up) so they are not read as anything else.
 */
export function findZones(text: string): { zones: ZoneMention[]; text: string } {
  let out = text.replace(OWN_TIME, (m) => ' '.repeat(m.length));
  const zones: ZoneMention[] = [];
  for (const re of PATTERNS) {
    re.lastIndex = 0;
    const hits = [...out.matchAll(re)];
    for (const m of hits) {
      const zone = ZONE_BY_WORD.get(m[1]!.replace(/\s+/g, ' '));
      if (!zone) continue;
      zones.push({ zone, index: m.index! });
      out = out.slice(0, m.index!) + ' '.repeat(m[0].length) + out.slice(m.index! + m[0].length);
    }
  }
  zones.sort((a, b) => a.index - b.index);
  return { zones, text: out };
}
