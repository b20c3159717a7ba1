import type { ConsoleAssistant, Escalation } from '../assistant-port.js';
import type { AssistantSlot } from '../assistant-slot.js';
import type { ClientConnection } from './client-connection.js';

/** How many recent escalations a client gets when it (re)subscribes to alerts. */
export const RECENT_ESCALATIONS = 20;

/**
 * The assistant's escalations, pushed to every client that follows the alerts; a client that
 * (re)subscribes first gets the recent ones (`replayed: true`), so a reconnecting page sees what it
 * missed. Escalations are few and small: like alert events, they are never dropped for a slow client.
 */
export class EscalationFeed {
  private unsubscribeAssistant: () => void = () => {};
  private readonly unsubscribeSlot: () => void;

  constructor(
    private readonly slot: AssistantSlot,
    private readonly clients: () => Iterable<ClientConnection>,
  ) {
    this.unsubscribeSlot = slot.onAttach((assistant) => this.follow(assistant));
    this.follow(slot.current);
  }

  replayTo(client: ClientConnection): void {
    const recent = this.slot.current?.recentEscalations(RECENT_ESCALATIONS) ?? [];
    for (const escalation of [...recent].reverse()) client.send({ type: 'assistant.escalation', escalation: { ...escalation, cards: [...escalation.cards] }, replayed: true });
  }

  close(): void {
    this.unsubscribeSlot();
    this.unsubscribeAssistant();
  }

  private follow(assistant: ConsoleAssistant | null): void {
    this.unsubscribeAssistant();
    this.unsubscribeAssistant = assistant?.onEscalation((escalation) => this.broadcast(escalation)) ?? (() => {});
  }

  private broadcast(escalation: Escalation): void {
    let frame: string | undefined;
    for (const client of this.clients()) {
      if (!client.followingAlerts) continue;
      frame ??= JSON.stringify({ type: 'assistant.escalation', escalation });
      client.sendText('assistant.escalation', frame);
    }
  }
}
