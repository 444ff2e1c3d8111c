// Shared vocabulary and small widgets of the pages: lifecycle states, statuses, policies,
// badges, and the site/department lists (read once per page).
import { get } from './api.js';
import { el } from './dom.js';

// Lifecycle states in lifecycle order (docs/inventory.md).
export const kStates = ['found', 'confirmed', 'replacement-planned', 'removed', 'verified-removed',
                        'waived', 'not-restricted', 'missing'];
// Device status under the policies (derived by the inventory).
export const kStatuses = ['covered', 'review', 'unknown', 'clear'];
// Policies shipped in data/policies/; a site's deadlines may name more.
export const kShippedPolicies = ['ca-federal-2025', 'us-ndaa-889', 'us-fcc-covered-list',
                                 'uk-gov-sensitive-sites-2022', 'au-gov-2023'];
// The report files of GET /api/v1/reports/{name} and what each holds.
export const kReports = [
  ['status.html', 'Full report, printable page (HTML)'],
  ['status.csv', 'Status per department and site (CSV)'],
  ['status.json', 'Full report (JSON)'],
  ['status.md', 'Full report (Markdown)'],
  ['burndown.csv', 'Burn-down: open devices per day (CSV)'],
  ['far.md', 'Covered-equipment notices, FAR 52.204-25(d) (Markdown)'],
];

const kStatusWords = {
  covered: 'covered (prohibited)',
  review: 'review',
  unknown: 'maker unknown: to check',
  clear: 'clear',
};

export function statusBadge(status) {
  return el('span', { class: 'badge status-' + (status || 'unknown') }, kStatusWords[status] || status || '?');
}

export function stateBadge(state) {
  return el('span', { class: 'badge state-' + (state || 'unknown') }, state || '?');
}

export async function loadSites() {
  const data = await get('/sites');
  return data.sites || [];
}

export async function loadDepartments() {
  const data = await get('/departments');
  return data.departments || [];
}

// Policies worth offering: those with a deadline at one of `sites`, then the shipped ones.
export function policiesOf(sites) {
  const seen = new Set();
  for (const site of sites) for (const p of Object.keys(site.deadlines || {})) seen.add(p);
  for (const p of kShippedPolicies) seen.add(p);
  return [...seen];
}

// A labelled <select>; `options` are values or [value, label] pairs; "" is "any" when `any`.
export function selectField(id, label, options, value, any = 'any') {
  const select = el('select', { id, name: id.replace(/^f-/, '') },
    any !== null ? el('option', { value: '' }, any) : null,
    options.map(o => {
      const [v, text] = Array.isArray(o) ? o : [o, o];
      return el('option', { value: v, selected: v === value }, text);
    }));
  return el('p', { class: 'field' }, el('label', { for: id }, label), select);
}

export function inputField(id, label, attrs = {}) {
  return el('p', { class: 'field' }, el('label', { for: id }, label),
    el('input', Object.assign({ id, name: id.replace(/^f-/, '') }, attrs)));
}

// The value of a form field by id, trimmed.
export function valueOf(root, id) {
  const node = root.querySelector('#' + id);
  if (!node) return '';
  if (node.type === 'checkbox') return node.checked ? '1' : '';
  return node.value.trim();
}
