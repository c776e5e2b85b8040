// One call as the agent sees it: state and live timer, the caller's number, the CRM contact (or the chooser when
// several records match, or "no record"), and how the call ended.
import { h } from './dom.js';
import { formatDuration, formatPhone, otherParty, secondsSince } from './format.js';
import { t } from './i18n.js';

/** The label of a call's state, from the agent's side. */
export function stateLabel(view) {
  if (view.state === 'ended') return t(`outcome.${view.outcome ?? 'answered'}`);
  if (view.state === 'ringing' && view.direction === 'outbound') return t('state.ringing.outbound');
  return t(`state.${view.state}`);
}

/** The time the timer counts from, or the fixed duration of an ended call. */
function timer(view) {
  if (view.state === 'ringing')
    return h(
      'span',
      { class: 'timer', dataset: { since: view.startedAt } },
      formatDuration(secondsSince(view.startedAt)),
    );
  if (view.state === 'answered') {
    const since = view.answeredAt ?? view.startedAt;
    return h('span', { class: 'timer', dataset: { since } }, formatDuration(secondsSince(since)));
  }
  const sec = view.answeredAt ? (view.billingSec ?? view.durationSec) : view.durationSec;
  return sec === undefined ? null : h('span', { class: 'timer' }, formatDuration(sec));
}

export function contactDetails(c) {
  const facts = [
    ['contact.stage', c.stage],
    ['contact.staff', c.responsibleStaff],
    ['contact.rank', c.rank],
  ].filter(([, v]) => v);
  return h(
    'div',
    { class: 'contact', dataset: { contactId: c.id } },
    h(
      'div',
      { class: 'contact-title' },
      h('span', { class: 'contact-name' }, c.name),
      h('span', { class: `badge type-${c.type}` }, t(`contact.${c.type}`)),
    ),
    c.tags?.length
      ? h(
          'ul',
          { class: 'tags', 'aria-label': 'tags' },
          c.tags.map((tag) => h('li', { class: 'tag' }, tag)),
        )
      : null,
    facts.length
      ? h(
          'dl',
          { class: 'facts' },
          facts.map(([k, v]) => h('div', {}, h('dt', {}, t(k)), h('dd', {}, v))),
        )
      : null,
    c.emails?.[0] ? h('p', { class: 'contact-email' }, c.emails[0]) : null,
  );
}

function chooser(view, chosenId, onChoose) {
  const candidates = view.candidates ?? [];
  const chosen = candidates.find((c) => c.id === chosenId);
  return h(
    'div',
    { class: 'chooser' },
    h('p', { class: 'chooser-prompt', id: `choose-${view.callId}` }, t('contact.multiple', { n: candidates.length })),
    h(
      'div',
      { class: 'choices', role: 'group', 'aria-labelledby': `choose-${view.callId}` },
      candidates.map((c) =>
        h(
          'button',
          {
            type: 'button',
            class: 'choice',
            'aria-pressed': String(c.id === chosenId),
            dataset: { focus: `choice-${view.callId}-${c.id}`, contactId: c.id },
            onclick: () => onChoose(view.callId, c.id),
          },
          h('span', { class: 'choice-name' }, c.name),
          h('span', { class: `badge type-${c.type}` }, t(`contact.${c.type}`)),
          c.stage ? h('span', { class: 'choice-stage' }, c.stage) : null,
        ),
      ),
    ),
    chosen ? contactDetails(chosen) : null,
  );
}

function contactBlock(view, chosenId, onChoose) {
  switch (view.contactStatus) {
    case 'found':
      return view.contact ? contactDetails(view.contact) : null;
    case 'multiple':
      return chooser(view, chosenId, onChoose);
    case 'not_found':
      return h(
        'div',
        { class: 'contact contact-none' },
        h('span', { class: 'contact-none-title' }, t('contact.not_found')),
        h('span', { class: 'contact-none-number' }, formatPhone(otherParty(view).number)),
      );
    case 'pending':
      return h('div', { class: 'contact contact-pending', 'aria-busy': 'true' }, t('contact.pending'));
    default:
      return h('div', { class: 'contact contact-muted' }, t(`contact.${view.contactStatus}`));
  }
}

/** §9.3: a call that recovers missed calls (AntBot's callback, or the customer calling again / being called). */
function recoveryLabel(view) {
  if (!Array.isArray(view.recovers) || view.recovers.length === 0) return null;
  return h(
    'div',
    { class: 'recovery-label', dataset: { callback: String(view.callback === true) } },
    view.callback === true ? t('call.callback') : t('call.recovers'),
  );
}

/** The card of one call; `extra`: more children at its foot (the wrap-up box, the AntCRM line). */
export function callCard(view, { chosenId, onChoose, onDismiss, extra = [] }) {
  const party = otherParty(view);
  const meta = [t(`dir.${view.direction}`), view.queue?.name ? `${t('call.queue')}: ${view.queue.name}` : null]
    .filter(Boolean)
    .join(' · ');
  return h(
    'article',
    {
      class: 'call-card',
      dataset: { callId: view.callId, state: view.state, direction: view.direction, outcome: view.outcome ?? '' },
      'aria-label': `${stateLabel(view)}: ${formatPhone(party.number)}`,
    },
    h(
      'header',
      { class: 'call-head' },
      h(
        'span',
        { class: 'state-chip', dataset: { state: view.state } },
        h('span', { class: 'dot', 'aria-hidden': 'true' }),
        stateLabel(view),
      ),
      timer(view),
      h('span', { class: 'call-meta' }, meta),
      view.state === 'ended'
        ? h(
            'button',
            {
              type: 'button',
              class: 'icon-btn',
              'aria-label': t('call.dismiss'),
              title: t('call.dismiss'),
              onclick: () => onDismiss(view.callId),
            },
            '×',
          )
        : null,
    ),
    recoveryLabel(view),
    h('div', { class: 'call-number' }, formatPhone(party.number)),
    party.name && party.name !== party.number && !view.contact ? h('div', { class: 'call-cid' }, party.name) : null,
    contactBlock(view, chosenId, onChoose),
    extra,
  );
}
