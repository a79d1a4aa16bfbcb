import { extractFacts, factsFromLlm, factsPrompt, llmFactsSchema, type FactContext, type Facts } from '../domain/qualify/facts';
import type { Lead } from '../domain/qualify/lead';
import { understandReply, type ReplyContext, type ReplyIntent } from '../domain/converse/reply';
import { llmReplySchema, replyFromLlm, replyPrompt } from '../domain/converse/reply-llm';
import type { ActivityDeps } from './deps';
import { withLlm } from './llm';

export function factContext(deps: ActivityDeps): FactContext {
  const { team } = deps;
  return { competitors: team.competitors, territories: team.territories, currencies: team.currencies ?? {}, companyName: team.company.name };
}

export function qualifyActivities(deps: ActivityDeps) {
  return {
    /**
     * Facts from fields and the buyer's words: the deterministic extractor always, plus the LLM's
     * grounded facts when one is configured (domain/qualify/facts.ts `factsFromLlm`).
     */
    async qualifyLead({ workflowId, lead }: { workflowId: string; lead: Lead }): Promise<Facts> {
      const ctx = factContext(deps);
      return withLlm(
        deps,
        workflowId,
        { name: 'extract_facts', ...factsPrompt(lead, ctx), schema: llmFactsSchema },
        (value) => {
          const facts = factsFromLlm(value, lead, ctx);
          // Counts and reasons only: never the buyer's words at info level.
          if (facts.doubt) deps.log?.('info', 'llm disqualification not confirmed; the lead goes on', { workflowId, reason: facts.doubt.reason });
          return facts;
        },
        (failure) => {
          const facts = extractFacts(lead, ctx);
          if (!failure) return facts;
          return { ...facts, notes: [...facts.notes, `LLM extraction failed (${failure}); used the deterministic extractor`] };
        },
      );
    },

    /** Only called when an LLM is configured; its choice is validated against the proposals. */
    async classifyReply({ workflowId, text, ...ctx }: { workflowId: string; text: string } & ReplyContext): Promise<ReplyIntent> {
      return withLlm(
        deps,
        workflowId,
        { name: 'classify_reply', ...replyPrompt(text, ctx), schema: llmReplySchema },
        (value) => replyFromLlm(value, text, ctx),
        () => understandReply(text, ctx),
      );
    },
  };
}
