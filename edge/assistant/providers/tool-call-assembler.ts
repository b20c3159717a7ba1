/**
 * Builds whole tool calls from the `delta.tool_calls` fragments of a streamed chat completion.
 *
 * OpenAI sends a call's id and name once, then its arguments in pieces, all under one `index`; parallel
 * calls use further indices. Servers differ: some send a whole call in one chunk, some (Ollama) give every
 * call `index` 0 and tell them apart only by `id`, some repeat the id on every fragment, some omit the index
 * or the id. A fragment carrying an id different from the call at its index therefore starts a new call.
 */

export interface ToolCallFragment {
  readonly index?: number | null;
  readonly id?: string | null;
  readonly function?: { readonly name?: string | null; readonly arguments?: unknown } | null;
}

export type AssembledToolCall =
  | { readonly ok: true; readonly id: string; readonly name: string; readonly args: unknown }
  | { readonly ok: false; readonly id: string; readonly name: string; readonly rawArguments: string; readonly problem: string };

interface PartialCall {
  id: string;
  name: string;
  arguments: string;
}

export class ToolCallAssembler {
  private readonly calls: PartialCall[] = [];
  private readonly byIndex = new Map<number, PartialCall>();
  private lastIndex = 0;

  constructor(private readonly newId: () => string) {}

  get size(): number {
    return this.calls.length;
  }

  add(fragment: ToolCallFragment): void {
    const index = typeof fragment.index === 'number' ? fragment.index : this.lastIndex;
    this.lastIndex = index;
    const id = fragment.id ?? undefined;
    let call = this.byIndex.get(index);
    if (call === undefined || (id !== undefined && id !== '' && id !== call.id)) {
      call = { id: id !== undefined && id !== '' ? id : this.newId(), name: '', arguments: '' };
      this.calls.push(call);
      this.byIndex.set(index, call);
    }
    const name = fragment.function?.name;
    if (typeof name === 'string' && name !== '' && name !== call.name) call.name += name;
    const args = fragment.function?.arguments;
    if (typeof args === 'string') call.arguments += args;
    else if (args !== undefined && args !== null) call.arguments += JSON.stringify(args);
  }

  /** Every call in the order it began, with its arguments parsed; empty arguments mean `{}`. */
  finish(): AssembledToolCall[] {
    return this.calls.map((call) => {
      const raw = call.arguments.trim();
      if (call.name === '') return { ok: false, id: call.id, name: call.name, rawArguments: call.arguments, problem: 'the call has no function name' };
      if (raw === '') return { ok: true, id: call.id, name: call.name, args: {} };
      try {
        return { ok: true, id: call.id, name: call.name, args: JSON.parse(raw) as unknown };
      } catch (error) {
        return { ok: false, id: call.id, name: call.name, rawArguments: call.arguments, problem: (error as Error).message };
      }
    });
  }
}
