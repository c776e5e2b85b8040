// A tiny element builder. Text is always set as text (CRM data is untrusted: never innerHTML).
//   h('button', { class: 'btn', type: 'button', onclick: fn, dataset: { id: 'x' } }, 'Label', child)

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of el, keeping focus on the element with the same data-focus key when there is one. */
export function replaceChildren(el, ...children) {
  const active = document.activeElement;
  const key = active && el.contains(active) ? active.dataset?.focus : undefined;
  el.replaceChildren();
  append(el, children);
  if (key) el.querySelector(`[data-focus="${CSS.escape(key)}"]`)?.focus();
}

export const $ = (sel, root = document) => root.querySelector(sel);
