// The CRM page's "from the switchboard" section (demo mode): the tickets and leads the bridge wrote to the simulated
// AntCRM, listed as they arrive (GET /demo/feed/crm.json every second; newest first). CRM data is untrusted: text only.
// Times are the CRM's (Vietnam time, shown in the column heads), as in the ticket bodies the bridge writes.
import { CRM_TIME_ZONE } from './crm-labels.js';
import { $, h, replaceChildren } from './dom.js';
import { formatPhone } from './format.js';
import { locale, onLangChange, t } from './i18n.js';

const POLL_MS = 1000;
const SHOWN = 20;
let last = { tickets: [], leads: [] };

/** A time of day in the CRM's time zone, whatever the browser's. */
const crmTime = (iso) =>
  new Date(iso).toLocaleTimeString(locale(), {
    timeZone: CRM_TIME_ZONE,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

function ticketRow(ticket) {
  const contact = ticket.contact?.id ? `#${ticket.contact.id}` : (ticket.contact?.name ?? '');
  return h(
    'tr',
    { dataset: { ticketId: String(ticket.TicketId), callId: ticket.ticketIdApiRing ?? '' } },
    h('td', {}, h('span', { class: 'ticket-id' }, `#${ticket.TicketId}`)),
    h('td', {}, h('span', { class: 'nm' }, ticket.title, h('small', {}, contact))),
    h('td', {}, h('pre', { class: 'ticket-summary' }, ticket.summary ?? '')),
    h('td', {}, h('span', { class: 'tag t-lead' }, ticket.priority ?? '')),
    h('td', { class: 'updated' }, crmTime(ticket.updatedAt ?? ticket.createdAt)),
  );
}

function leadRow(l) {
  const phone = l.phones?.[0] ?? '';
  return h(
    'tr',
    { dataset: { leadId: l.leadId ?? '' } },
    h('td', {}, h('span', { class: 'nm' }, l.name, h('small', {}, l.sourceContact ?? ''))),
    h('td', {}, h('span', { class: 'tag t-lead' }, t('acme.tag.lead'))),
    h('td', {}, phone ? h('a', { href: `tel:${phone}` }, formatPhone(phone)) : ''),
    h('td', { class: 'created' }, crmTime(l.createdAt)),
  );
}

function render({ tickets = [], leads = [] } = last) {
  last = { tickets, leads };
  $('#feed-count').textContent = t('acme.feed.count', { tickets: tickets.length, leads: leads.length });
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
onLangChange(() => render());
void poll();
