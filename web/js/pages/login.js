// The sign-in form: POST /api/v1/session, then the first page the role may see.
import { post, ApiError } from '../api.js';
import { el, replace, message } from '../dom.js';

export function renderLogin(main, onSignedIn) {
  const status = el('div', { id: 'login-status', 'aria-live': 'polite' });
  const user = el('input', { id: 'login-user', name: 'user', autocomplete: 'username', required: true });
  const password = el('input', { id: 'login-password', name: 'password', type: 'password',
                                 autocomplete: 'current-password', required: true });
  const button = el('button', { type: 'submit', id: 'login-submit' }, 'Sign in');
  const form = el('form', { class: 'login', id: 'login-form' },
    el('h1', {}, 'Sign in'),
    el('p', { class: 'field' }, el('label', { for: 'login-user' }, 'User name'), user),
    el('p', { class: 'field' }, el('label', { for: 'login-password' }, 'Password'), password),
    el('p', {}, button),
    status);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    button.disabled = true;
    replace(status);
    try {
      const me = await post('/session', { user: user.value, password: password.value });
      onSignedIn(me);
    } catch (e) {
      const text = e instanceof ApiError && e.status === 429
        ? 'Too many failed attempts: wait a while and try again.' : e.message;
      replace(status, message('error', text));
      password.value = '';
      password.focus();
    } finally {
      button.disabled = false;
    }
  });
  replace(main, form);
  user.focus();
}
