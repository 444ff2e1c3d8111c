// What the dashboard offers to each role. The server authorises every request on its own
// (docs/dashboard.md); this table only decides which pages and links are shown.

export const kPages = [
  // [route, label, roles]
  ['/overview', 'Overview', ['admin', 'programme', 'officer', 'site']],
  ['/devices', 'Devices', ['admin', 'programme', 'officer', 'site']],
  ['/sites', 'Sites', ['admin', 'programme', 'officer', 'site']],
  ['/departments', 'Departments', ['admin', 'programme', 'officer', 'site']],
  ['/screening', 'Screening', ['admin', 'programme', 'procurement']],
  ['/reports', 'Reports', ['admin', 'programme', 'officer', 'site']],
  ['/admin', 'Administration', ['admin']],
];

export function pagesFor(role) {
  return kPages.filter(([, , roles]) => roles.includes(role));
}

export function mayOpen(role, route) {
  const page = kPages.find(([r]) => route === r || route.startsWith(r + '/') ||
                                    route.startsWith(r.replace(/s$/, '') + '/'));
  return !page || page[2].includes(role);
}
