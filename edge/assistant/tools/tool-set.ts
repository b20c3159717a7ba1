import { Value } from 'typebox/value';
import type { Logger } from '../../../gateway/logger.js';
import type { AuditLog } from '../../store/audit-log.js';
import type { ToolCall, ToolSpec } from '../providers/chat-types.js';
import { alertDetailsTool, explainFindingTool, listAlertsTool } from './alert-tools.js';
import { assetInfoTool } from './asset-info-tool.js';
import { ToolInputError, type AssistantTool, type ToolContext } from './assistant-tool.js';
import { acknowledgeAlertTool, draftWorkOrderTool } from './effect-tools.js';
import { liveValuesTool } from './live-values-tool.js';
import { searchManualsTool } from './manual-search-tool.js';
import { runModelTool } from './model-run-tool.js';
import { signalHistoryTool } from './signal-history-tool.js';

/**
 * Every tool the model can call. Fixed in code: no configuration adds, removes or changes one, and none
 * writes to a PLC. The two with effects only propose (see ActionBook).
 */
export const ASSISTANT_TOOLS: readonly AssistantTool[] = Object.freeze([
  liveValuesTool,
  signalHistoryTool,
  listAlertsTool,
  alertDetailsTool,
  explainFindingTool,
  runModelTool,
  searchManualsTool,
  assetInfoTool,
  acknowledgeAlertTool,
  draftWorkOrderTool,
]);

export function toolSpecs(tools: readonly AssistantTool[] = ASSISTANT_TOOLS): ToolSpec[] {
  return tools.map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.parameters }));
}

export interface ToolOutcome {
  readonly result: unknown;
  readonly isError: boolean;
}

const AUDIT_DETAIL_CHARS = 2000;

/**
 * Runs the model's tool calls: unknown names and arguments that do not match the schema are answered
 * with an error the model can read (and correct); every call and its result go to the audit log.
 */
export class ToolRunner {
  private readonly byName: ReadonlyMap<string, AssistantTool>;

  constructor(
    private readonly audit: AuditLog,
    private readonly logger: Logger,
    tools: readonly AssistantTool[] = ASSISTANT_TOOLS,
  ) {
    this.byName = new Map(tools.map((tool) => [tool.name, tool]));
  }

  /** `offered`: the names offered in this request; a call to any other tool is refused (an escalation offers no effect tools). */
  async run(call: ToolCall, context: ToolContext, offered?: ReadonlySet<string>): Promise<ToolOutcome> {
    const tool = this.byName.get(call.name);
    if (tool && offered && !offered.has(tool.name)) return this.finish(call, 'assistant', context.user, 'rejected', { error: `the tool "${call.name}" is not available here; use one of: ${[...offered].join(', ')}` });
    if (!tool) return this.finish(call, 'assistant', context.user, 'rejected', { error: `there is no tool "${call.name}"; the tools are: ${[...this.byName.keys()].join(', ')}` });
    if (!Value.Check(tool.parameters, call.args)) {
      const problems = Value.Errors(tool.parameters, call.args)
        .slice(0, 5)
        .map((error) => `${error.instancePath || '(arguments)'} ${error.message}`);
      return this.finish(call, tool.name, context.user, 'rejected', { error: `invalid arguments for ${tool.name}: ${problems.join('; ')}` });
    }
    const target = tool.target(call.args as never);
    try {
      const result = await tool.run(call.args as never, context);
      return this.finish(call, target, context.user, 'ok', result);
    } catch (error) {
      if (error instanceof ToolInputError) return this.finish(call, target, context.user, 'rejected', { error: error.message });
      this.logger.error({ err: error, tool: call.name }, `assistant: tool ${call.name} failed`);
      return this.finish(call, target, context.user, 'failed', { error: `${call.name} failed: ${(error as Error).message}` });
    }
  }

  private finish(call: ToolCall, target: string, user: string, outcome: 'ok' | 'rejected' | 'failed', result: unknown): ToolOutcome {
    const detail = `args=${JSON.stringify(call.args)} result=${JSON.stringify(result)}`;
    this.audit.record({ user, action: `assistant.tool.${call.name}`, target, outcome, detail: detail.length > AUDIT_DETAIL_CHARS ? `${detail.slice(0, AUDIT_DETAIL_CHARS - 1)}…` : detail });
    const isError = outcome !== 'ok';
    return { result: isError ? (result as { error: string }).error : result, isError };
  }
}
