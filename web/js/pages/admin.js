// Administration (admin role): users (add), agents (enrolment secrets, revoke). Secrets and
// passwords are shown or typed once and never kept by the page.
import { get, post, api } from '../api.js';
import { el, replace, table, message } from '../dom.js';
import { loadSites, inputField } from '../common.js';

const kRoles = ['admin', 'programme', 'officer', 'site', 'procurement'];

const list = text => text.split(',').map(s => s.trim()).filter(Boolean);

function userForm(onDone) {
  const status = el('div', { id: 'user-status', 'aria-live': 'polite' });
  const form = el('form', { class: 'filters', id: 'user-form', 'aria-label': 'Add a user' },
    inputField('u-name', 'User name', { required: true, autocomplete: 'off' }),
    el('p', { class: 'field' }, el('label', { for: 'u-role' }, 'Role'),
      el('select', { id: 'u-role', name: 'role' }, kRoles.map(r => el('option', { value: r }, r)))),
    inputField('u-departments', 'Departments (comma-separated)', { autocomplete: 'off' }),
    inputField('u-sites', 'Sites (comma-separated)', { autocomplete: 'off' }),
    inputField('u-password', 'Password (at least 12 characters)', { type: 'password', required: true,
                                                                    minlength: 12, autocomplete: 'new-password' }),
    el('p', { class: 'buttons' }, el('button', { type: 'submit', id: 'user-submit' }, 'Add user')),
    status);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const v = id => form.querySelector('#' + id).value.trim();
    try {
      const u = await post('/users', { name: v('u-name'), role: v('u-role'), departments: list(v('u-departments')),
                                       sites: list(v('u-sites')), password: form.querySelector('#u-password').value });
      await onDone(`User ${u.name} (${u.role}) added.`);
    } catch (e) {
      replace(status, message('error', e.message));
    }
  });
  return form;
}

function secretForm(sites) {
  const status = el('div', { id: 'secret-status', 'aria-live': 'polite' });
  const form = el('form', { class: 'filters', id: 'secret-form', 'aria-label': 'Make an enrolment secret' },
    el('p', { class: 'field' }, el('label', { for: 's-sites' }, 'Sites the agent may push for'),
      el('select', { id: 's-sites', multiple: true, size: Math.min(6, Math.max(2, sites.length)) },
        sites.map(s => el('option', { value: s.id }, s.id)))),
    inputField('s-expires', 'Expires in (hours)', { type: 'number', min: 1, max: 720, value: 24 }),
    el('p', { class: 'buttons' }, el('button', { type: 'submit', id: 'secret-submit' }, 'Make secret')),
    status);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const chosen = [...form.querySelector('#s-sites').selectedOptions].map(o => o.value);
    if (!chosen.length) {
      replace(status, message('error', 'Choose at least one site.'));
      return;
    }
    try {
      const r = await post('/agents/secrets', { sites: chosen,
                                                expires_in_s: Math.round(Number(form.querySelector('#s-expires').value) * 3600) });
      replace(status, message('ok', 'One-time enrolment secret (shown once; give it to the agent\'s operator):'),
        el('p', {}, el('code', { id: 'secret-value' }, r.secret)),
        el('p', { class: 'note' }, `phaseout agent enrol --server URL --secret ${r.secret}`));
    } catch (e) {
      replace(status, message('error', e.message));
    }
  });
  return form;
}

export async function renderAdmin(main) {
  const show = async notice => {
    const [users, agents, sites] = await Promise.all([get('/users'), get('/agents'), loadSites()]);
    document.title = 'Administration - phaseout';
    replace(main,
      el('h1', {}, 'Administration'),
      notice ? message('ok', notice) : null,
      el('h2', {}, 'Users'),
      table('Users of the dashboard and the API', [
        ['Name', u => u.name], ['Role', u => u.role], ['Departments', u => (u.departments || []).join(', ')],
        ['Sites', u => (u.sites || []).join(', ')], ['Disabled', u => u.disabled ? 'yes' : ''],
        ['Created', u => u.created_at || ''],
      ], users.users || [], { id: 'user-table' }),
      el('h3', {}, 'Add a user'),
      userForm(show),
      el('h2', {}, 'Site agents'),
      (agents.agents || []).length ? table('Enrolled agents', [
        ['Id', a => String(a.id)], ['Name', a => a.name], ['Sites', a => (a.sites || []).join(', ')],
        ['Enrolled', a => a.created_at || ''],
        ['Key', a => a.revoked ? 'revoked' : el('button', { type: 'button', onclick: async () => {
          try {
            await api('DELETE', '/agents/' + encodeURIComponent(a.id));
            await show(`Agent ${a.name} revoked: it must enrol again.`);
          } catch (e) {
            replace(main.querySelector('#secret-status'), message('error', e.message));
          }
        } }, 'Revoke')],
      ], agents.agents, { id: 'agent-table' }) : el('p', { class: 'note' }, 'No agent has enrolled yet.'),
      el('h3', {}, 'Enrol an agent'),
      secretForm(sites));
  };
  await show('');
}
