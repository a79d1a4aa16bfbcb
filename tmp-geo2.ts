import { compileRule, describeRule, type Roster } from './domain/rules';
const roster: Roster = {
  reps: [{ id: 'sarah', name: 'Sarah Chen' }, { id: 'mark', name: 'Mark Li' }, { id: 'ana', name: 'Ana Souza' }, { id: 'raj', name: 'Raj Patel' }, { id: 'tom', name: 'Tom Baker' }],
  pools: [{ id: 'enterprise', name: 'Enterprise team' }, { id: 'se', name: 'Solutions engineers' }, { id: 'west', name: 'West Coast pod' }, { id: 'smb', name: 'SMB desk' }],
  territories: { 'Pacific Northwest': ['WA', 'OR', 'ID'] },
  competitors: ['Competitor X', 'Gong'],
};
const rules = process.argv.slice(2);
for (const r of rules) {
  try { const c = compileRule(r, 0, roster); console.log('OK ', r, '\n    ', describeRule(c)); }
  catch (e) { console.log('ERR', (e as Error).message); }
}
