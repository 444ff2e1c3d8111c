// Device page: identification, evidence of the last sighting, history from the audit log and
// the lifecycle actions this user may take now (allowed_transitions from the server).
import { get, post } from '../api.js';
import { el, replace, link, facts, table, message } from '../dom.js';
import { statusBadge, stateBadge, inputField } from '../common.js';

// Extra fields each target state asks for (docs/inventory.md, "Lifecycle").
const kActionFields = {
  'confirmed': [],
  'replacement-planned': [['replacement_model', 'Replacement model', { required: true }],
                          ['target_date', 'Target date', { type: 'date', required: true }]],
  'removed': [['removed_by', 'Removed by (default: you)', {}]],
  'waived': [['approver', 'Waiver approved by', { required: true }],
             ['reason', 'Reason for the waiver', { required: true }],
             ['expiry', 'Waiver expires on', { type: 'date', required: true }]],
  'not-restricted': [['reason', 'Why it is not restricted', { required: true }]],
};
const kActionWords = {
  'confirmed': 'Confirm',
  'replacement-planned': 'Plan replacement',
  'removed': 'Record removal',
  'waived': 'Grant waiver',
  'not-restricted': 'Mark not restricted',
  'found': 'Reopen as found',
};

// A snapshot of the audit log (JSON text or object) as an object, or null.
function snapshot(value) {
  if (!value) return null;
  if (typeof value === 'object') return value;
  try { return JSON.parse(value); } catch { return null; }
}

function change(entry) {
  const before = snapshot(entry.before), after = snapshot(entry.after);
  const from = before && before.state, to = after && after.state;
  if (from && to && from !== to) return `${from} \u2192 ${to}`;
  if (to) return to;
  return '';
}

function evidenceTable(evidence) {
  if (!evidence || !evidence.length) {
    return el('p', { class: 'note' }, 'No identification evidence is recorded for the last sighting.');
  }
  if (typeof evidence[0] !== 'object') return el('ul', {}, evidence.map(e => el('li', {}, String(e))));
  return table('What the last scan saw that identifies this device', [
    ['Probe', e => e.probe || ''],
    ['Port', e => e.port === undefined ? '' : String(e.port)],
    ['Field', e => e.field || ''],
    ['Value', e => el('code', {}, e.value === undefined ? '' : String(e.value))],
    ['Rule', e => e.rule || ''],
  ], evidence, { id: 'evidence' });
}

function historyTable(history) {
  if (!history || !history.length) return el('p', { class: 'note' }, 'No recorded change.');
  return table('Audit log entries about this device, oldest first', [
    ['#', h => String(h.seq)],
    ['When', h => h.at],
    ['Who', h => h.actor],
    ['What', h => h.action],
    ['Change', h => change(h)],
    ['Note', h => h.note || ''],
  ], history, { id: 'history' });
}

function actionsForm(device, onDone) {
  const allowed = device.allowed_transitions || [];
  if (!allowed.length) {
    return el('p', { class: 'note', id: 'no-actions' }, 'Your role allows no lifecycle change of this device now.');
  }
  const status = el('div', { id: 'action-status', 'aria-live': 'polite' });
  const extra = el('div', { class: 'action-fields' });
  const choices = el('fieldset', { class: 'choices' }, el('legend', {}, 'Change the state to'),
    allowed.map((to, i) => el('p', { class: 'field check' },
      el('input', { type: 'radio', name: 'to', id: 'to-' + to, value: to, checked: i === 0 }),
      el('label', { for: 'to-' + to }, `${kActionWords[to] || to} (${to})`))));
  const note = el('p', { class: 'field' }, el('label', { for: 'a-note' }, 'Note (why; ticket, order)'),
    el('textarea', { id: 'a-note', name: 'note', rows: 2, required: true }));
  const button = el('button', { type: 'submit', id: 'action-submit' }, 'Record');
  const form = el('form', { class: 'actions', id: 'action-form' }, choices, extra, note, el('p', {}, button), status);
  const showFields = () => {
    const to = form.querySelector('input[name=to]:checked').value;
    replace(extra, (kActionFields[to] || []).map(([name, label, attrs]) =>
      inputField('a-' + name, label, Object.assign({ autocomplete: 'off' }, attrs))));
    button.textContent = kActionWords[to] || 'Record';
  };
  choices.addEventListener('change', showFields);
  showFields();
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const to = form.querySelector('input[name=to]:checked').value;
    const body = { to, note: form.querySelector('#a-note').value.trim() };
    for (const [name] of kActionFields[to] || []) {
      const v = form.querySelector('#a-' + name).value.trim();
      if (v) body[name] = v;
    }
    button.disabled = true;
    replace(status);
    try {
      await post(`/devices/${device.id}/transitions`, body);
      await onDone(`Recorded: ${device.state} \u2192 ${to}.`);
    } catch (e) {
      replace(status, message('error', e.message));
      button.disabled = false;
    }
  });
  return form;
}

export async function renderDevice(main, { args }) {
  const id = args[0];
  const show = async notice => {
    const d = await get('/devices/' + encodeURIComponent(id));
    document.title = `Device ${d.id} - phaseout`;
    const title = [d.manufacturer || 'Maker unknown', d.model].filter(Boolean).join(' ');
    replace(main,
      el('p', { class: 'crumbs' }, link('/devices', 'Devices'), ' / ', link('/site/' + encodeURIComponent(d.site), d.site)),
      el('h1', {}, `Device ${d.id}: ${title}`),
      notice ? message('ok', notice) : null,
      el('p', {}, statusBadge(d.status), ' ', stateBadge(d.state),
        d.overdue ? [' ', el('span', { class: 'badge overdue' }, 'overdue'), ' ', d.overdue_reason || ''] : null),
      el('div', { class: 'two' },
        el('section', {}, el('h2', {}, 'Identification'), facts([
          ['Address', d.ip], ['MAC', d.mac], ['Serial', d.serial], ['Maker', d.manufacturer], ['Brand', d.brand],
          ['Type', d.device_type], ['Model', d.model], ['Firmware', d.firmware],
          ['Prohibited under', d.prohibited], ['To review under', d.review],
          ['Site', d.site], ['Department', d.department],
          ['First seen', d.first_seen], ['Last seen', d.last_seen], ['Missed scans', d.missed_scans ? String(d.missed_scans) : ''],
          ['Matched by', d.match_rule],
        ])),
        el('section', {}, el('h2', {}, 'Lifecycle'), facts([
          ['State', d.state], ['Since', d.state_since], ['Before', d.prior_state],
          ['Replacement', d.replacement_model], ['Target date', d.target_date], ['Removed by', d.removed_by],
          ['Waiver approver', d.waiver_approver], ['Waiver reason', d.waiver_reason],
          ['Waiver expires', d.waiver_expiry ? d.waiver_expiry + (d.waiver_expired ? ' (expired)' : '') : ''],
          ['Reason', d.reason],
        ]),
        el('h3', {}, 'Actions'),
        actionsForm(d, show))),
      el('section', {}, el('h2', {}, 'Evidence'), evidenceTable(d.evidence)),
      el('section', {}, el('h2', {}, 'History'), historyTable(d.history)));
    if (notice) main.querySelector('.msg-ok').focus?.();
  };
  await show('');
}
