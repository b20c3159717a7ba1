import type { AppContext } from '../app/app-context.js';
import { ApiError, type AlertAction } from '../api/api-client.js';
import type { Alert, Role } from '../api-types.js';
import { h } from '../dom.js';
import type { MessageKey, Translator } from '../i18n/translator.js';
import { showDialog } from '../views/dialog.js';
import { describeAlert } from './alert-description.js';

/** The role each action needs (the server checks it too; the page only hides what would be refused). */
const ACTION_ROLES: Readonly<Record<AlertAction, Role>> = {
  acknowledge: 'operator',
  shelve: 'operator',
  unshelve: 'operator',
  comment: 'operator',
  'remove-from-service': 'maintenance',
  'return-to-service': 'maintenance',
};

/** Which actions an alert in its state allows, in the order the page offers them. */
function actionsFor(alert: Alert): AlertAction[] {
  switch (alert.state) {
    case 'active-unacked':
    case 'rtn-unacked':
      return ['acknowledge', 'shelve', 'comment', 'remove-from-service'];
    case 'active-acked':
      return ['shelve', 'comment', 'remove-from-service'];
    case 'shelved':
      return ['unshelve', 'comment', 'remove-from-service'];
    case 'out-of-service':
      return ['return-to-service', 'comment'];
    default:
      return ['comment'];
  }
}

const SHELVE_CHOICES_SECONDS = [15 * 60, 3600, 2 * 3600, 4 * 3600, 8 * 3600] as const;
const DEFAULT_SHELVE_SECONDS = 3600;
const QUICK_REASONS: readonly MessageKey[] = ['reason.maintenancePlanned', 'reason.nuisance', 'reason.sensorRepair'];

/** Asks for confirmation, saying exactly what will happen, then performs the action. True when it was done. */
export function confirmAction(ctx: AppContext, alert: Alert, action: AlertAction): Promise<boolean> {
  const { t } = ctx;
  const effects: string[] = [];
  const body: (HTMLElement | null)[] = [alertSummary(ctx, alert)];
  const recorded = t.t('effect.recorded', { user: ctx.user.name });
  const act = (payload: Record<string, unknown>) => async () => {
    try {
      await ctx.api.act(alert.id, action, payload);
    } catch (error) {
      throw new Error(actionErrorText(t, error));
    }
  };
  const effectList = () => h('ul', { class: 'dialog-effects', 'data-testid': 'effects' }, ...effects.map((text) => h('li', {}, text)));

  switch (action) {
    case 'acknowledge': {
      effects.push(t.t(alert.state === 'rtn-unacked' ? 'effect.ackCloses' : 'effect.ackKeeps'), recorded);
      const comment = textArea(t.t('field.commentOptional'), false);
      return showDialog(t, {
        title: t.t('dialog.acknowledge'),
        body: [...body, effectList(), comment.label],
        confirmLabel: t.t('action.acknowledge'),
        confirm: () => act(comment.value() ? { comment: comment.value() } : {})(),
      });
    }
    case 'shelve': {
      let seconds: number = DEFAULT_SHELVE_SECONDS;
      const effectsHost = h('div');
      const showEffects = () => {
        const until = ctx.now() + seconds * 1000;
        effects.length = 0;
        effects.push(
          t.t('effect.shelveHidden', { until: ctx.formats.dateTime(until), duration: ctx.formats.duration(seconds) }),
          t.t('effect.shelveReturns'),
          recorded,
        );
        effectsHost.replaceChildren(effectList());
      };
      const durations = h(
        'fieldset',
        { class: 'segmented', 'data-testid': 'shelve-duration' },
        h('legend', {}, t.t('field.duration')),
        ...SHELVE_CHOICES_SECONDS.map((choice) =>
          h(
            'label',
            { class: 'segment' },
            h('input', { type: 'radio', name: 'duration', value: String(choice), checked: choice === seconds, onchange: () => ((seconds = choice), showEffects()) }),
            h('span', {}, ctx.formats.duration(choice)),
          ),
        ),
      );
      const reason = textArea(t.t('field.reasonRequired'), true);
      const quick = h(
        'div',
        { class: 'quick-reasons' },
        ...QUICK_REASONS.map((key) => h('button', { type: 'button', class: 'chip-button', onclick: () => reason.set(t.t(key)) }, t.t(key))),
      );
      showEffects();
      return showDialog(t, {
        title: t.t('dialog.shelve'),
        body: [...body, durations, reason.label, quick, effectsHost],
        confirmLabel: t.t('action.shelve'),
        ready: () => reason.value() !== '',
        confirm: () => act({ reason: reason.value(), durationSeconds: seconds })(),
      });
    }
    case 'unshelve':
    case 'return-to-service': {
      effects.push(t.t(alert.conditionActive ? 'effect.backActive' : 'effect.backClear'), recorded);
      const comment = textArea(t.t('field.commentOptional'), false);
      return showDialog(t, {
        title: t.t(action === 'unshelve' ? 'dialog.unshelve' : 'dialog.returnToService'),
        body: [...body, effectList(), comment.label],
        confirmLabel: t.t(action === 'unshelve' ? 'action.unshelve' : 'action.returnToService'),
        confirm: () => act(comment.value() ? { comment: comment.value() } : {})(),
      });
    }
    case 'remove-from-service': {
      effects.push(t.t('effect.outOfService'), recorded);
      const reason = textArea(t.t('field.reasonRequired'), true);
      return showDialog(t, {
        title: t.t('dialog.removeFromService'),
        body: [...body, effectList(), reason.label],
        confirmLabel: t.t('action.removeFromService'),
        danger: true,
        ready: () => reason.value() !== '',
        confirm: () => act({ reason: reason.value() })(),
      });
    }
    case 'comment': {
      effects.push(t.t('effect.comment'), recorded);
      const text = textArea(t.t('field.comment'), true);
      return showDialog(t, {
        title: t.t('dialog.comment'),
        body: [...body, text.label, effectList()],
        confirmLabel: t.t('action.comment'),
        ready: () => text.value() !== '',
        confirm: () => act({ text: text.value() })(),
      });
    }
  }
}

const ACTION_LABELS: Readonly<Record<AlertAction, MessageKey>> = {
  acknowledge: 'action.acknowledge',
  shelve: 'action.shelve',
  unshelve: 'action.unshelve',
  comment: 'action.comment',
  'remove-from-service': 'action.removeFromService',
  'return-to-service': 'action.returnToService',
};

/** The action buttons the user may press for an alert (none for a viewer). */
export function actionButtons(ctx: AppContext, alert: Alert, only?: readonly AlertAction[]): HTMLButtonElement[] {
  return actionsFor(alert)
    .filter((action) => (only === undefined || only.includes(action)) && ctx.can(ACTION_ROLES[action]))
    .map((action) =>
      h(
        'button',
        {
          type: 'button',
          class: action === 'acknowledge' ? 'button primary' : 'button',
          'data-action': action,
          onclick: (event: Event) => {
            event.stopPropagation();
            void confirmAction(ctx, alert, action);
          },
        },
        ctx.t.t(ACTION_LABELS[action]),
      ),
    );
}

function alertSummary(ctx: AppContext, alert: Alert): HTMLElement {
  const asset = ctx.catalog.asset(alert.asset);
  return h(
    'div',
    { class: `dialog-alert priority-${alert.priority}` },
    h('span', { class: `priority-chip priority-${alert.priority}` }, ctx.t.t(`priority.${alert.priority}`)),
    h(
      'div',
      {},
      h('div', { class: 'dialog-alert-asset' }, asset ? `${asset.name} · ${asset.id}` : alert.asset),
      h('div', { class: 'dialog-alert-text' }, describeAlert(alert, ctx.t, ctx.formats, ctx.catalog.unitOf)),
      h('div', { class: 'dialog-alert-state' }, ctx.t.t(`state.${alert.state}`)),
    ),
  );
}

function textArea(labelText: string, required: boolean) {
  const input = h('textarea', { rows: 2, maxLength: 2000, required, name: required ? 'reason' : 'comment' });
  const label = h('label', { class: 'field' }, h('span', { class: 'field-label' }, labelText), input);
  return {
    label,
    value: () => input.value.trim(),
    set: (text: string) => {
      input.value = text;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    },
  };
}

export function actionErrorText(t: Translator, error: unknown): string {
  if (!(error instanceof ApiError)) return t.t('error.network');
  switch (error.status) {
    case 409:
      return t.t('error.conflict', { message: error.message });
    case 403:
      return t.t('error.forbidden', { message: error.message });
    case 404:
      return t.t('error.notFound', { message: error.message });
    case 401:
      return t.t('error.sessionEnded');
    default:
      return t.t('error.refused', { message: error.message });
  }
}
