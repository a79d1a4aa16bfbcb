export { leadWorkflow } from './lead';
export { poolWorkflow } from './pool';
