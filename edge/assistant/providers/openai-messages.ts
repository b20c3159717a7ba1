import type { ChatCompletionFunctionTool, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ChatMessage, ToolSpec } from './chat-types.js';
import { renderContextItems, renderToolResult } from './data-channel.js';

/**
 * The conversation in OpenAI's chat format. Context becomes a user-role message of `<data>` envelopes (never
 * system: data must not gain the authority of instructions), merged with adjacent user-role messages, since
 * several chat templates (Mistral, Gemma) refuse two user turns in a row.
 */
export function toOpenAIMessages(messages: readonly ChatMessage[]): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  const pushUser = (content: string) => {
    const last = out.at(-1);
    if (last?.role === 'user' && typeof last.content === 'string') last.content = `${last.content}\n\n${content}`;
    else out.push({ role: 'user', content });
  };
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        out.push({ role: 'system', content: message.content });
        break;
      case 'user':
        pushUser(message.content);
        break;
      case 'context':
        if (message.items.length > 0) pushUser(renderContextItems(message.items));
        break;
      case 'assistant':
        out.push(
          message.toolCalls !== undefined && message.toolCalls.length > 0
            ? {
                role: 'assistant',
                content: message.content === '' ? null : message.content,
                tool_calls: message.toolCalls.map((call) => ({
                  id: call.id,
                  type: 'function',
                  function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
                })),
              }
            : { role: 'assistant', content: message.content },
        );
        break;
      case 'tool':
        out.push({ role: 'tool', tool_call_id: message.toolCallId, content: renderToolResult(message.result, message.isError) });
        break;
    }
  }
  return out;
}

export function toOpenAITools(tools: readonly ToolSpec[]): ChatCompletionFunctionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: { ...(tool.parameters as Record<string, unknown>) } },
  }));
}
