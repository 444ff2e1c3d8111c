// Report downloads: the files `phaseout report` makes, scoped by the server to this user.
import { el, replace, query, message } from '../dom.js';
import { kReports, loadSites, policiesOf, selectField } from '../common.js';

export async function renderReports(main, { params }) {
  const sites = await loadSites();
  const policies = policiesOf(sites);
  const policy = params.get('policy') || policies[0];
  document.title = 'Reports - phaseout';
  const list = el('ul', { class: 'downloads', id: 'report-links' });
  const fill = p => replace(list, kReports.map(([name, words]) => el('li', {},
    el('a', { href: '/api/v1/reports/' + name + query({ policy: p }), download: name, dataset: { report: name } }, name),
    ' ', words)));
  const picker = selectField('f-policy', 'Policy', policies, policy, null);
  picker.querySelector('select').addEventListener('change', e => fill(e.target.value));
  fill(policy);
  replace(main, el('h1', {}, 'Reports'),
    el('p', {}, 'The reports cover the departments and sites you may see, as of today.'),
    el('form', { class: 'filters' }, picker),
    list,
    message('info', 'The HTML report is one printable page; CSV cells are guarded against spreadsheet formulas.'));
}
