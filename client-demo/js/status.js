// The connection pill in the header, the banner that asks for a new token, and the language switch.
import { h, replaceChildren } from './dom.js';
import { getLang, onLangChange, setLang, t } from './i18n.js';

const NEEDS_TOKEN = new Set(['expired', 'unauthorized', 'no_token']);

/**
 * pill: the header element showing the state; banner: where the "new token" form goes.
 * onToken(token) is called with a pasted token. Returns update(state).
 */
export function connectionStatus({ pill, banner, onToken }) {
  let state = 'connecting';
  function render() {
    pill.dataset.state = state;
    pill.setAttribute('role', 'status');
    replaceChildren(pill, h('span', { class: 'dot', 'aria-hidden': 'true' }), t(`conn.${state}`));
    banner.hidden = !NEEDS_TOKEN.has(state);
    if (banner.hidden) return banner.replaceChildren();
    const input = h('input', {
      id: 'new-token',
      type: 'password',
      autocomplete: 'off',
      spellcheck: 'false',
      required: true,
      'data-focus': 'token',
    });
    replaceChildren(
      banner,
      h('div', { class: 'banner-text' }, h('strong', {}, t(`conn.${state}`)), h('p', {}, t(`conn.${state}.help`))),
      h(
        'form',
        {
          class: 'token-form',
          onsubmit: (e) => {
            e.preventDefault();
            const token = input.value.trim();
            if (token) onToken(token);
          },
        },
        h('label', { for: 'new-token' }, t('conn.token.label')),
        input,
        h('button', { class: 'btn', type: 'submit' }, t('conn.token.apply')),
      ),
    );
  }
  onLangChange(render);
  render();
  return (next) => {
    state = next;
    render();
  };
}

/** A button that toggles between Vietnamese and English. */
export function langSwitch(button) {
  const render = () => {
    button.textContent = t('lang.switch');
    button.setAttribute('lang', getLang() === 'vi' ? 'en' : 'vi');
  };
  button.addEventListener('click', () => setLang(getLang() === 'vi' ? 'en' : 'vi'));
  onLangChange(render);
  render();
}
