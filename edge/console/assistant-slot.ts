import type { ConsoleAssistant } from './assistant-port.js';

/**
 * The assistant the console talks to, attached after the server is built (the runtime creates the
 * assistant later) and possibly replaced; the WebSocket hub and the HTTP routes read it from here.
 */
export class AssistantSlot {
  private assistant: ConsoleAssistant | null = null;
  private readonly listeners = new Set<(assistant: ConsoleAssistant | null) => void>();

  get current(): ConsoleAssistant | null {
    return this.assistant;
  }

  attach(assistant: ConsoleAssistant | null): void {
    this.assistant = assistant;
    for (const listener of [...this.listeners]) listener(assistant);
  }

  /** Called on every attach (null: detached); returns the unsubscribe function. */
  onAttach(listener: (assistant: ConsoleAssistant | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
