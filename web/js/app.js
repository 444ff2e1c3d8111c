// Entry point: session, navigation by role and the hash router (#/page?params).
import { api, get, setCsrf, ApiError } from './api.js';
import { el, replace, message } from './dom.js';
import { pagesFor, mayOpen } from './roles.js';
import { renderLogin } from './pages/login.js';
import { renderOverview } from './pages/overview.js';
import { renderDevices } from './pages/devices.js';
import { renderDevice } from './pages/device.js';
import { renderSites, renderSite, renderDepartments, renderDepartment } from './pages/places.js';
import { renderScreening } from './pages/screening.js';
import { renderReports } from './pages/reports.js';
import { renderAdmin } from './pages/admin.js';

// The signed-in user ({user, role, departments, sites, csrf}) or null.
let session = null;
const main = document.getElementById('main');

const kRoutes = [
  [/^\/overview$/, renderOverview],
  [/^\/devices$/, renderDevices],
  [/^\/device\/(\d+)$/, renderDevice],
  [/^\/sites$/, renderSites],
  [/^\/site\/([^/]+)$/, renderSite],
  [/^\/departments$/, renderDepartments],
  [/^\/department\/([^/]+)$/, renderDepartment],
  [/^\/screening$/, renderScreening],
  [/^\/reports$/, renderReports],
  [/^\/admin$/, renderAdmin],
];

export function currentSession() { return session; }

// Parses location.hash into { path, params }.
function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const at = raw.indexOf('?');
  const path = at < 0 ? raw : raw.slice(0, at);
  const params = new URLSearchParams(at < 0 ? '' : raw.slice(at + 1));
  return { path, params };
}

export function navigate(route) {
  if (location.hash === '#' + route) route_(); else location.hash = route;
}

function homeFor(role) {
  const pages = pagesFor(role);
  return pages.length ? pages[0][0] : '/overview';
}

function renderNav() {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  if (!session) {
    replace(nav);
    replace(who);
    return;
  }
  const { path } = parseHash();
  replace(nav, el('ul', {}, pagesFor(session.role).map(([route, label]) =>
    el('li', {}, el('a', { href: '#' + route, 'aria-current': path.startsWith(route) ? 'page' : false }, label)))));
  replace(who,
    el('span', { class: 'user', id: 'whoami' }, session.user, ' ', el('span', { class: 'role' }, '(' + session.role + ')')),
    el('button', { type: 'button', id: 'logout', onclick: logout }, 'Sign out'));
}

async function logout() {
  try { await api('DELETE', '/session'); } catch { /* the session is forgotten here anyway */ }
  session = null;
  setCsrf('');
  navigate('/login');
}

// Called by the login page after a successful POST /session.
export function signedIn(me) {
  session = me;
  setCsrf(me.csrf);
  navigate(homeFor(me.role));
}

async function route_() {
  const { path, params } = parseHash();
  if (!session && path !== '/login') {
    try {
      session = await get('/me');
      setCsrf(session.csrf);
    } catch (e) {
      if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) {
        replace(main, message('error', e.message));
        return;
      }
      navigate('/login');
      return;
    }
  }
  renderNav();
  if (path === '/login') {
    document.title = 'Sign in - phaseout';
    renderLogin(main, signedIn);
    return;
  }
  if (path === '/' || path === '') {
    navigate(homeFor(session.role));
    return;
  }
  if (!mayOpen(session.role, path)) {
    document.title = 'Not available - phaseout';
    replace(main, el('h1', {}, 'Not available'),
      message('error', `The role ${session.role} does not give access to this page.`));
    return;
  }
  for (const [pattern, render] of kRoutes) {
    const m = path.match(pattern);
    if (!m) continue;
    replace(main, message('info', 'Loading...'));
    try {
      await render(main, { params, args: m.slice(1).map(decodeURIComponent), session });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        session = null;
        navigate('/login');
        return;
      }
      replace(main, el('h1', {}, 'Something went wrong'),
        message('error', e instanceof ApiError && e.status === 403
          ? 'Your role does not allow this (' + e.message + ')' : e.message));
    }
    main.focus({ preventScroll: true });
    return;
  }
  document.title = 'Not found - phaseout';
  replace(main, el('h1', {}, 'Page not found'), message('error', 'No page is called ' + path + '.'));
}

window.addEventListener('hashchange', route_);
route_();
