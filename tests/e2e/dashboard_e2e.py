#!/usr/bin/env python3
"""End-to-end test of the web dashboard in headless Chromium (Selenium) against a real
`phaseout serve` with a fresh inventory.

Seeds a throw-away SQLite inventory with departments and sites, a synthetic scan per site (device records in the shape of
`phaseout scan --format ndjson`) and one user per role, starts `phaseout serve` on 127.0.0.1,
then per role: signs in with the keyboard, checks the pages and actions the role is offered,
checks the API refuses the rest (fetch from the page with the session cookie and CSRF token),
filters the device list, changes a device's state, uploads a screening file and downloads a
report. Screenshots go to --artifacts (docs/dashboard.md).

Runs only inside the private network namespace (scripts/netns-run): exit 77 (skipped) outside
it or without Chromium/chromedriver/Selenium, except that with CI set a missing browser fails.
Usage: dashboard_e2e.py --phaseout BIN --web-root DIR --source-dir DIR --artifacts DIR
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

SKIP = 77
PASSWORD = 'e2e-Passw0rd-long-enough'

# The estate: two departments, three sites, scan scopes on loopback blocks (never scanned here:
# the scans below are synthetic records ingested as files).
SITES_YAML = """\
departments:
  - id: finance
    name: Department of Finance
    owner: cso@finance.example
    sites:
      - id: ottawa-hq
        name: Ottawa headquarters
        location: 90 Elgin St, Ottawa
        scopes: [127.20.1.0/24]
        deadlines:
          ca-federal-2025: 2026-03-31
          us-ndaa-889: 2030-01-01
      - id: toronto
        name: Toronto office
        scopes: [127.20.2.0/24]
        deadlines:
          ca-federal-2025: 2026-03-31
  - id: works
    name: Public Works
    sites:
      - id: depot
        name: Works depot
        scopes: [127.20.3.0/24]
        deadlines:
          ca-federal-2025: 2027-06-30
"""

# Device records per site: (ip, mac, manufacturer, brand, type, model, verdict under the policies).
HIK = 'prohibited'
DEVICES = {
    'ottawa-hq': [
        ('127.20.1.10', 'aa:bb:cc:01:00:10', 'hikvision', 'hikvision', 'camera', 'DS-2CD2143G2-I', HIK),
        ('127.20.1.11', 'aa:bb:cc:01:00:11', 'hikvision', '<img src=x onerror=alert(1)>', 'camera', 'DS-2CD2T47G2-L', HIK),
        ('127.20.1.12', 'aa:bb:cc:01:00:12', 'dahua', 'dahua', 'nvr', 'NVR4108HS-8P-4KS2', HIK),
        ('127.20.1.13', 'aa:bb:cc:01:00:13', 'axis', 'axis', 'camera', 'P3265-LVE', 'clear'),
        ('127.20.1.14', 'aa:bb:cc:01:00:14', 'unknown', '', '', '', 'unknown'),
    ],
    'toronto': [
        ('127.20.2.10', 'aa:bb:cc:02:00:10', 'hikvision', 'hikvision', 'camera', 'DS-2CD1043G0-I', HIK),
        ('127.20.2.11', 'aa:bb:cc:02:00:11', 'dahua', 'lorex', 'camera', 'LNB8005', HIK),
    ],
    'depot': [
        ('127.20.3.10', 'aa:bb:cc:03:00:10', 'hikvision', 'hikvision', 'camera', 'DS-2CD2043G2-I', HIK),
        ('127.20.3.11', 'aa:bb:cc:03:00:11', 'huawei', 'huawei', 'router', 'AR651', HIK),
    ],
}
POLICIES = ['ca-federal-2025', 'us-ndaa-889']

# One user per role: (name, role, departments, sites).
USERS = [
    ('ada', 'admin', [], []),
    ('pat', 'programme', [], []),
    ('olga', 'officer', ['finance'], []),
    ('sam', 'site', [], ['depot']),
    ('pru', 'procurement', [], []),
]


def log(*args):
    print(*args, flush=True)


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    log('  ok:', what)


def in_private_netns():
    with open('/proc/net/dev') as f:
        names = [line.split(':')[0].strip() for line in f.readlines()[2:]]
    return [n for n in names if n != 'lo']


def scan_ndjson(site):
    scan_id = 'e2e-' + site
    lines = [{'type': 'scan_start', 'scan_id': scan_id, 'time': '2026-11-30T10:00:00Z', 'ruleset': 'e2e'}]
    for ip, mac, maker, brand, dtype, model, verdict in DEVICES[site]:
        evidence = []
        if maker != 'unknown':
            evidence.append({'probe': 'http', 'port': 80, 'field': 'http.header.server',
                             'value': f'{maker} web server <b>{model}</b>', 'rule': f'{maker}.http.e2e'})
        lines.append({
            'type': 'device', 'scan_id': scan_id, 'time': '2026-11-30T10:00:01Z', 'ruleset': 'e2e',
            'ip': ip, 'open_ports': [80], 'mac': mac, 'manufacturer': maker, 'brand': brand,
            'device_type': dtype, 'model': model, 'firmware': '', 'serial': '', 'confidence': 0.9,
            'evidence': evidence,
            'verdicts': [{'policy': p, 'status': verdict, 'reason': 'synthetic e2e record', 'clause': ''}
                         for p in POLICIES],
        })
    lines.append({'type': 'scan_end', 'scan_id': scan_id, 'time': '2026-11-30T10:05:00Z', 'complete': True})
    return ''.join(json.dumps(line) + '\n' for line in lines)


def run(cmd, **kw):
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if result.returncode != 0:
        raise Failure(f'{" ".join(cmd)} exited {result.returncode}: {result.stdout}{result.stderr}')
    return result.stdout


def add_user(phaseout, db, name, role, departments, sites):
    # The password comes on stdin; the interactive argon2id cost keeps sign-ins quick under ASan.
    cmd = [phaseout, 'users', 'add', name, '--db', db, '--role', role, '--password-cost', 'interactive']
    for d in departments:
        cmd += ['--department', d]
    for s in sites:
        cmd += ['--site', s]
    run(cmd, input=PASSWORD + '\n')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def http_json(url, method='GET', body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header('Content-Type', 'application/json; charset=utf-8')
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b'null'), dict(r.headers)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = raw.decode(errors='replace')
        return e.code, payload, dict(e.headers)


class Dashboard:
    """One browser session of one user."""

    def __init__(self, webdriver, base, artifacts, downloads, role):
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
        options = Options()
        options.binary_location = shutil.which('chromium') or '/usr/bin/chromium'
        for arg in ('--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
                    '--disable-dev-shm-usage', '--window-size=1024,900'):
            options.add_argument(arg)
        options.add_experimental_option('prefs', {'download.default_directory': downloads,
                                                  'download.prompt_for_download': False})
        options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
        service = Service(shutil.which('chromedriver') or '/usr/bin/chromedriver')
        self.d = webdriver.Chrome(service=service, options=options)
        self.d.set_script_timeout(20)
        self.d.execute_cdp_cmd('Browser.setDownloadBehavior', {'behavior': 'allow', 'downloadPath': downloads})
        self.base, self.artifacts, self.downloads, self.role = base, artifacts, downloads, role
        self.shots = 0

    def quit(self):
        self.d.quit()

    def shot(self, name):
        self.shots += 1
        path = os.path.join(self.artifacts, f'{self.role}-{self.shots:02d}-{name}.png')
        self.d.save_screenshot(path)

    # 30 s: a sign-in hashes the password with argon2id, seconds on a loaded 2-core machine
    # under the sanitizers (the whole suite runs beside this test); waits end when met.
    def wait(self, condition, what, timeout=30):
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait
        try:
            # Pages re-render after each answer: an element read a moment ago may be gone.
            return WebDriverWait(self.d, timeout, ignored_exceptions=[StaleElementReferenceException]).until(condition)
        except Exception:
            self.shot('failed')
            raise Failure('timed out waiting for ' + what)

    def css(self, selector):
        from selenium.webdriver.common.by import By
        return self.d.find_elements(By.CSS_SELECTOR, selector)

    def wait_css(self, selector, what=None):
        return self.wait(lambda d: self.css(selector) or False, what or selector)[0]

    def go(self, route, ready):
        self.d.get(self.base + '#' + route)
        return self.wait_css(ready, f'{route} ({ready})')

    def login(self, user):
        from selenium.webdriver.common.keys import Keys
        self.d.get(self.base)
        field = self.wait_css('#login-user', 'the sign-in form')
        # Keyboard only: the form must be usable without a mouse.
        field.send_keys(user)
        field.send_keys(Keys.TAB)
        self.d.switch_to.active_element.send_keys(PASSWORD)
        self.d.switch_to.active_element.send_keys(Keys.ENTER)
        self.wait_css('#whoami', 'the signed-in header')

    def text(self, selector):
        """Text of the first element matching `selector`, '' while there is none."""
        found = self.css(selector)
        return found[0].text if found else ''

    def nav(self):
        return [a.text for a in self.css('#nav a')]

    def fetch(self, method, path, body=None, csrf=True, content_type='application/json'):
        """Calls the API from the page with the session cookie; returns (status, json or None)."""
        script = """
          const [method, path, body, csrf, type, done] = arguments;
          (async () => {
            const me = await fetch('/api/v1/me').then(r => r.ok ? r.json() : {});
            const headers = {};
            if (csrf && me.csrf) headers['X-CSRF-Token'] = me.csrf;
            if (body !== null) headers['Content-Type'] = type;
            const r = await fetch(path, {method, headers, body: body === null ? undefined : body});
            const text = await r.text();
            let data = null; try { data = JSON.parse(text); } catch (e) {}
            done([r.status, data, r.headers.get('Content-Disposition'), text]);
          })().catch(e => done([0, String(e), null, '']));
        """
        payload = None if body is None else (body if isinstance(body, str) else json.dumps(body))
        status, data, disposition, self.last_text = self.d.execute_async_script(
            script, method, path, payload, csrf, content_type)
        return status, data, disposition

    def console_problems(self):
        """Console messages other than the API's deliberate 401/403/404/422 answers."""
        bad = []
        for entry in self.d.get_log('browser'):
            msg = entry.get('message', '')
            if entry.get('source') == 'network' and any(f'status of {c}' in msg for c in (401, 403, 404, 422)):
                continue
            if entry.get('level') in ('SEVERE', 'WARNING') or 'Refused to' in msg:
                bad.append(msg)
        return bad

    def no_horizontal_overflow(self):
        return self.d.execute_script(
            'return document.documentElement.scrollWidth <= window.innerWidth + 1;')


def device_ids(base, cookie_dashboard):
    """Every device visible to a programme user, as {ip: id}."""
    status, data, _ = cookie_dashboard.fetch('GET', '/api/v1/devices?limit=500')
    if status != 200:
        raise Failure(f'GET /api/v1/devices as programme: {status} {data}')
    return {d['ip']: d['id'] for d in data['devices']}


def check_programme(b, ids, total):
    log('programme:')
    nav = b.nav()
    check('Overview' in nav and 'Devices' in nav and 'Reports' in nav, f'programme navigation {nav}')
    b.wait_css('#by-state', 'the overview tables')
    check(b.css('svg.chart') or b.css('.chart-box, .note'), 'overview shows the burn-down (or says it has no history)')
    b.shot('overview')
    b.go('/devices', '#device-count')
    count = b.text('#device-count')
    check(f'of {total} devices' in count, f'programme sees every device ({count})')
    # The brand with markup is shown as text, never parsed.
    check(any('<img src=x onerror=alert(1)>' in td.text for td in b.css('#device-table td')),
          'markup in device data is shown as text')
    check(not b.css('#device-table img'), 'no element was created from device data')
    # Keyset paging: after the first listed device, the list goes on from the second.
    first_id = b.css('#device-table tbody tr td a')[0].text
    second_id = b.css('#device-table tbody tr')[1].find_elements('css selector', 'td a')[0].text
    b.go(f'/devices?after={first_id}&at=1', '#device-count')
    b.wait(lambda d: b.text('#device-count').startswith('2-'), 'the page after a cursor counts from 2')
    check(b.css('#device-table tbody tr td a')[0].text == second_id and b.css('#page-prev'),
          f'the page after device {first_id} starts with device {second_id} and offers Previous')
    # Filter with the form: site, then free text.
    from selenium.webdriver.support.ui import Select
    Select(b.css('#f-site')[0]).select_by_value('toronto')
    b.css('#apply-filters')[0].click()
    b.wait(lambda d: 'of 2 devices' in b.text('#device-count'), 'the site filter (2 toronto devices)')
    check('site=toronto' in b.d.current_url, 'the filter is kept in the address')
    b.shot('devices-filtered')
    b.go('/devices?q=NVR4108', '#device-count')
    b.wait(lambda d: 'of 1 devices' in b.text('#device-count'), 'the text search (1 NVR)')
    b.go(f'/device/{ids["127.20.1.10"]}', '#evidence')
    check(b.css('#no-actions'), 'programme is offered no lifecycle action')
    b.shot('device')
    status, data, _ = b.fetch('POST', f'/api/v1/devices/{ids["127.20.1.10"]}/transitions',
                              {'to': 'confirmed', 'note': 'e2e'})
    check(status == 403, f'the API refuses a transition by programme ({status})')
    # Site and department pages.
    b.go('/sites', '#site-table')
    check(len(b.css('#site-table tbody tr')) == 3, 'the sites page lists the 3 sites')
    b.go('/site/depot', 'h1')
    b.wait(lambda d: 'Works depot' in b.text('h1') and '2 devices' in b.text('main'), 'the depot page with its 2 devices')
    b.go('/departments', '#department-table')
    check(len(b.css('#department-table tbody tr')) == 2, 'the departments page lists the 2 departments')
    b.go('/department/finance', '#site-table')
    b.wait(lambda d: '7 devices' in b.text('main'), 'the finance page with its 7 devices')
    b.shot('department')
    # Reports: the page links, and a real download through the browser.
    b.go('/reports', '#report-links a')
    names = [a.get_attribute('data-report') for a in b.css('#report-links a')]
    check('status.csv' in names and 'status.html' in names, f'report links {names}')
    b.shot('reports')
    link = [a for a in b.css('#report-links a') if a.get_attribute('data-report') == 'status.csv'][0]
    link.click()
    # The server's Content-Disposition may name the file; take whatever finished arriving.
    def downloaded():
        done = [n for n in os.listdir(b.downloads) if n.endswith('.csv')]
        return os.path.join(b.downloads, done[0]) if done else False
    target = b.wait(lambda d: downloaded(), 'the downloaded status.csv', 20)
    with open(target, encoding='utf-8') as f:
        text = f.read()
    check('Ottawa headquarters' in text and 'Works depot' in text, f'the downloaded report names the sites ({text[:300]!r})')
    status, _, disposition = b.fetch('GET', '/api/v1/reports/status.csv?policy=ca-federal-2025')
    check(status == 200 and disposition and 'attachment' in disposition,
          f'the report comes as an attachment ({status}, {disposition})')
    status, _, disposition = b.fetch('GET', '/api/v1/reports/..%2fetc%2fpasswd')
    check(status == 404, f'a traversal report name is refused ({status})')
    # A phone: the overview and a device page fit the screen width.
    b.d.set_window_size(390, 844)
    for route, ready in (('/overview', '#by-state'), (f'/device/{ids["127.20.1.11"]}', '#evidence')):
        b.go(route, ready)
        b.shot('phone' + route.replace('/', '-'))
        check(b.no_horizontal_overflow(), f'{route} fits a phone screen')
    b.d.set_window_size(1024, 900)


def check_officer(b, ids):
    log('officer (finance):')
    nav = b.nav()
    check('Devices' in nav and 'Screening' not in nav, f'officer navigation {nav}')
    b.go('/devices', '#device-count')
    count = b.text('#device-count')
    check('of 7 devices' in count, f'officer sees the 7 finance devices only ({count})')
    sites = {td.text for td in b.css('#device-table td:nth-child(7)')}
    check(sites <= {'ottawa-hq', 'toronto'}, f'only finance sites listed ({sites})')
    status, _, _ = b.fetch('GET', f'/api/v1/devices/{ids["127.20.3.10"]}')
    check(status in (403, 404), f'a works device is refused to the finance officer ({status})')
    status, _, _ = b.fetch('GET', '/api/v1/users')
    check(status == 403, f'the user list is refused to an officer ({status})')
    status, _, _ = b.fetch('GET', '/api/v1/reports/status.csv?policy=ca-federal-2025')
    check(status == 200 and 'Ottawa headquarters' in b.last_text and 'Works depot' not in b.last_text,
          f'the officer\'s report covers finance sites only ({status})')
    # Confirm a device through the form, then plan its replacement.
    device = ids['127.20.1.10']
    b.go(f'/device/{device}', '#action-form')
    offered = [i.get_attribute('value') for i in b.css('#action-form input[name=to]')]
    check('confirmed' in offered and 'waived' in offered, f'officer is offered {offered}')
    b.css('#to-confirmed')[0].click()
    b.css('#a-note')[0].send_keys('seen on site, ticket E2E-1')
    b.css('#action-submit')[0].click()
    b.wait(lambda d: b.css('.msg-ok'), 'the confirmation message')
    check(any('confirmed' in td.text for td in b.css('#history td')), 'the history shows the change')
    b.css('#to-replacement-planned')[0].click()
    b.css('#a-replacement_model')[0].send_keys('Axis P3265-LVE')
    b.d.execute_script("document.getElementById('a-target_date').value = '2027-03-01';")
    b.css('#a-note')[0].send_keys('PO 2026-118')
    b.css('#action-submit')[0].click()
    b.wait(lambda d: any('replacement-planned' in t.text for t in b.css('.msg-ok')), 'the planned replacement')
    b.shot('device-planned')
    status, data, _ = b.fetch('GET', f'/api/v1/devices/{device}')
    check(status == 200 and data['state'] == 'replacement-planned' and data['replacement_model'] == 'Axis P3265-LVE',
          'the API shows the planned replacement')
    # A transition the lifecycle refuses comes back as 422 and is shown.
    status, data, _ = b.fetch('POST', f'/api/v1/devices/{device}/transitions', {'to': 'verified-removed', 'note': 'x'})
    check(status in (403, 422), f'nobody can declare a removal verified ({status})')
    # Without the CSRF header the same session is refused.
    status, data, _ = b.fetch('POST', f'/api/v1/devices/{device}/transitions', {'to': 'confirmed', 'note': 'x'},
                              csrf=False)
    check(status == 403, f'a state change without the CSRF header is refused ({status})')
    status, _, _ = b.fetch('POST', '/api/v1/screening', 'line_id,Description\n1,x\n', content_type='text/csv')
    check(status == 403, f'screening is refused to an officer ({status})')


def check_site(b, ids):
    log('site (depot):')
    b.go('/devices', '#device-count')
    count = b.text('#device-count')
    check('of 2 devices' in count, f'site user sees the 2 depot devices ({count})')
    device = ids['127.20.3.11']
    b.go(f'/device/{device}', '#action-form')
    offered = [i.get_attribute('value') for i in b.css('#action-form input[name=to]')]
    check(offered == ['removed'], f'site user is offered removal only ({offered})')
    b.css('#a-note')[0].send_keys('router taken down, ticket 8812')
    b.css('#action-submit')[0].click()
    b.wait(lambda d: b.css('.msg-ok'), 'the removal message')
    b.shot('device-removed')
    status, _, _ = b.fetch('POST', f'/api/v1/devices/{ids["127.20.3.10"]}/transitions', {'to': 'confirmed', 'note': 'x'})
    check(status == 403, f'a site user may not confirm ({status})')
    status, _, _ = b.fetch('GET', f'/api/v1/devices/{ids["127.20.1.10"]}')
    check(status in (403, 404), f'another site\'s device is refused ({status})')


def check_procurement(b, fixture):
    log('procurement:')
    nav = b.nav()
    check(nav == ['Screening'], f'procurement sees only screening ({nav})')
    status, _, _ = b.fetch('GET', '/api/v1/devices')
    check(status == 403, f'the device list is refused to procurement ({status})')
    b.go('/screening', '#screening-form')
    b.css('#f-file')[0].send_keys(fixture)
    b.css('#screen-submit')[0].click()
    b.wait_css('#screening-table', 'the screening results')
    rows = b.css('#screening-table tbody tr')
    check(len(rows) >= 4, f'one result row per purchase line ({len(rows)})')
    check(any('prohibited' in r.text and 'DS-2CD2143G2-I' in r.text for r in rows),
          'the Hikvision line is shown as uploaded and flagged')
    b.shot('screening')
    # The phone layout: nothing wider than the screen.
    b.d.set_window_size(390, 844)
    b.shot('screening-phone')
    check(b.no_horizontal_overflow(), 'the screening page fits a phone screen')
    b.d.set_window_size(1024, 900)


def check_admin(b):
    log('admin:')
    nav = b.nav()
    check('Administration' in nav and 'Overview' in nav, f'admin navigation {nav}')
    from selenium.webdriver.support.ui import Select
    b.go('/admin', '#user-form')
    b.css('#u-name')[0].send_keys('otto')
    Select(b.css('#u-role')[0]).select_by_value('officer')
    b.css('#u-departments')[0].send_keys('works')
    b.css('#u-password')[0].send_keys(PASSWORD)
    b.css('#user-submit')[0].click()
    b.wait(lambda d: any('otto' in r.text for r in b.css('#user-table tbody tr')), 'the new user in the list')
    Select(b.css('#s-sites')[0]).select_by_value('depot')
    b.css('#secret-submit')[0].click()
    secret = b.wait_css('#secret-value', 'the one-time enrolment secret').text
    check(len(secret) >= 16, 'an enrolment secret is shown once')
    b.shot('admin')
    # Signing out ends the session on the server too.
    b.css('#logout')[0].click()
    b.wait_css('#login-user', 'the sign-in form after signing out')
    status, _, _ = b.fetch('GET', '/api/v1/me')
    check(status == 401, f'the session is gone after signing out ({status})')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--phaseout', required=True)
    ap.add_argument('--web-root', required=True)
    ap.add_argument('--source-dir', required=True)
    ap.add_argument('--artifacts', required=True)
    args = ap.parse_args()
    ci = bool(os.environ.get('CI'))

    others = in_private_netns()
    if others:
        log(f'not inside a private network namespace (interfaces: {", ".join(others)}); run through scripts/netns-run')
        return 1 if os.environ.get('PHASEOUT_REQUIRE_NETNS') == '1' else SKIP
    try:
        from selenium import webdriver
    except ImportError:
        if sys.executable != '/usr/bin/python3' and os.path.exists('/usr/bin/python3'):
            os.execv('/usr/bin/python3', ['/usr/bin/python3'] + sys.argv)  # Debian's python3-selenium
        log('python3-selenium is missing: run scripts/bootstrap')
        return 1 if ci else SKIP
    if not (shutil.which('chromium') or os.path.exists('/usr/bin/chromium')) or \
            not (shutil.which('chromedriver') or os.path.exists('/usr/bin/chromedriver')):
        log('chromium or chromedriver (chromium-driver) is missing: run scripts/bootstrap')
        return 1 if ci else SKIP

    probe = subprocess.run([args.phaseout, 'serve', '--help'], capture_output=True, text=True)
    if probe.returncode != 0 or '--web-root' not in probe.stdout + probe.stderr:
        log(f'{args.phaseout} has no `serve` command (this build lacks the server)')
        return 1 if ci else SKIP

    os.makedirs(args.artifacts, exist_ok=True)
    for old in os.listdir(args.artifacts):
        if old.endswith('.png'):
            os.remove(os.path.join(args.artifacts, old))
    work = tempfile.mkdtemp(prefix='phaseout-e2e-')
    server = None
    browsers = []
    try:
        db = os.path.join(work, 'inventory.db')
        with open(os.path.join(work, 'sites.yaml'), 'w') as f:
            f.write(SITES_YAML)
        run([args.phaseout, 'sites', 'import', os.path.join(work, 'sites.yaml'), '--db', db, '--actor', 'e2e'])
        for site in DEVICES:
            path = os.path.join(work, site + '.ndjson')
            with open(path, 'w') as f:
                f.write(scan_ndjson(site))
            run([args.phaseout, 'inventory', 'ingest', path, '--db', db, '--site', site])
        for name, role, departments, sites in USERS:
            add_user(args.phaseout, db, name, role, departments, sites)

        port = free_port()
        base = f'http://127.0.0.1:{port}/'
        server_log = open(os.path.join(args.artifacts, 'server.log'), 'w')
        server = subprocess.Popen([args.phaseout, 'serve', '--db', db, '--listen', f'127.0.0.1:{port}',
                                   '--web-root', args.web_root], stdout=server_log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while True:
            if server.poll() is not None:
                raise Failure(f'phaseout serve exited {server.returncode} (see {server_log.name})')
            try:
                status, body, _ = http_json(base + 'healthz')
                if status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise Failure('phaseout serve did not answer /healthz within 30 s')
            time.sleep(0.2)
        log('server up at', base)

        with urllib.request.urlopen(base, timeout=10) as r:
            csp = r.headers.get('Content-Security-Policy', '')
            page = r.read().decode()
        check("default-src 'self'" in csp and 'js/app.js' in page, f'the dashboard is served under a strict CSP ({csp})')
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
        conn.request('GET', '/js/../../../../etc/passwd')
        status = conn.getresponse().status
        conn.close()
        check(status in (400, 403, 404), f'a path out of the web root is refused ({status})')
        status, body, _ = http_json(base + 'api/v1/devices')
        check(status == 401, f'the API refuses an anonymous caller ({status})')
        status, body, headers = http_json(base + 'api/v1/session', 'POST', {'user': 'pat', 'password': 'wrong'})
        check(status == 401, f'a wrong password is refused ({status})')

        downloads = os.path.join(work, 'downloads')
        os.makedirs(downloads)
        total = sum(len(v) for v in DEVICES.values())
        fixture = os.path.join(args.source_dir, 'tests', 'fixtures', 'screen', 'catalogue.csv')

        def session(user, role):
            b = Dashboard(webdriver, base, args.artifacts, downloads, role)
            browsers.append(b)
            b.login(user)
            return b

        prog = session('pat', 'programme')
        ids = device_ids(base, prog)
        check(len(ids) == total, f'the programme office sees all {total} devices ({len(ids)})')
        check_programme(prog, ids, total)
        check_officer(session('olga', 'officer'), ids)
        check_site(session('sam', 'site'), ids)
        check_procurement(session('pru', 'procurement'), fixture)
        check_admin(session('ada', 'admin'))
        # The officer the admin just added sees the works devices only.
        otto = session('otto', 'officer-works')
        otto.go('/devices', '#device-count')
        count = otto.text('#device-count')
        check('of 2 devices' in count, f'the new works officer sees the 2 works devices ({count})')

        for b in browsers:
            problems = b.console_problems()
            check(not problems, f'{b.role}: no console errors or CSP refusals {problems}')
        log(f'PASS (screenshots in {args.artifacts})')
        return 0
    except Failure as e:
        log('FAIL:', e)
        return 1
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        for b in browsers:
            try:
                b.quit()
            except Exception:
                pass
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
