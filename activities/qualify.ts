import { extractFacts, factsFromLlm, factsPrompt, llmFactsSchema, type FactContext, type Facts } from '../domain/facts';
import type { Lead } from '../domain/lead';
import { ProviderAuthError } from '../domain/errors';
import { understandReply, replyFromLlm, replyPrompt, llmReplySchema, type ReplyContext, type ReplyIntent } from '../domain/reply';
import type { ActivityDeps } from './deps';

export function factContext(deps: ActivityDeps): FactContext {
  const { team } = deps;
  return { competitors: team.competitors, territories: team.territories, companyName: team.company.name };
}

export function qualifyActivities(deps: ActivityDeps) {
  return {
    /** Facts from fields and the buyer's words: the LLM when configured, else the deterministic extractor. */
    async qualifyLead({ workflowId, lead }: { workflowId: string; lead: Lead }): Promise<Facts> {
      const ctx = factContext(deps);
      const llm = deps.providers.llm;
      if (!llm) return extractFacts(lead, ctx);
      try {
        const { value, usage } = await llm.completeJson({ name: 'extract_facts', ...factsPrompt(lead, ctx), schema: llmFactsSchema });
        deps.log?.('info', 'llm usage', { workflowId, task: 'extract_facts', ...usage });
        return factsFromLlm(value, lead, ctx);
      } catch (err) {
        if (err instanceof ProviderAuthError) throw err;
        const facts = extractFacts(lead, ctx);
        return { ...facts, notes: [...facts.notes, `LLM extraction failed (${(err as Error).message}); used the deterministic extractor`] };
      }
    },

    /** Only called when an LLM is configured; its choice is validated against the proposals. */
    async classifyReply({ workflowId, text, ...ctx }: { workflowId: string; text: string } & ReplyContext): Promise<ReplyIntent> {
      const llm = deps.providers.llm;
      if (!llm) return understandReply(text, ctx);
      try {
        const { value, usage } = await llm.completeJson({ name: 'classify_reply', ...replyPrompt(text, ctx), schema: llmReplySchema });
        deps.log?.('info', 'llm usage', { workflowId, task: 'classify_reply', ...usage });
        return replyFromLlm(value, text, ctx);
      } catch (err) {
        if (err instanceof ProviderAuthError) throw err;
        return understandReply(text, ctx);
      }
    },
  };
}
