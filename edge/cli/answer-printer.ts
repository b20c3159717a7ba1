import type { ChatCard, ChatStreamMessage } from '../console/ws-messages.js';

type Out = { write(text: string): unknown };

/**
 * Writes an answer of the assistant to a terminal as it streams: the text as it comes, each card as a
 * readable block (live values as a table, an action proposal with its exact arguments), and at the
 * end the manual sections it cites.
 */
export class AnswerPrinter {
  conversationId: string | null = null;
  private readonly sources: string[] = [];
  private atLineStart = true;

  constructor(private readonly out: Out) {}

  print(message: ChatStreamMessage): void {
    switch (message.type) {
      case 'chat.conversation':
        this.conversationId = message.conversationId;
        return;
      case 'chat.delta':
        return this.write(message.text);
      case 'chat.card':
        return this.card(message.card);
      case 'chat.done':
        return this.finish();
    }
  }

  private finish(): void {
    this.newLine();
    if (this.sources.length === 0) return;
    this.write(`\nSources:\n${this.sources.map((source) => `  ${source}\n`).join('')}`);
  }

  private card(card: ChatCard): void {
    const data = (card.data ?? {}) as Record<string, unknown>;
    if (card.kind === 'manual') {
      const section = typeof data['sectionId'] === 'string' ? ` (${data['sectionId']}${typeof data['page'] === 'number' ? `, p. ${data['page']}` : ''})` : '';
      this.sources.push(`${text(data['label']) ? `[${text(data['label'])}] ` : ''}${text(data['citation']) || card.title}${section}`);
      return;
    }
    this.newLine();
    if (card.kind === 'action') {
      this.write(
        `\n▶ Proposed action: ${text(data['summary']) || card.title}\n` +
          `  ${text(data['kind'])} ${JSON.stringify(data['arguments'] ?? {})}, expires ${text(data['expiresAt'])}\n` +
          `  Nothing runs until you confirm it in the console (action ${text(data['actionId'])}).\n`,
      );
      return;
    }
    this.write(`\n■ ${card.title}\n`);
    if (card.kind === 'values' && Array.isArray(data['signals'])) {
      for (const reading of data['signals'] as Record<string, unknown>[]) {
        const value = typeof reading['value'] === 'number' ? `${reading['value']} ${text(reading['unit'])}`.trim() : 'no value';
        const normal = Array.isArray(reading['normal']) ? `, normal ${reading['normal'].join('–')}` : '';
        this.write(`  ${text(reading['signal']).padEnd(20)} ${value.padEnd(14)} ${text(reading['status'])}${normal}\n`);
      }
      return;
    }
    if (card.kind === 'finding') return this.finding(data);
    for (const [key, value] of Object.entries(data)) this.write(`  ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
  }

  private finding(data: Record<string, unknown>): void {
    if (text(data['message'])) this.write(`  ${text(data['message'])}\n`);
    const model = data['model'] as Record<string, unknown> | undefined;
    if (model) this.write(`  anomaly score ${text(model['score'])}, threshold ${text(model['threshold'])}\n`);
    const deviations = Array.isArray(data['deviations']) ? (data['deviations'] as Record<string, unknown>[]) : [];
    for (const deviation of deviations) {
      const value = typeof deviation['value'] === 'number' ? `${deviation['value']} ${text(deviation['unit'])}`.trim() : 'no value';
      const share = typeof deviation['share'] === 'number' ? `${Math.round(deviation['share'] * 100)} % of the score` : text(deviation['status']);
      const sigma = typeof deviation['sigma'] === 'number' ? `, ${deviation['sigma']} σ from normal` : '';
      this.write(`  ${text(deviation['signal']).padEnd(20)} ${value.padEnd(14)} ${share}${sigma}\n`);
    }
  }

  private write(chunk: string): void {
    if (chunk === '') return;
    this.out.write(chunk);
    this.atLineStart = chunk.endsWith('\n');
  }

  private newLine(): void {
    if (!this.atLineStart) this.write('\n');
  }
}

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}
