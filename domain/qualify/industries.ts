/**
 * Canonical industries and the words that point to them. Pure.
 *
 * Ids are lower-case (hyphenated when two words). Insurance is its own industry, not fintech;
 * pharma and biotech are `life-sciences`, not healthcare (providers, hospitals and clinics are healthcare).
 */
import { phraseAlternation, snippet, WB_END, WB_START } from '../text-match';

export interface Industry {
  id: string;
  label: string;
  /** Phrases that place a company in this industry when a buyer writes them. */
  text: string[];
  /** Extra words accepted in rules, form fields and LLM output ("software", "finance"), too vague for free text. */
  loose: string[];
  /** Words in a company's name ("Mercy Health", "First National Bank"). */
  company: string[];
}

export const INDUSTRIES: readonly Industry[] = [
  {
    id: 'healthcare',
    label: 'Healthcare',
    text: [
      'healthcare', 'health care', 'hospital', 'hospitals', 'health system', 'health systems', 'health network', 'clinic',
      'clinics', 'clinical', 'medical', 'patient', 'patients', 'physician', 'physicians', 'physician group', 'doctors',
      'nurses', 'nursing', 'telehealth', 'telemedicine', 'dental', 'dentist', 'dentists', 'healthtech', 'health tech',
      'home health', 'behavioral health', 'mental health', 'pharmacy', 'pharmacies', 'urgent care', 'EHR', 'EMR', 'hospice',
      'health plan', 'payer', 'payers',
    ],
    loose: ['health', 'hospital & health care', 'medicine', 'providers'],
    company: ['health', 'hospital', 'medical', 'clinic', 'healthcare', 'dental', 'care'],
  },
  {
    id: 'life-sciences',
    label: 'Life sciences',
    text: ['pharma', 'pharmaceutical', 'pharmaceuticals', 'biotech', 'biotechnology', 'life sciences', 'life-sciences', 'drug discovery', 'clinical trials', 'clinical trial', 'medical device', 'medical devices', 'medtech', 'biopharma', 'CRO'],
    loose: ['biology', 'pharmaceutical company'],
    company: ['pharma', 'pharmaceuticals', 'therapeutics', 'biosciences', 'biotech', 'biologics', 'genomics'],
  },
  {
    id: 'fintech',
    label: 'Fintech & financial services',
    text: [
      'fintech', 'bank', 'banks', 'banking', 'neobank', 'credit union', 'credit unions', 'payments', 'payment processing',
      'payment processor', 'lending', 'lender', 'lenders', 'mortgage lender', 'financial services', 'financial institution',
      'financial institutions', 'wealth management', 'asset management', 'investment firm', 'brokerage', 'trading platform',
      'crypto exchange', 'hedge fund', 'private equity', 'venture capital', 'accounts payable',
    ],
    loose: ['finance', 'financial', 'financial technology', 'banking & finance'],
    company: ['bank', 'bancorp', 'financial', 'credit union', 'payments', 'lending', 'securities', 'fintech'],
  },
  {
    id: 'insurance',
    label: 'Insurance',
    text: ['insurance', 'insurer', 'insurers', 'insurtech', 'underwriting', 'reinsurance', 'insurance carrier', 'insurance agency', 'policyholders'],
    loose: [],
    company: ['insurance', 'assurance', 'underwriters'],
  },
  {
    id: 'education',
    label: 'Education',
    text: [
      'education', 'edtech', 'school', 'schools', 'school district', 'school districts', 'university', 'universities',
      'college', 'colleges', 'campus', 'campuses', 'K-12', 'K12', 'higher ed', 'higher education', 'students', 'teachers',
      'faculty', 'academy', 'e-learning', 'elearning', 'online courses', 'bootcamp',
    ],
    loose: ['educational', 'higher-ed', 'learning'],
    company: ['university', 'college', 'school', 'academy', 'institute', 'education', 'learning'],
  },
  {
    id: 'government',
    label: 'Government',
    text: [
      'government', 'public sector', 'federal agency', 'state agency', 'government agency', 'municipal', 'municipality',
      'county government', 'city government', 'city council', 'state government', 'federal government', 'public agency',
      'govtech', 'military', 'armed forces', 'department of defense',
    ],
    loose: ['gov', 'public-sector', 'federal', 'govt', 'public administration'],
    company: ['county', 'city of', 'state of', 'department of', 'ministry'],
  },
  {
    id: 'retail',
    label: 'Retail & e-commerce',
    text: ['retail', 'retailer', 'retailers', 'e-commerce', 'ecommerce', 'online store', 'storefront', 'storefronts', 'DTC', 'D2C', 'direct-to-consumer', 'grocery', 'supermarket', 'supermarkets', 'apparel', 'fashion brand', 'consumer brand', 'Shopify store'],
    loose: ['commerce', 'stores', 'consumer goods', 'cpg'],
    company: ['stores', 'outfitters', 'apparel', 'grocers'],
  },
  {
    id: 'manufacturing',
    label: 'Manufacturing',
    text: ['manufacturing', 'manufacturer', 'manufacturers', 'factory', 'factories', 'plant floor', 'production line', 'production lines', 'assembly line', 'assembly lines', 'industrial', 'OEM', 'machinery', 'fabrication', 'CNC'],
    loose: ['industrials', 'industry 4.0'],
    company: ['manufacturing', 'industrial', 'machinery', 'fabrication', 'steel'],
  },
  {
    id: 'software',
    label: 'Software & SaaS',
    text: ['software company', 'SaaS company', 'SaaS startup', 'SaaS business', 'B2B SaaS', 'software vendor', 'software startup', 'tech company', 'technology company', 'tech startup', 'developer tools', 'dev tools', 'devtools', 'software firm'],
    loose: ['software', 'saas', 'tech', 'technology', 'computer software', 'information technology', 'internet'],
    company: ['software', 'saas'],
  },
  {
    id: 'logistics',
    label: 'Logistics & transportation',
    text: ['logistics', 'shipping company', 'freight', 'trucking', 'supply chain', '3PL', 'warehousing', 'warehouse', 'warehouses', 'fleet management', 'last-mile', 'courier', 'carriers'],
    loose: ['transportation', 'transport', 'shipping'],
    company: ['logistics', 'freight', 'trucking', 'shipping', 'transport'],
  },
  {
    id: 'real-estate',
    label: 'Real estate',
    text: ['real estate', 'property management', 'realtor', 'realtors', 'real estate brokerage', 'proptech', 'REIT', 'commercial property', 'property developer', 'landlord', 'landlords', 'property managers'],
    loose: ['realestate', 'property'],
    company: ['realty', 'properties', 'real estate'],
  },
  {
    id: 'legal',
    label: 'Legal',
    text: ['law firm', 'law firms', 'legal services', 'attorneys', 'attorney', 'lawyers', 'legaltech', 'legal tech', 'litigation', 'paralegals'],
    loose: ['legal', 'law'],
    company: ['law', 'legal', 'llp', 'attorneys'],
  },
  {
    id: 'nonprofit',
    label: 'Nonprofit',
    text: ['nonprofit', 'non-profit', 'not-for-profit', 'charity', 'charities', 'NGO', '501(c)(3)', 'donors'],
    loose: ['non profit', 'ngo'],
    company: ['foundation', 'charity'],
  },
  {
    id: 'hospitality',
    label: 'Hospitality & travel',
    text: ['hospitality', 'hotel', 'hotels', 'hotel chain', 'restaurant', 'restaurants', 'resort', 'resorts', 'travel agency', 'tourism', 'airline', 'airlines'],
    loose: ['travel', 'leisure', 'food service'],
    company: ['hotels', 'hotel', 'resorts', 'restaurants', 'hospitality', 'travel', 'airlines'],
  },
  {
    id: 'energy',
    label: 'Energy & utilities',
    text: ['energy company', 'utility company', 'utilities', 'oil and gas', 'oil & gas', 'solar', 'renewable energy', 'renewables', 'power plant', 'power plants', 'electric utility', 'wind farm', 'energy provider'],
    loose: ['energy', 'power', 'utility', 'oil'],
    company: ['energy', 'solar', 'utilities', 'petroleum'],
  },
  {
    id: 'telecom',
    label: 'Telecommunications',
    text: ['telecom', 'telecommunications', 'wireless carrier', 'mobile operator', 'ISP', 'internet service provider', 'telco'],
    loose: ['telecommunication', 'wireless'],
    company: ['telecom', 'wireless', 'telco'],
  },
  {
    id: 'media',
    label: 'Media & entertainment',
    text: ['media company', 'publishing', 'publisher', 'publishers', 'broadcaster', 'broadcasting', 'newspaper', 'magazine', 'entertainment', 'film studio', 'game studio', 'gaming studio', 'streaming service'],
    loose: ['media', 'gaming', 'games', 'news'],
    company: ['media', 'studios', 'entertainment', 'publishing'],
  },
  {
    id: 'construction',
    label: 'Construction',
    text: ['construction', 'general contractor', 'contractors', 'homebuilder', 'homebuilders', 'builders', 'architecture firm', 'civil engineering'],
    loose: ['building', 'architecture'],
    company: ['construction', 'builders', 'contracting', 'building'],
  },
  {
    id: 'automotive',
    label: 'Automotive',
    text: ['automotive', 'car dealership', 'car dealerships', 'auto dealer', 'auto dealers', 'dealership', 'dealerships', 'automaker', 'automakers', 'car manufacturer'],
    loose: ['auto', 'cars', 'vehicles'],
    company: ['motors', 'automotive', 'auto', 'cars'],
  },
  {
    id: 'professional-services',
    label: 'Professional services',
    text: ['consulting', 'consultancy', 'consulting firm', 'accounting firm', 'CPA firm', 'marketing agency', 'digital agency', 'creative agency', 'staffing agency', 'recruiting firm', 'professional services', 'advisory firm'],
    loose: ['agency', 'agencies', 'consultants', 'accounting', 'staffing'],
    company: ['consulting', 'advisors', 'cpas'],
  },
  {
    id: 'agriculture',
    label: 'Agriculture',
    text: ['agriculture', 'farming', 'farm', 'farms', 'agtech', 'agribusiness', 'growers'],
    loose: ['ag', 'agricultural'],
    company: ['farms', 'growers'],
  },
];

export const INDUSTRY_IDS: readonly string[] = INDUSTRIES.map((i) => i.id);

/** Phrases that must match case-sensitively (acronyms that are also words or parts of words). */
const CASE_SENSITIVE = new Set(['EHR', 'EMR', 'CRO', 'DTC', 'D2C', 'OEM', 'CNC', 'REIT', 'NGO', 'ISP', '3PL']);

function buildIndex(pick: (i: Industry) => string[]): { regex: RegExp; byPhrase: Map<string, string> } {
  const byPhrase = new Map<string, string>();
  for (const industry of INDUSTRIES) {
    for (const phrase of pick(industry)) {
      const key = phrase.toLowerCase().replace(/\s+/g, ' ');
      if (!byPhrase.has(key)) byPhrase.set(key, industry.id);
    }
  }
  const regex = new RegExp(`${WB_START}(?:${phraseAlternation(byPhrase.keys())})${WB_END}`, 'giu');
  return { regex, byPhrase };
}

const TEXT_INDEX = buildIndex((i) => i.text);
const LOOSE_INDEX = buildIndex((i) => [i.id, i.id.replace(/-/g, ' '), i.label.toLowerCase(), ...i.text, ...i.loose]);
const COMPANY_INDEX = buildIndex((i) => i.company);

export interface IndustryMatch {
  id: string;
  index: number;
  end: number;
  quote: string;
}

/** The `[start, end)` and industry of each whole-phrase match, dropping ones inside a longer match. */
function scan(text: string, index: { regex: RegExp; byPhrase: Map<string, string> }, caseSensitiveAcronyms = true): { id: string; index: number; end: number }[] {
  const out: { id: string; index: number; end: number }[] = [];
  index.regex.lastIndex = 0;
  for (const m of text.matchAll(index.regex)) {
    const id = index.byPhrase.get(m[0].toLowerCase().replace(/\s+/g, ' '));
    if (!id) continue;
    if (caseSensitiveAcronyms && CASE_SENSITIVE.has(m[0].toUpperCase()) && m[0] !== m[0].toUpperCase()) continue;
    out.push({ id, index: m.index, end: m.index + m[0].length });
  }
  return out;
}

function pickMostFrequent(matches: { id: string; index: number; end: number }[]): { id: string; index: number; end: number } | undefined {
  const counts = new Map<string, number>();
  for (const m of matches) counts.set(m.id, (counts.get(m.id) ?? 0) + 1);
  let best: { id: string; index: number; end: number } | undefined;
  for (const m of matches) {
    if (!best || counts.get(m.id)! > counts.get(best.id)!) best = m;
  }
  return best;
}

/** The industry a buyer's text points to: the one named most often (ties: the first named). */
export function findIndustry(text: string): IndustryMatch | undefined {
  const best = pickMostFrequent(scan(text, TEXT_INDEX));
  return best && { ...best, quote: snippet(text, best.index, best.end, 2) };
}

/** The industry a company name suggests ("Mercy Health" -> healthcare), if any. */
export function industryFromCompanyName(company: string): string | undefined {
  return pickMostFrequent(scan(company, COMPANY_INDEX))?.id;
}

/**
 * A canonical industry id for a form field, an LLM answer or a rule word: "Healthcare",
 * "Hospital & Health Care", "Banking", "fintech", "SaaS" -> an id; undefined when unknown.
 */
export function canonicalIndustry(name: string): string | undefined {
  const norm = name.trim().toLowerCase().replace(/\s+/g, ' ');
  if (!norm) return undefined;
  const exact = LOOSE_INDEX.byPhrase.get(norm) ?? LOOSE_INDEX.byPhrase.get(norm.replace(/s$/, ''));
  if (exact) return exact;
  return pickMostFrequent(scan(norm, LOOSE_INDEX, false))?.id;
}

/** Every phrase the rule parser accepts for an industry, longest first, with its id. */
export function industryRulePhrases(): Map<string, string> {
  return LOOSE_INDEX.byPhrase;
}

export function industryLabel(id: string): string {
  return INDUSTRIES.find((i) => i.id === id)?.label ?? id;
}
