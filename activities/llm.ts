import { ProviderAuthError } from '../domain/errors';
import type { LlmTask } from '../integrations/providers';
import type { ActivityDeps } from './deps';

/**
 * Runs one LLM task when an LLM is configured, else (or when the model fails for any reason other
 * than credentials) Baton's deterministic logic. Bad credentials surface: retrying cannot fix them.
 */
export async function withLlm<T, R>(
  deps: ActivityDeps,
  workflowId: string,
  task: LlmTask<T>,
  use: (value: T) => R,
  fallback: (reason: string | null) => R,
): Promise<R> {
  const llm = deps.providers.llm;
  if (!llm) return fallback(null);
  try {
    const { value, usage } = await llm.completeJson(task);
    deps.log?.('info', 'llm usage', { workflowId, task: task.name, ...usage });
    return use(value);
  } catch (err) {
    if (err instanceof ProviderAuthError) throw err;
    return fallback((err as Error).message);
  }
}
