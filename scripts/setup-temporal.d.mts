export interface TemporalTool {
  name: string;
  env: string;
  wheel: string;
}
export const TOOLS: TemporalTool[];
export function resolveTool(tool: TemporalTool): string | null;
