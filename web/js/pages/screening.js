// Screening upload: a CSV or NDJSON file of purchase lines (the input of `phaseout screen`)
// goes to POST /api/v1/screening; the verdicts come back as a table.
import { post } from '../api.js';
import { el, replace, query, table, facts, message } from '../dom.js';
import { kShippedPolicies, selectField, inputField } from '../common.js';

const kMaxBytes = 8 * 1024 * 1024;  // the server's request body limit

function contentType(file) {
  return /\.(ndjson|jsonl)$/i.test(file.name) ? 'application/x-ndjson' : 'text/csv';
}

// The worst verdict of a line: prohibited > review > unknown > clear.
function worst(verdicts) {
  const order = ['prohibited', 'review', 'unknown', 'clear'];
  let best = 'clear';
  for (const v of verdicts || []) if (order.indexOf(v.status) >= 0 && order.indexOf(v.status) < order.indexOf(best)) best = v.status;
  return best;
}

// The uploaded text of result `r` (its line number in the file), shortened; else a
// passed-through field.
function describe(r, lines) {
  const raw = r.line >= 1 && r.line <= lines.length ? lines[r.line - 1] : '';
  if (raw) return raw.length > 140 ? raw.slice(0, 140) + '\u2026' : raw;
  return Object.values(r.fields || {})[0] || '';
}

function verdictList(verdicts) {
  const shown = (verdicts || []).filter(v => v.status !== 'clear');
  if (!shown.length) return 'clear under every policy checked';
  return el('ul', { class: 'plain' }, shown.map(v => el('li', {},
    el('span', { class: 'badge verdict-' + v.status }, v.status), ` ${v.policy}: ${v.reason || ''}`,
    (v.matches || []).length ? ` (${[...new Set(v.matches.map(m => m.entity_name || m.entity).filter(Boolean))].join(', ')})` : '')));
}

function summaryFacts(summary) {
  if (!summary || typeof summary !== 'object') return null;
  return facts(Object.entries(summary).map(([k, v]) =>
    [k.replace(/_/g, ' '), typeof v === 'object' ? JSON.stringify(v) : String(v)]));
}

export async function renderScreening(main) {
  document.title = 'Screening - phaseout';
  const results = el('div', { id: 'screening-results', 'aria-live': 'polite' });
  const file = el('input', { type: 'file', id: 'f-file', name: 'file', accept: '.csv,.ndjson,.jsonl,text/csv', required: true });
  const button = el('button', { type: 'submit', id: 'screen-submit' }, 'Screen');
  const form = el('form', { class: 'filters', id: 'screening-form' },
    el('p', { class: 'field' }, el('label', { for: 'f-file' }, 'Purchase lines (CSV or NDJSON, as for phaseout screen)'), file),
    selectField('f-policy', 'Policy', kShippedPolicies, '', 'every policy'),
    inputField('f-as_of', 'As of (date)', { type: 'date' }),
    el('p', { class: 'buttons' }, button));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) return;
    if (chosen.size > kMaxBytes) {
      replace(results, message('error', `${chosen.name} is larger than 8 MiB: split it.`));
      return;
    }
    button.disabled = true;
    replace(results, message('info', `Screening ${chosen.name}...`));
    try {
      const q = query({ policy: form.querySelector('#f-policy').value, as_of: form.querySelector('#f-as_of').value });
      const data = await post('/screening' + q, { raw: chosen, type: contentType(chosen) });
      const rows = data.results || [];
      const lines = (await chosen.text()).split(/\r?\n/);
      const flagged = rows.filter(r => worst(r.verdicts) !== 'clear').length;
      replace(results,
        el('h2', {}, 'Results'),
        message(flagged ? 'error' : 'ok', `${rows.length} lines screened, ${flagged} need attention.`),
        summaryFacts(data.summary),
        rows.length ? table(`Verdicts for ${chosen.name}`, [
          ['Line', r => String(r.line)],
          ['Id', r => r.line_id || ''],
          ['Line as uploaded', r => el('code', {}, describe(r, lines))],
          ['Worst', r => el('span', { class: 'badge verdict-' + worst(r.verdicts) }, worst(r.verdicts))],
          ['Verdicts', r => verdictList(r.verdicts)],
        ], rows, { id: 'screening-table' }) : null);
    } catch (e) {
      replace(results, message('error', e.message));
    } finally {
      button.disabled = false;
    }
  });
  replace(main, el('h1', {}, 'Screen purchase lines'),
    el('p', {}, 'Checks each line (supplier, maker, model, description) against the restricted-vendor lists. ' +
                'Nothing is stored.'),
    form, results);
}
