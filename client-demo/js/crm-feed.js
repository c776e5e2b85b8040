// The CRM page's "from the switchboard" section (demo mode): the tickets and leads the bridge wrote to the simulated
// AntCRM, listed as they arrive (GET /demo/feed/crm.json every second; newest first). CRM data is untrusted: text only.
import { $, h, replaceChildren } from './dom.js';
import { formatPhone } from './format.js';

const POLL_MS = 1000;
const SHOWN = 20;

function ticketRow(t) {
  const contact = t.contact?.id ? `#${t.contact.id}` : (t.contact?.name ?? '');
  return h(
    'tr',
    { dataset: { ticketId: String(t.TicketId), callId: t.ticketIdApiRing ?? '' } },
    h('td', {}, h('span', { class: 'ticket-id' }, `#${t.TicketId}`)),
    h('td', {}, h('span', { class: 'nm' }, t.title, h('small', {}, contact))),
    h('td', {}, h('pre', { class: 'ticket-summary' }, t.summary ?? '')),
    h('td', {}, h('span', { class: 'tag t-lead' }, t.priority ?? '')),
    h('td', {}, new Date(t.updatedAt ?? t.createdAt).toLocaleTimeString('vi-VN')),
  );
}

function leadRow(l) {
  const phone = l.phones?.[0] ?? '';
  return h(
    'tr',
    { dataset: { leadId: l.leadId ?? '' } },
    h('td', {}, h('span', { class: 'nm' }, l.name, h('small', {}, l.sourceContact ?? ''))),
    h('td', {}, h('span', { class: 'tag t-lead' }, 'Tiềm năng')),
    h('td', {}, phone ? h('a', { href: `tel:${phone}` }, formatPhone(phone)) : ''),
    h('td', {}, new Date(l.createdAt).toLocaleTimeString('vi-VN')),
  );
}

function render({ tickets = [], leads = [] }) {
  $('#feed-count').textContent = `${tickets.length} phiếu · ${leads.length} khách tiềm năng mới`;
  replaceChildren($('#tickets tbody'), tickets.slice(0, SHOWN).map(ticketRow));
  replaceChildren($('#leads tbody'), leads.slice(0, SHOWN).map(leadRow));
  $('#tickets-empty').hidden = tickets.length > 0;
  $('#leads-empty').hidden = leads.length > 0;
}

async function poll() {
  try {
    const res = await fetch('/demo/feed/crm.json', { cache: 'no-store' });
    if (res.status === 404) {
      $('#feed').hidden = true; // not demo mode: there is no simulated AntCRM to show
      return;
    }
    if (res.ok) render(await res.json());
  } catch {
    /* the bridge is restarting: next round */
  }
  setTimeout(poll, POLL_MS);
}
void poll();
