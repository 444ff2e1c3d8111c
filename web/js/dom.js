// DOM building helpers: every piece of data becomes a text node (textContent), never markup.

// Creates an element. `attrs` keys: "class", "for", "on<event>" (listener), "dataset"
// (object), anything else is set with setAttribute (false/null/undefined skip it).
// `children` may nest arrays; strings and numbers become text nodes.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

// Same as el() for SVG elements.
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2), value);
    } else if (key === 'dataset') {
      Object.assign(node.dataset, value);
    } else {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Removes every child of `node` and appends `children`.
export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

// A link to a route of the dashboard ("#/devices?site=x").
export function link(route, ...children) {
  return el('a', { href: '#' + route }, ...children);
}

// Builds a query string from an object, dropping empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== '' && v !== null && v !== undefined && v !== false) q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

// A table with a caption, a header row and one row per item; `columns` is a list of
// [heading, item => cell content].
export function table(caption, columns, items, attrs = {}) {
  return el('div', { class: 'table-wrap' },
    el('table', attrs,
      caption ? el('caption', {}, caption) : null,
      el('thead', {}, el('tr', {}, columns.map(([h]) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, items.map(item => el('tr', {}, columns.map(([, f]) => el('td', {}, f(item))))))));
}

// A definition list of [term, value] pairs; empty values are left out.
export function facts(pairs) {
  return el('dl', { class: 'facts' },
    pairs.filter(([, v]) => v !== '' && v !== null && v !== undefined && !(Array.isArray(v) && !v.length))
      .map(([k, v]) => [el('dt', {}, k), el('dd', {}, Array.isArray(v) ? v.join(', ') : v)]));
}

// A message box: kind is "error", "ok" or "info". Errors are announced to screen readers.
export function message(kind, text) {
  return el('p', { class: 'msg msg-' + kind, role: kind === 'error' ? 'alert' : 'status' }, text);
}
