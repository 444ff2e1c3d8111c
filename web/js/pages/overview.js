// Overview per policy: devices by state and by site, overdue count, burn-down over time.
import { get } from '../api.js';
import { el, replace, link, query, table, message } from '../dom.js';
import { kStates, loadSites, policiesOf, selectField } from '../common.js';
import { burndownChart } from '../chart.js';
import { navigate } from '../app.js';

export async function renderOverview(main, { params }) {
  const sites = await loadSites();
  const policies = policiesOf(sites);
  const policy = params.get('policy') || policies[0];
  const [data, overdue] = await Promise.all([
    get('/overview' + query({ policy })),
    get('/devices' + query({ policy, overdue: 1, limit: 10 })),
  ]);
  document.title = `Overview ${policy} - phaseout`;

  const picker = selectField('f-policy', 'Policy', policies, policy, null);
  picker.querySelector('select').addEventListener('change', e => navigate('/overview' + query({ policy: e.target.value })));

  const byState = data.by_state || {};
  const stateRows = kStates.concat(Object.keys(byState).filter(s => !kStates.includes(s)))
    .map(state => ({ state, n: byState[state] || 0 }));
  const bySite = data.by_site || [];
  // Open now: the burn-down's last day (replayed from the audit log up to today).
  const burndown = data.burndown || [];
  const open = burndown.length ? burndown[burndown.length - 1].open : bySite.reduce((a, r) => a + (r.open || 0), 0);

  replace(main,
    el('h1', {}, 'Overview'),
    el('form', { class: 'filters', id: 'overview-form' }, picker),
    el('div', { class: 'cards' },
      el('div', { class: 'card' }, el('p', { class: 'big', id: 'overview-overdue' }, String(data.overdue || 0)),
        el('p', {}, link('/devices' + query({ policy, overdue: 1 }), 'overdue'))),
      el('div', { class: 'card' }, el('p', { class: 'big', id: 'overview-open' }, String(open)), el('p', {}, 'open (not removed, waived or cleared)')),
      el('div', { class: 'card' }, el('p', { class: 'big' }, String(bySite.length)), el('p', {}, 'sites'))),
    el('section', {}, el('h2', {}, 'Overdue'),
      (overdue.devices || []).length ? [
        table(`Open devices past a deadline under ${policy}` + (overdue.total > 10 ? ` (the first 10 of ${overdue.total})` : ''), [
          ['Device', d => link('/device/' + d.id, `${d.id}: ${[d.manufacturer, d.model].filter(Boolean).join(' ') || d.ip}`)],
          ['Site', d => link('/site/' + encodeURIComponent(d.site), d.site)],
          ['State', d => d.state],
          ['Why overdue', d => d.overdue_reason || ''],
        ], overdue.devices, { id: 'overdue-table' }),
        el('p', {}, link('/devices' + query({ policy, overdue: 1 }), `All ${overdue.total} overdue devices`)),
      ] : message('ok', 'No device is past its deadline.')),
    el('section', {}, el('h2', {}, 'Burn-down'),
      burndownChart(burndown, `Open devices covered by ${policy} over time`)),
    el('div', { class: 'two' },
      el('section', {}, el('h2', {}, 'Devices by state'),
        table('Every device in your scope (covered by the policy or not) by lifecycle state', [
          ['State', r => link('/devices' + query({ state: r.state }), r.state)],
          ['Devices', r => String(r.n)],
        ], stateRows, { id: 'by-state' })),
      el('section', {}, el('h2', {}, 'Devices by site'),
        bySite.length ? table(`Per site under ${policy}: devices found covered (any state), still open, and overdue`, [
          ['Site', r => link('/site/' + encodeURIComponent(r.site), r.site)],
          ['Covered', r => link('/devices' + query({ policy, site: r.site }), String(r.covered))],
          ['Open', r => String(r.open)],
          ['Overdue', r => r.overdue ? link('/devices' + query({ policy, site: r.site, overdue: 1 }), String(r.overdue)) : '0'],
        ], bySite, { id: 'by-site' }) : message('info', 'No site has devices covered by this policy.'))));
}
