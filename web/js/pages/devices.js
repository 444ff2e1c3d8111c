// Device list: filters (site, department, policy, state, status, maker, overdue), search and
// paging; the filters live in the address (#/devices?site=...) so a view can be bookmarked.
import { get } from '../api.js';
import { el, replace, link, query, table, message } from '../dom.js';
import { kStates, kStatuses, loadSites, loadDepartments, policiesOf, selectField, inputField,
         valueOf, statusBadge, stateBadge } from '../common.js';
import { navigate } from '../app.js';

const kFilters = ['site', 'department', 'policy', 'state', 'status', 'maker', 'overdue', 'q'];
const kPageSize = 50;

export async function renderDevices(main, { params }) {
  const filter = {};
  for (const k of kFilters) filter[k] = params.get(k) || '';
  // Next pages go by cursor (after = the last device of the page before, as fast at any depth;
  // at = how many come before, for the count shown); Previous by offset.
  const offset = Math.max(0, parseInt(params.get('offset') || '0', 10) || 0);
  const after = Math.max(0, parseInt(params.get('after') || '0', 10) || 0);
  const at = after > 0 ? Math.max(0, parseInt(params.get('at') || '0', 10) || 0) : offset;
  const paging = after > 0 ? { after, limit: kPageSize } : { offset, limit: kPageSize };
  const [sites, departments, page] = await Promise.all([
    loadSites(), loadDepartments(),
    get('/devices' + query(Object.assign({}, filter, paging))),
  ]);
  document.title = 'Devices - phaseout';

  const form = el('form', { class: 'filters', id: 'device-filters', role: 'search', 'aria-label': 'Device filters' },
    inputField('f-q', 'Search (address, MAC, serial, maker, model)', { type: 'search', value: filter.q }),
    selectField('f-site', 'Site', sites.map(s => [s.id, s.name ? `${s.name} (${s.id})` : s.id]), filter.site),
    selectField('f-department', 'Department', departments.map(d => [d.id, d.name || d.id]), filter.department),
    selectField('f-policy', 'Policy', policiesOf(sites), filter.policy),
    selectField('f-state', 'State', kStates, filter.state),
    selectField('f-status', 'Status', kStatuses, filter.status),
    inputField('f-maker', 'Maker', { value: filter.maker }),
    el('p', { class: 'field check' },
      el('input', { type: 'checkbox', id: 'f-overdue', name: 'overdue', checked: filter.overdue === '1' }),
      el('label', { for: 'f-overdue' }, 'Overdue only')),
    el('p', { class: 'buttons' },
      el('button', { type: 'submit', id: 'apply-filters' }, 'Apply'),
      el('button', { type: 'button', id: 'clear-filters', onclick: () => navigate('/devices') }, 'Clear')));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const next = {};
    for (const k of kFilters) next[k] = valueOf(form, 'f-' + k);
    navigate('/devices' + query(next));
  });

  const devices = page.devices || [];
  const total = page.total || 0;
  // total_exact false: the server stopped counting, more than `total` devices match.
  const more = page.total_exact === false;
  const from = devices.length ? at + 1 : 0;
  const to = at + devices.length;
  const pageLink = (position, text, rel) =>
    el('a', { href: '#/devices' + query(Object.assign({}, filter, position)), rel, id: 'page-' + rel }, text);
  const pager = el('nav', { class: 'pager', 'aria-label': 'Pages' },
    at > 0 ? pageLink({ offset: Math.max(0, at - kPageSize) }, 'Previous', 'prev') : null,
    el('span', { id: 'device-count', 'aria-live': 'polite' }, `${from}-${to} of ${more ? 'more than ' : ''}${total} devices`),
    page.next_after && (to < total || more) ? pageLink({ after: page.next_after, at: to }, 'Next', 'next') : null);

  // On a phone the filters fold away unless one is set; on wider screens they stay open.
  const active = kFilters.filter(k => filter[k]).length;
  const folder = el('details', { class: 'filter-box', open: active > 0 || window.matchMedia('(min-width: 761px)').matches },
    el('summary', {}, active ? `Filters (${active} set)` : 'Filters'), form);
  replace(main,
    el('h1', {}, 'Devices'),
    folder,
    pager,
    devices.length ? table('Devices matching the filters', [
      ['Id', d => link('/device/' + d.id, String(d.id))],
      ['Address', d => d.ip],
      ['Maker', d => d.manufacturer || el('em', {}, 'unknown')],
      ['Brand', d => d.brand],
      ['Model', d => d.model],
      ['Type', d => d.device_type],
      ['Site', d => link('/site/' + encodeURIComponent(d.site), d.site)],
      ['Status', d => statusBadge(d.status)],
      ['State', d => stateBadge(d.state)],
      ['Overdue', d => d.overdue ? el('span', { class: 'badge overdue', title: d.overdue_reason || '' }, 'overdue') : ''],
      ['Last seen', d => d.last_seen],
    ], devices, { id: 'device-table' }) : message('info', 'No device matches these filters.'));
}
