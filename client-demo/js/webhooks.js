// The webhook deliveries page (demo mode): what the embedded receiver got from the bridge, each delivery verified
// with the Standard Webhooks reference library on the receiving side and processed once per webhook-id
// (GET /demo/feed/webhooks.json every second; newest first).
import { $, h, replaceChildren } from './dom.js';
import { formatPhone, otherParty } from './format.js';
import { fmtClock, onLangChange, t, translate } from './i18n.js';
import { langSwitch } from './status.js';

const POLL_MS = 1000;
const SHOWN = 50;
let last = [];

function row(d) {
  // The customer's number: the caller of an inbound call, the number dialled for an outbound one (not the agent's).
  const number = d.data ? otherParty(d.data)?.number : undefined;
  return h(
    'tr',
    { dataset: { webhookId: d.id, type: d.type } },
    h('td', {}, fmtClock(new Date(d.receivedAt))),
    h('td', {}, h('span', { class: 'type', dataset: { state: d.state ?? '' } }, d.type)),
    h('td', {}, h('code', {}, d.id)),
    h(
      'td',
      { class: 'number' },
      number ? formatPhone(number) : '',
      d.data?.outcome ? ` · ${t(`outcome.${d.data.outcome}`)}` : '',
    ),
    h(
      'td',
      {},
      h('span', { class: 'verified', title: t('hooks.verified.help') }, d.verified ? `✓ ${t('hooks.verified')}` : '✗'),
      ' ',
      h('code', { class: 'sig' }, d.signature),
    ),
  );
}

function render() {
  $('#count').textContent = t('hooks.count', { n: last.length });
  replaceChildren($('#hooks tbody'), last.slice(0, SHOWN).map(row));
  $('#empty').hidden = last.length > 0;
}

async function poll() {
  try {
    const res = await fetch('/demo/feed/webhooks.json', { cache: 'no-store' });
    if (res.status === 404) {
      $('#empty').textContent = t('hooks.unavailable');
      return;
    }
    if (res.ok) {
      last = (await res.json()).deliveries ?? [];
      render();
    }
  } catch {
    /* next round */
  }
  setTimeout(poll, POLL_MS);
}

langSwitch($('#lang'));
onLangChange(() => {
  translate();
  render();
});
translate();
render();
void poll();
