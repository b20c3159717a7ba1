import { h } from '../dom.js';

/**
 * The assistant's text as the page shows it: line breaks kept (the element is pre-wrap), `**bold**`
 * as bold — the only markup the assistant writes. Everything else stays text: nothing in an answer
 * becomes HTML.
 */
export function chatText(text: string): HTMLElement {
  const parts = text.split(/\*\*(.+?)\*\*/s);
  return h('div', { class: 'chat-text' }, parts.map((part, index) => (index % 2 === 1 ? h('strong', {}, part) : part)));
}
