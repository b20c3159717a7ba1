import { ApiError, type ApiClient, type SessionInfo } from '../api/api-client.js';
import { h } from '../dom.js';
import type { Locale, MessageKey, Translator } from '../i18n/translator.js';
import { languageSwitch } from './language-switch.js';

export interface LoginViewOptions {
  readonly t: Translator;
  readonly api: ApiClient;
  /** Why the login page is shown (session ended…), if not at first visit. */
  readonly notice: MessageKey | null;
  readonly loggedIn: (session: SessionInfo) => void;
  readonly chooseLocale: (locale: Locale) => void;
}

/** User name and password; says plainly what went wrong (wrong password, locked out, server unreachable). */
export function loginView(options: LoginViewOptions): HTMLElement {
  const { t, api } = options;
  const name = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: false });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const problem = h('p', { class: 'dialog-problem', role: 'alert', hidden: options.notice === null }, options.notice === null ? '' : t.t(options.notice));
  const submit = h('button', { type: 'submit', class: 'button primary wide' }, t.t('login.submit'));
  const form = h(
    'form',
    { class: 'login-form', 'data-testid': 'login-form' },
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t.t('login.name')), name),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t.t('login.password')), password),
    problem,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    problem.hidden = true;
    api.login(name.value.trim(), password.value).then(
      (session) => options.loggedIn(session),
      (error: unknown) => {
        submit.disabled = false;
        problem.hidden = false;
        problem.textContent = loginErrorText(t, error);
        password.select();
      },
    );
  });
  queueMicrotask(() => name.focus());
  return h(
    'main',
    { class: 'login-page' },
    h(
      'div',
      { class: 'login-card' },
      h('div', { class: 'login-top' }, h('div', { class: 'brand' }, h('span', { class: 'brand-name' }, t.t('app.name'))), languageSwitch(t, options.chooseLocale)),
      h('h1', {}, t.t('login.title')),
      form,
    ),
  );
}

function loginErrorText(t: Translator, error: unknown): string {
  if (!(error instanceof ApiError)) return t.t('error.network');
  if (error.status === 401) return t.t('login.wrong');
  if (error.status === 429) {
    const minutes = Math.max(1, Math.ceil((error.retryAfterSeconds ?? 60) / 60));
    return t.t(error.code === 'locked-out' ? 'login.lockedOut' : 'login.tooMany', { count: minutes });
  }
  if (error.status === 400) return t.t('login.missing');
  return t.t('error.refused', { message: error.message });
}
