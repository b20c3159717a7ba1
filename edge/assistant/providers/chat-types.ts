/**
 * The one interface every language model sits behind (OpenAI-compatible servers, a local GGUF file),
 * and the messages it takes. README.md in edge/assistant explains the channels.
 */

/** What the model may call: JSON Schema parameters (TypeBox builds them). Effects are the tool layer's business. */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  /** A JSON Schema object (TypeBox's `Type.Object(...)` is one). */
  readonly parameters: object;
}

/** A call the model made, with its arguments parsed from JSON. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly args: unknown;
}

/**
 * Material that is data, never instructions: retrieved manual text, telemetry strings, alert context.
 * `kind` and `label` tell the model what it is and how to cite it (`label` is the citation key).
 */
export interface ContextItem {
  readonly kind: 'manual' | 'telemetry' | 'alert' | 'finding' | 'asset' | 'note';
  /** How the model refers to it, e.g. "M3" for the third manual excerpt of the turn. */
  readonly label: string;
  /** Where it came from, shown with it: "Centrifugal pump manual › Troubleshooting › High vibration, p. 12". */
  readonly source: string;
  readonly text: string;
}

/**
 * The conversation as the provider sees it. Trusted channels: `system` (ours) and `user` (the operator's
 * words). Data channels, rendered inside labelled envelopes and never followed as instructions:
 * `context` (retrieved or live material) and `tool` (a tool's result, answering the call with `toolCallId`).
 */
export type ChatMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly content: string; readonly toolCalls?: readonly ToolCall[] }
  | { readonly role: 'tool'; readonly toolCallId: string; readonly name: string; readonly result: unknown; readonly isError?: boolean }
  | { readonly role: 'context'; readonly items: readonly ContextItem[] };

export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly ToolSpec[];
  /** Aborting it stops the reply: the HTTP request is aborted, or local generation stops. */
  readonly signal: AbortSignal;
  readonly temperature?: number;
  readonly maxTokens?: number;
}

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

/** `cancelled`: the request's signal was aborted (the operator stopped the reply). */
export type FinishReason = 'stop' | 'tool_calls' | 'length' | 'content_filter' | 'cancelled';

export type ChatErrorCode =
  /** the server could not be reached, or the connection broke */
  | 'connection'
  /** no response headers within `timeouts.connectMs` */
  | 'connect_timeout'
  /** no chunk within `timeouts.firstTokenMs` / `timeouts.idleMs` */
  | 'idle_timeout'
  | 'rate_limited'
  | 'server_error'
  /** 401/403: the key is missing or wrong */
  | 'auth'
  /** 404: usually a model name the server does not have */
  | 'not_found'
  /** 400/422: the server refused the request */
  | 'bad_request'
  /** a chunk that is not valid JSON, or an error object inside the stream */
  | 'malformed_stream'
  /** the stream ended without a finish reason */
  | 'truncated'
  /** a tool call whose arguments are not valid JSON (not fatal: other calls and the reply go on) */
  | 'invalid_tool_arguments'
  /** the local model failed */
  | 'local_model';

/**
 * What a reply streams. Every stream ends with exactly one `done` or one fatal `error`.
 * `tool_call`s come complete (arguments assembled and parsed) before `done`, in the order the model made
 * them. `retry` says a failed attempt is being retried (only before anything else was delivered).
 */
export type ChatEvent =
  | { readonly type: 'text'; readonly delta: string }
  | { readonly type: 'tool_call'; readonly id: string; readonly name: string; readonly args: unknown }
  | { readonly type: 'done'; readonly finishReason: FinishReason; readonly usage?: TokenUsage }
  | { readonly type: 'retry'; readonly attempt: number; readonly delayMs: number; readonly reason: string }
  | ChatErrorEvent;

export interface ChatErrorEvent {
  readonly type: 'error';
  readonly code: ChatErrorCode;
  /** For a person: what went wrong, where (URL, model, file) and what to do. */
  readonly message: string;
  /** A fatal error ends the stream; a non-fatal one (invalid tool arguments) does not. */
  readonly fatal: boolean;
  /** True when text or tool calls were delivered before a fatal error: the reply is incomplete. */
  readonly partial: boolean;
  readonly status?: number;
  /** Set for `invalid_tool_arguments`: the call, with what the model sent. */
  readonly toolCall?: { readonly id: string; readonly name: string; readonly rawArguments: string };
}

export interface ChatProvider {
  /** `openai` or `llama-cpp` */
  readonly id: string;
  readonly model: string;
  chat(request: ChatRequest): AsyncIterable<ChatEvent>;
  /** Releases connections or the loaded model. */
  close(): Promise<void>;
}
