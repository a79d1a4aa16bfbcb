import { extractFacts } from './domain/facts';
const ctx = { competitors: ['Competitor X', 'Gong'], territories: { 'Pacific Northwest': ['WA', 'OR', 'ID'] } };
const leads = [
 { email: 'jane@mercyhealth.org', company: 'Mercy Health', message: "We're a 2,000-person hospital network in Seattle looking at replacing Competitor X. Budget around $150k, need to go live by Friday." },
 { email: 'a@b.com', message: "I'm a student doing a school project on lead routing." },
 { email: 'a@gmail.com', message: "Hi, we are a bank in Austin, TX with about 500 staff. No rush. Interested in your routing add-on." },
 { email: 'x@gong.io', message: 'Hello there' },
 { email: 'x@seo.com', message: 'We offer SEO services to get your website on the first page of Google.' },
 { email: 'x@a.com', message: 'Are you hiring? Attached my resume.' },
 { email: 'x@a.com', message: 'hi', fields: { state: 'Washington', industry: 'Hospital & Health Care', budget: 5000, timezone: 'Mars/Base' } },
];
for (const l of leads) console.log(JSON.stringify(extractFacts(l as any, ctx)));
