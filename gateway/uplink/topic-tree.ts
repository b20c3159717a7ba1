import type { MessageClass } from './message-class.js';

/**
 * One topic level (or Sparkplug id) from free text: "/", "+", "#", control characters and runs of
 * white space become "-", so a line called "Line 2 / Packing" is "Line-2-Packing"; empty text is "_".
 */
export function topicLevel(text: string): string {
  const level = text
    .trim()
    .replace(/[\s/+#\u0000-\u001f]+/g, '-')
    .replace(/-{2,}/g, '-');
  return level === '' ? '_' : level;
}

/** Where an asset's messages go when its configuration names no line. */
export const NO_LINE = 'unassigned';
/** The level under the site that holds boxes (rather than lines). */
export const BOX_LEVEL = '_box';

const CLASS_TOPIC: Readonly<Record<MessageClass, string>> = { telemetry: 'telemetry', finding: 'findings', alert: 'alerts' };

/** The JSON topic tree: <prefix>/<site>/<line>/<asset>/{telemetry,findings,alerts} and <prefix>/<site>/_box/<box>/{status,alerts}. */
export class TopicTree {
  readonly #base: string;
  readonly #boxBase: string;
  readonly #lines = new Map<string, string>();

  constructor(prefix: string, site: string, boxId: string) {
    this.#base = `${prefix}/${topicLevel(site)}`;
    this.#boxBase = `${this.#base}/${BOX_LEVEL}/${topicLevel(boxId)}`;
  }

  /** The line each asset belongs to (from the configuration); assets not named here go under "unassigned". */
  setLine(asset: string, line: string | undefined): void {
    this.#lines.set(asset, line === undefined ? NO_LINE : topicLevel(line));
  }

  assetTopic(asset: string, cls: MessageClass): string {
    return `${this.#base}/${this.#lines.get(asset) ?? NO_LINE}/${topicLevel(asset)}/${CLASS_TOPIC[cls]}`;
  }

  /** Alert events that concern no single asset (flood start and end). */
  boxAlertsTopic(): string {
    return `${this.#boxBase}/alerts`;
  }

  /** Retained online/offline state of the box (the will of the JSON connection). */
  statusTopic(): string {
    return `${this.#boxBase}/status`;
  }
}
