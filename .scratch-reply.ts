import { DateTime } from 'luxon';
import { understandReply } from './domain/reply';
const zone = 'America/Los_Angeles';
const t = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();
const now = t('2026-03-10T10:00');
const A = [{ id: 'a', start: t('2026-03-11T14:00'), end: 0 }, { id: 'b', start: t('2026-03-12T10:00'), end: 0 }, { id: 'c', start: t('2026-03-13T11:30'), end: 0 }];
const B = [{ id: 'x', start: t('2026-03-12T10:00'), end: 0 }, { id: 'y', start: t('2026-03-12T14:00'), end: 0 }, { id: 'z', start: t('2026-03-13T09:00'), end: 0 }];
const phrases = process.argv.slice(2).length ? process.argv.slice(2) : ['2','option 2','the second one','the last','first works','Thursday works','2pm is good','tomorrow morning','tomorrow afternoon','Tue at 2','Friday at 11:30 please','none of these work','next week?','anything Friday morning?','how about next Tuesday afternoon?','anything after 3?','not interested anymore','please stop','we went with another vendor','2pm doesn\'t work','2pm doesn\'t work but Thursday is great','Thursday','yes','sounds good','either works','can we do wed at 2?','Thursday at 10 works for me!','hmm','option 5','no thanks','Thursday doesn\'t work for me, could we do Monday?','the 10am','I can do Friday','Let\'s do the first one','Fri','Weds 2pm','Anything but Thursday','Could you do early next week instead?','I\'m free after 2 on Thursday','Any chance of something on Monday at 9?','No problem, Friday works','The 13th works', 'Thursday or Friday?', 'I\'m busy Wednesday and Thursday', 'is there anything next Tuesday?', '#3', '3 works', 'let\'s do 2', 'I\'ll take the 11:30 slot', 'afternoon is better for me','Thursday morning is perfect'];
for (const p of phrases) {
  console.log(JSON.stringify(p).padEnd(50), 'A:', JSON.stringify(understandReply(p, { proposals: A, now, timezone: zone })));
  if (/thursday|thu/i.test(p)) console.log(''.padEnd(50), 'B:', JSON.stringify(understandReply(p, { proposals: B, now, timezone: zone })));
}
