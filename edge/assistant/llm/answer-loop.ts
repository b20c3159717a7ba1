import type { ChatMessage, ChatProvider, ContextItem, ToolCall } from '../providers/chat-types.js';
import { CitationFilter, type CitationProblem } from '../safety/citation-check.js';
import type { CitationRegistry } from '../safety/citation-registry.js';
import type { AssistantTool, ToolContext } from '../tools/assistant-tool.js';
import { toolSpecs, type ToolRunner } from '../tools/tool-set.js';

export interface AnswerLoopInput {
  readonly provider: ChatProvider;
  readonly system: string;
  /** Earlier turns, already bounded; `summary` of the dropped ones goes with the context. */
  readonly history: readonly ChatMessage[];
  /** Retrieved and live material of this turn (data channel). */
  readonly context: readonly ContextItem[];
  /** The person's words (or our own request for an escalation). */
  readonly request: string;
  readonly tools: readonly AssistantTool[];
  readonly runner: ToolRunner;
  readonly toolContext: ToolContext;
  readonly citations: CitationRegistry;
  /** Requests with tools before the last one, which is made without tools so the model must answer. */
  readonly maxToolRounds: number;
  readonly signal: AbortSignal;
  readonly temperature?: number;
  readonly maxTokens?: number;
  /** Text as it may be shown, citations checked. */
  readonly onText: (delta: string) => void;
}

export interface AnswerLoopResult {
  readonly text: string;
  readonly status: 'complete' | 'cancelled' | 'cut-off';
  readonly citationProblems: readonly CitationProblem[];
  readonly citedLabels: readonly string[];
  readonly toolCalls: number;
}

/** A fatal provider error, with what was shown before it. */
export class AnswerFailedError extends Error {
  override readonly name = 'AnswerFailedError';
  constructor(
    message: string,
    readonly partialText: string,
  ) {
    super(message);
  }
}

/**
 * One answer from a language model: streams text (through the citation check) and runs the tool calls
 * the model makes, feeding their results back as tool messages, for at most `maxToolRounds` rounds.
 */
export async function runAnswerLoop(input: AnswerLoopInput): Promise<AnswerLoopResult> {
  const filter = new CitationFilter(input.citations);
  const messages: ChatMessage[] = [
    { role: 'system', content: input.system },
    ...input.history,
    ...(input.context.length > 0 ? [{ role: 'context', items: input.context } as const] : []),
    { role: 'user', content: input.request },
  ];
  const show = (text: string) => {
    if (text !== '') input.onText(text);
  };
  let toolCalls = 0;
  const offered = new Set(input.tools.map((tool) => tool.name));
  for (let round = 0; ; round++) {
    const offerTools = round < input.maxToolRounds && input.tools.length > 0;
    const calls: ToolCall[] = [];
    const invalid: { id: string; name: string; rawArguments: string; message: string }[] = [];
    let roundText = '';
    let finish: string | null = null;
    for await (const event of input.provider.chat({
      messages,
      ...(offerTools ? { tools: toolSpecs(input.tools) } : {}),
      signal: input.signal,
      ...(input.temperature !== undefined ? { temperature: input.temperature } : {}),
      ...(input.maxTokens !== undefined ? { maxTokens: input.maxTokens } : {}),
    })) {
      if (event.type === 'text') {
        roundText += event.delta;
        show(filter.push(event.delta));
      } else if (event.type === 'tool_call') {
        calls.push({ id: event.id, name: event.name, args: event.args });
      } else if (event.type === 'error') {
        if (!event.fatal && event.toolCall) invalid.push({ ...event.toolCall, message: event.message });
        else if (event.fatal) {
          show(filter.flush());
          throw new AnswerFailedError(event.message, filter.text);
        }
      } else if (event.type === 'done') {
        finish = event.finishReason;
      }
    }
    show(filter.flush());
    const result = (status: AnswerLoopResult['status']): AnswerLoopResult => ({ text: filter.text, status, citationProblems: filter.problems, citedLabels: filter.citedLabels(), toolCalls });
    if (finish === 'cancelled' || input.signal.aborted) return result('cancelled');
    if (!offerTools || (calls.length === 0 && invalid.length === 0)) return result(finish === 'length' ? 'cut-off' : 'complete');
    messages.push({ role: 'assistant', content: roundText, toolCalls: [...calls, ...invalid.map((call) => ({ id: call.id, name: call.name, args: call.rawArguments }))] });
    for (const call of calls) {
      toolCalls += 1;
      const outcome = await input.runner.run(call, input.toolContext, offered);
      messages.push({ role: 'tool', toolCallId: call.id, name: call.name, result: outcome.result, isError: outcome.isError });
    }
    for (const call of invalid) {
      messages.push({ role: 'tool', toolCallId: call.id, name: call.name, result: `the arguments were not valid JSON (${call.message}); call ${call.name} again with valid arguments`, isError: true });
    }
  }
}
