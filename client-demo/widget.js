/*
 * AntRing click-to-call widget. One script tag, no dependency, one global: window.AntRingDial.
 *
 *   <script src="https://bridge.example.com/demo/widget.js"></script>
 *   <script src="/your-crm-setup.js"></script>   // AntRingDial.init({ getToken: () => fetchMyBridgeToken() })
 *
 * Every tel: link and every element with data-antring-dial (its value, or its text, is the number) becomes a
 * click-to-call button: a click asks the bridge (POST /api/click-to-call with the agent's token) to ring the agent's
 * phone and then the number; the result shows as a small toast. Works with links added later (event delegation).
 *
 * init(options):
 *   getToken   () => string | Promise<string>   required; called on every click (return a fresh token)
 *   bridgeUrl  default: the origin this script was loaded from
 *   lang       'vi' | 'en'; default: the page's <html lang> (Vietnamese unless it is English)
 *   onResult   (result, number) => void          optional: the bridge's answer, for the host page's own use
 * Also: AntRingDial.dial(number) → Promise<result>, AntRingDial.destroy().
 * CSP: the host page needs connect-src for the bridge; no inline script or style is used (constructed stylesheets).
 */
(() => {
  if (window.AntRingDial) return;

  var scriptSrc = document.currentScript?.src;
  var TEXT = {
    vi: {
      call: 'Gọi {n} qua AntRing',
      dialing: 'Đang gọi {n}: hãy nhấc máy của bạn.',
      close: 'Đóng',
      device_offline: 'Điện thoại của bạn đang ngoại tuyến: mở softphone rồi thử lại.',
      dnc: '{n} nằm trong danh sách không gọi (DNC).',
      invalid_number: '“{n}” không phải số điện thoại hợp lệ.',
      rate_limited: 'Bạn gọi quá nhanh: thử lại sau {s} giây.',
      token_expired: 'Phiên đã hết hạn: hãy đăng nhập lại.',
      unauthorized: 'Không xác thực được với AntRing.',
      forbidden: 'Tài khoản này không được phép gọi ra.',
      network: 'Không kết nối được tới AntRing.',
      no_token: 'Chưa đăng nhập AntRing.',
      other: 'Không gọi được: {m}',
    },
    en: {
      call: 'Call {n} with AntRing',
      dialing: 'Dialing {n}: pick up your phone.',
      close: 'Dismiss',
      device_offline: 'Your phone is offline: open your softphone and try again.',
      dnc: '{n} is on the do-not-call list.',
      invalid_number: '“{n}” is not a valid phone number.',
      rate_limited: 'Too many calls: try again in {s} s.',
      token_expired: 'Your session has expired: sign in again.',
      unauthorized: 'AntRing did not accept your sign-in.',
      forbidden: 'This account may not place calls.',
      network: 'Cannot reach AntRing.',
      no_token: 'Not signed in to AntRing.',
      other: 'Call failed: {m}',
    },
  };
  var TOAST_CSS = [
    ':host { all: initial; }',
    '.stack { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; display: flex; flex-direction: column; gap: 10px; max-width: min(380px, calc(100vw - 40px)); }',
    '.toast { display: flex; align-items: flex-start; gap: 10px; padding: 12px 12px 12px 14px; border-radius: 10px; background: #0f1b33; color: #fff;',
    '  font: 14px/1.4 -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; box-shadow: 0 8px 24px rgba(0,0,0,.22); border-left: 5px solid #5fe0a8; animation: in .16s ease-out; }',
    '.toast[data-kind="error"] { border-left-color: #ff8a80; }',
    '.msg { flex: 1; }',
    'button { all: unset; cursor: pointer; padding: 0 6px; border-radius: 6px; font-size: 18px; line-height: 1.1; color: #c9d4ea; }',
    'button:hover { color: #fff; background: rgba(255,255,255,.12); } button:focus-visible { outline: 2px solid #8fb8ff; }',
    '@keyframes in { from { transform: translateY(8px); opacity: 0; } }',
    '@media (prefers-reduced-motion: reduce) { .toast { animation: none; } }',
  ].join('\n');
  var PAGE_CSS =
    '[data-antring-ready] { cursor: pointer; } [data-antring-state="dialing"] { cursor: progress; opacity: .6; }';
  var SELECTOR = 'a[href^="tel:"], [data-antring-dial]';
  var ERRORS = [
    'device_offline',
    'dnc',
    'invalid_number',
    'token_expired',
    'unauthorized',
    'forbidden',
    'network',
    'no_token',
  ];

  var opts = null;
  var host = null; // the toasts' shadow host
  var stack = null;
  var observer = null;
  var pageSheet = null;
  var toasts = 0; // toasts shown so far (data-seq: the newest is the highest)

  function text(key, vars) {
    var lang = opts?.lang || 'vi';
    var s = (TEXT[lang] || TEXT.vi)[key] || key;
    return s.replace(/\{(\w)\}/g, (_, k) => (vars && vars[k] !== undefined ? String(vars[k]) : ''));
  }

  function formatPhone(raw) {
    var d = String(raw)
      .replace(/[\s.\-()]/g, '')
      .replace(/^\+84/, '0');
    if (/^02\d{9}$/.test(d)) return `${d.slice(0, 3)} ${d.slice(3, 7)} ${d.slice(7)}`;
    if (/^0\d{9}$/.test(d)) return `${d.slice(0, 4)} ${d.slice(4, 7)} ${d.slice(7)}`;
    return String(raw).trim();
  }

  function numberOf(el) {
    if (el.hasAttribute('data-antring-dial'))
      return (el.getAttribute('data-antring-dial') || el.textContent || '').trim();
    var href = el.getAttribute('href') || '';
    try {
      href = decodeURIComponent(href);
    } catch {
      /* keep it as written */
    }
    return href.slice(4).split(';')[0].trim(); // tel:0934890883;ext=1 → 0934890883
  }

  function decorate(root) {
    var els = root.querySelectorAll ? root.querySelectorAll(SELECTOR) : [];
    for (let i = 0; i < els.length; i++) {
      const el = els[i];
      if (el.hasAttribute('data-antring-ready')) continue;
      el.setAttribute('data-antring-ready', '');
      if (!el.title) {
        el.title = text('call', { n: formatPhone(numberOf(el)) });
        el.setAttribute('data-antring-title', ''); // ours: destroy() takes it back (a new init may change language)
      }
      const tag = el.tagName;
      if (tag !== 'A' && tag !== 'BUTTON') {
        if (!el.hasAttribute('role')) el.setAttribute('role', 'button');
        if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '0');
      }
    }
  }

  function toast(message, kind) {
    var el = document.createElement('div');
    el.className = 'toast';
    el.setAttribute('data-seq', String(++toasts));
    el.setAttribute('data-kind', kind);
    el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    var msg = document.createElement('div');
    msg.className = 'msg';
    msg.textContent = message;
    var close = document.createElement('button');
    close.type = 'button';
    close.textContent = '×';
    close.setAttribute('aria-label', text('close'));
    close.addEventListener('click', () => {
      el.remove();
    });
    el.append(msg, close);
    stack.append(el);
    setTimeout(
      () => {
        el.remove();
      },
      kind === 'error' ? 9000 : 6000,
    );
    while (stack.children.length > 4) stack.firstChild.remove();
  }

  function describe(result, number) {
    var n = formatPhone(number);
    if (result.status === 'dialing')
      return { kind: 'ok', text: text('dialing', { n: formatPhone(result.number || number) }) };
    var code = result.error;
    if (code === 'rate_limited')
      return { kind: 'error', text: text('rate_limited', { s: result.retryAfterSec || 60 }) };
    if (ERRORS.indexOf(code) >= 0) return { kind: 'error', text: text(code, { n: n }) };
    return { kind: 'error', text: text('other', { m: result.message || code }) };
  }

  function dial(number) {
    if (!opts) return Promise.reject(new Error('AntRingDial.init() first'));
    return Promise.resolve()
      .then(() => opts.getToken())
      .then(
        (token) => {
          if (typeof token !== 'string' || !token) return { error: 'no_token', message: text('no_token') };
          return fetch(`${opts.bridgeUrl}/api/click-to-call`, {
            method: 'POST',
            mode: 'cors',
            credentials: 'omit',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ number: number }),
          }).then(
            (res) =>
              res
                .json()
                .catch(() => ({}))
                .then((body) => {
                  var retry = Number(res.headers.get('Retry-After'));
                  if (body && body.error === 'rate_limited' && !body.retryAfterSec && retry > 0)
                    body.retryAfterSec = retry;
                  return body && (body.status || body.error)
                    ? body
                    : { error: 'upstream_error', message: `HTTP ${res.status}` };
                }),
            () => ({ error: 'network' }),
          );
        },
        () => ({ error: 'no_token' }),
      )
      .then((result) => {
        var d = describe(result, number);
        toast(d.text, d.kind);
        if (opts && typeof opts.onResult === 'function') {
          try {
            opts.onResult(result, number);
          } catch (e) {
            console.error('AntRingDial onResult failed', e);
          }
        }
        return result;
      });
  }

  function activate(el, event) {
    if (!opts) return;
    event.preventDefault();
    if (el.getAttribute('data-antring-state') === 'dialing') return;
    el.setAttribute('data-antring-state', 'dialing');
    el.setAttribute('aria-busy', 'true');
    dial(numberOf(el)).then(() => {
      el.removeAttribute('data-antring-state');
      el.removeAttribute('aria-busy');
    });
  }

  function onClick(e) {
    var el = e.target instanceof Element ? e.target.closest(SELECTOR) : null;
    if (el && !e.defaultPrevented && e.button === 0) activate(el, e);
  }

  function onKey(e) {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    var el = e.target instanceof Element ? e.target : null;
    // Links and buttons already turn Enter into a click; other elements with data-antring-dial need this.
    if (el?.matches('[data-antring-dial]') && el.tagName !== 'A' && el.tagName !== 'BUTTON') activate(el, e);
  }

  function init(options) {
    if (!options || typeof options.getToken !== 'function')
      throw new TypeError('AntRingDial.init({ getToken }) needs a getToken function');
    if (opts) destroy();
    var base = options.bridgeUrl || (scriptSrc ? new URL(scriptSrc).origin : location.origin);
    var lang = options.lang || ((document.documentElement.lang || '').toLowerCase().indexOf('en') === 0 ? 'en' : 'vi');
    opts = {
      getToken: options.getToken,
      onResult: options.onResult,
      bridgeUrl: String(base).replace(/\/+$/, ''),
      lang: lang,
    };

    host = document.createElement('div');
    host.setAttribute('data-antring-toasts', '');
    var shadow = host.attachShadow({ mode: 'open' });
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(TOAST_CSS);
    shadow.adoptedStyleSheets = [sheet];
    stack = document.createElement('div');
    stack.className = 'stack';
    shadow.append(stack);
    document.body.append(host);

    pageSheet = new CSSStyleSheet();
    pageSheet.replaceSync(PAGE_CSS);
    document.adoptedStyleSheets = document.adoptedStyleSheets.concat(pageSheet);

    decorate(document);
    observer = new MutationObserver((records) => {
      for (let i = 0; i < records.length; i++) {
        for (let j = 0; j < records[i].addedNodes.length; j++) {
          const node = records[i].addedNodes[j];
          if (node.nodeType !== 1) continue;
          if (node.matches(SELECTOR)) decorate(node.parentNode || document);
          else decorate(node);
        }
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
    document.addEventListener('click', onClick);
    document.addEventListener('keydown', onKey);
  }

  function destroy() {
    if (!opts) return;
    document.removeEventListener('click', onClick);
    document.removeEventListener('keydown', onKey);
    if (observer) observer.disconnect();
    if (host) host.remove();
    for (const el of document.querySelectorAll('[data-antring-ready]')) {
      el.removeAttribute('data-antring-ready');
      if (el.hasAttribute('data-antring-title')) el.removeAttribute('title');
      el.removeAttribute('data-antring-title');
    }
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== pageSheet);
    opts = host = stack = observer = pageSheet = null;
  }

  Object.defineProperty(window, 'AntRingDial', {
    value: Object.freeze({ init: init, dial: dial, destroy: destroy, version: '1' }),
    enumerable: true,
  });
})();
