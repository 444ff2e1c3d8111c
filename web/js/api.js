// The JSON API client: same-origin fetches under /api/v1, the CSRF header on every
// state-changing request, errors turned into ApiError with the server's code and message.

let csrfToken = '';

export function setCsrf(token) { csrfToken = token || ''; }

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// Sends a request and returns the parsed JSON body (or null when empty).
// `body`: an object (sent as JSON) or { raw, type } for other content types.
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) {
    if (body && body.raw !== undefined) {
      headers['Content-Type'] = body.type;
      init.body = body.raw;
    } else {
      headers['Content-Type'] = 'application/json; charset=utf-8';
      init.body = JSON.stringify(body);
    }
  }
  let response;
  try {
    response = await fetch('/api/v1' + path, init);
  } catch (e) {
    throw new ApiError(0, 'network', 'The server could not be reached: ' + e.message);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) {
    const err = data && data.error ? data.error : {};
    throw new ApiError(response.status, err.code || 'http_' + response.status,
                       err.message || `The server answered ${response.status} ${response.statusText}.`);
  }
  return data;
}

export const get = path => api('GET', path);
export const post = (path, body) => api('POST', path, body);
