// Site and department pages: what each holds, its deadlines, and its devices.
import { get } from '../api.js';
import { el, replace, link, query, table, facts, message } from '../dom.js';
import { loadSites, loadDepartments, statusBadge, stateBadge } from '../common.js';

function deadlines(site) {
  const d = site.deadlines || {};
  const keys = Object.keys(d);
  if (!keys.length) return '';
  return el('ul', { class: 'plain' }, keys.map(p => el('li', {}, `${p}: ${d[p]}`)));
}

function siteTable(sites, caption) {
  return table(caption, [
    ['Site', s => link('/site/' + encodeURIComponent(s.id), s.name ? `${s.name} (${s.id})` : s.id)],
    ['Department', s => link('/department/' + encodeURIComponent(s.department), s.department)],
    ['Scopes', s => (s.scopes || []).join(', ')],
    ['Deadlines', s => deadlines(s)],
    ['Devices', s => link('/devices' + query({ site: s.id }), 'list')],
  ], sites, { id: 'site-table' });
}

// The first devices of a filter, with a link to the full list.
async function deviceSample(filter) {
  const page = await get('/devices' + query(Object.assign({ limit: 20 }, filter)));
  const devices = page.devices || [];
  return [
    el('p', {}, `${page.total_exact === false ? 'More than ' : ''}${page.total || 0} devices. `, link('/devices' + query(filter), 'Open the filtered list')),
    devices.length ? table('The first devices', [
      ['Id', d => link('/device/' + d.id, String(d.id))],
      ['Address', d => d.ip],
      ['Maker', d => d.manufacturer || el('em', {}, 'unknown')],
      ['Model', d => d.model],
      ['Status', d => statusBadge(d.status)],
      ['State', d => stateBadge(d.state)],
      ['Overdue', d => d.overdue ? 'overdue' : ''],
    ], devices) : null,
  ];
}

export async function renderSites(main) {
  const sites = await loadSites();
  document.title = 'Sites - phaseout';
  replace(main, el('h1', {}, 'Sites'),
    sites.length ? siteTable(sites, 'Sites you may see, with their scan scopes and deadlines per policy')
                 : message('info', 'No site is visible to you.'));
}

export async function renderSite(main, { args }) {
  const site = await get('/sites/' + encodeURIComponent(args[0]));
  document.title = `Site ${site.id} - phaseout`;
  replace(main,
    el('p', { class: 'crumbs' }, link('/sites', 'Sites')),
    el('h1', {}, site.name ? `${site.name} (${site.id})` : `Site ${site.id}`),
    facts([
      ['Department', site.department ? link('/department/' + encodeURIComponent(site.department), site.department) : ''],
      ['Owner', site.owner], ['Location', site.location],
      ['Scopes', site.scopes || []], ['Deadlines', deadlines(site)],
    ]),
    el('h2', {}, 'Devices'),
    await deviceSample({ site: site.id }));
}

export async function renderDepartments(main) {
  const [departments, sites] = await Promise.all([loadDepartments(), loadSites()]);
  document.title = 'Departments - phaseout';
  replace(main, el('h1', {}, 'Departments'),
    departments.length ? table('Departments you may see', [
      ['Department', d => link('/department/' + encodeURIComponent(d.id), d.name ? `${d.name} (${d.id})` : d.id)],
      ['Owner', d => d.owner || ''],
      ['Sites', d => String(sites.filter(s => s.department === d.id).length)],
      ['Devices', d => link('/devices' + query({ department: d.id }), 'list')],
    ], departments, { id: 'department-table' }) : message('info', 'No department is visible to you.'));
}

export async function renderDepartment(main, { args }) {
  const id = args[0];
  const [departments, sites] = await Promise.all([loadDepartments(), loadSites()]);
  const dept = departments.find(d => d.id === id);
  if (!dept) {
    replace(main, el('h1', {}, 'Department'), message('error', `No department ${id} is visible to you.`));
    return;
  }
  document.title = `Department ${id} - phaseout`;
  const own = sites.filter(s => s.department === id);
  replace(main,
    el('p', { class: 'crumbs' }, link('/departments', 'Departments')),
    el('h1', {}, dept.name ? `${dept.name} (${dept.id})` : dept.id),
    facts([['Owner', dept.owner]]),
    el('h2', {}, 'Sites'),
    own.length ? siteTable(own, `Sites of ${id}`) : message('info', 'No site of this department is visible to you.'),
    el('h2', {}, 'Devices'),
    await deviceSample({ department: id }));
}
