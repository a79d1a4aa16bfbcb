import { ProviderUnavailable } from '../../domain/errors';

/**
 * Wraps a provider so a share of its calls fail as a provider outage would (retryable), before
 * doing anything. Used by the chaos tests and `BATON_FAULT_RATE` to prove retries lose nothing.
 */
export function withFaults<T extends object>(provider: T, rate: number, random: () => number = Math.random): T {
  if (rate <= 0) return provider;
  return new Proxy(provider, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'constructor') return value;
      return (...args: unknown[]) => {
        if (random() < rate) return Promise.reject(new ProviderUnavailable(`injected fault in ${String(prop)}`));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
