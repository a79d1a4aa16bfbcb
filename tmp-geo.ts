import { compileRule, describeRule, RuleCompileError, type Roster } from './domain/rules';
const roster: Roster = {
  reps: [{ id: 'sarah', name: 'Sarah Chen' }, { id: 'mark', name: 'Mark Li' }, { id: 'ana', name: 'Ana Souza' }, { id: 'raj', name: 'Raj Patel' }, { id: 'tom', name: 'Tom Baker' }],
  pools: [{ id: 'enterprise', name: 'Enterprise team' }, { id: 'se', name: 'Solutions engineers' }, { id: 'west', name: 'West Coast pod' }, { id: 'smb', name: 'SMB desk' }],
  territories: { 'Pacific Northwest': ['WA', 'OR', 'ID'], 'Home Turf': ['Seattle', 'Portland, OR'] },
  competitors: ['Competitor X', 'Gong'],
};
const rules = [
 'Enterprise deals over $100K go to the enterprise team with a solutions engineer from the SE pool',
 'Healthcare companies go to Sarah',
 'West Coast leads go to the West Coast pod',
 'If someone mentions Competitor X, route to Mark',
 'Deals under 20,000 USD go to the SMB desk',
 'Deals between $50k and $250k go to pool enterprise',
 '$1.2M+ deals go to Sarah Chen with Mark',
 'Companies with more than 1000 employees go to the enterprise pod',
 'Leads from fintech go to raj',
 'Leads from Texas go to Tom',
 'EMEA leads belong to Ana',
 'Pacific Northwest leads go to the west group',
 'Leads that bring up HIPAA go to Sarah',
 'Urgent requests go to the SMB team',
 'Healthcare leads over $50k from Texas go to Sarah',
 'Route leads from Canada to Tom',
 'Send leads that mention Gong or "Chorus" to Mark',
 'Home Turf leads are assigned to Tom',
 'Everything else goes to the SMB desk',
 'Healthcare or fintech companies go to Sarah with a solutions engineer',
 'Healthcare companies go to Sara',
 'SMB leads go to the SMB desk',
 'Leads from Texas or California go to Tom',
 'Non-urgent leads go to Tom',
 'Leads over 500 go to Tom',
 'Leads from CA go to Tom',
 'IT companies go to Tom',
 'Companies with 50-200 employees go to the SMB desk',
 'Leads with a budget of at least $250,000 and fewer than 500 employees go to Sarah',
 'Leads from the UK go to Ana',
 'Leads from Germany go to Ana',
 'Sarah handles healthcare leads',
 'Leads mentioning HIPAA and SOC 2 go to Sarah',
];
for (const r of rules) {
  try { const c = compileRule(r, 0, roster); console.log('OK ', r, '\n    ', describeRule(c)); }
  catch (e) { console.log('ERR', (e as Error).message); }
}
