import { h, type Child } from '../dom.js';
import type { Translator } from '../i18n/translator.js';

export interface DialogOptions {
  readonly title: string;
  readonly body: readonly Child[];
  readonly confirmLabel: string;
  /** Whether the confirm button may be pressed now (checked on every input in the dialog). */
  readonly ready?: () => boolean;
  /** Runs on confirm; its error's message is shown in the dialog, which then stays open. */
  readonly confirm: () => Promise<void>;
  readonly danger?: boolean;
}

/** A modal confirmation: says what will happen, runs the action on confirm, shows why it failed. */
export function showDialog(t: Translator, options: DialogOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const problem = h('p', { class: 'dialog-problem', role: 'alert', hidden: true });
    const confirmButton = h('button', { type: 'submit', class: options.danger ? 'button danger' : 'button primary', 'data-action': 'confirm' }, options.confirmLabel);
    const cancelButton = h('button', { type: 'button', class: 'button', 'data-action': 'cancel', onclick: () => dialog.close('cancel') }, t.t('action.cancel'));
    const form = h(
      'form',
      { method: 'dialog', class: 'dialog-form' },
      h('h2', { class: 'dialog-title' }, options.title),
      h('div', { class: 'dialog-body' }, ...options.body),
      problem,
      h('div', { class: 'dialog-buttons' }, cancelButton, confirmButton),
    );
    const dialog = h('dialog', { class: 'dialog', 'aria-label': options.title }, form);
    const refresh = () => (confirmButton.disabled = options.ready ? !options.ready() : false);
    form.addEventListener('input', refresh);
    form.addEventListener('click', refresh);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (confirmButton.disabled) return;
      confirmButton.disabled = true;
      problem.hidden = true;
      options.confirm().then(
        () => dialog.close('done'),
        (error: unknown) => {
          problem.textContent = error instanceof Error ? error.message : String(error);
          problem.hidden = false;
          refresh();
        },
      );
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'done');
    });
    document.body.append(dialog);
    refresh();
    dialog.showModal();
  });
}
