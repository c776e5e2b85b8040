// Today's calls: the agent's call history since midnight (GET /api/history), merged with the calls that ended while
// the page was open (newer, and with the CRM name), newest first, each with a redial button; and a small summary.
import { h, replaceChildren } from './dom.js';
import { formatDuration, formatPhone, otherParty } from './format.js';
import { fmtInt, fmtTime, t } from './i18n.js';

const ARROWS = { inbound: '↙', outbound: '↗', internal: '⇄' };
const MAX_ROWS = 50;
const DIALABLE = /^\+?[\d\s.\-()]{2,}$/;

// The list's label and the summary's counters come from one classification (answered / missed / neither), so they
// always agree: an answered call reads "Answered" (not the card's "Ended"), a missed call is an inbound one; an
// outbound or internal call nobody picked up reads "No answer" and is neither.
function labelFor(direction, outcome) {
  if (outcome === 'answered') return 'today.answered';
  if (outcome === 'missed' && direction !== 'inbound') return 'today.no_answer';
  return `outcome.${outcome}`;
}

export function todayList({ table, summary, note, me, onRedial }) {
  const entries = new Map();
  let error;

  function fromHistory(item) {
    const mine = (p) => p.username === me();
    const other =
      item.direction === 'outbound' || (item.direction === 'internal' && mine(item.from)) ? item.to : item.from;
    // A colleague (internal call) is shown by username: their party number is a SIP user, not something to dial.
    const number = other.username && item.direction === 'internal' ? other.username : other.number;
    const elsewhere = item.direction === 'inbound' && item.status === 'success' && item.agent && item.agent !== me();
    const answered = item.status === 'success' && !elsewhere;
    const missed = item.direction === 'inbound' && (item.status === 'ivr' || item.status === 'cancelled');
    let labelKey = `hist.${item.status}`;
    if (elsewhere) labelKey = 'outcome.answered_elsewhere';
    else if (answered) labelKey = 'today.answered';
    else if (missed) labelKey = 'outcome.missed';
    else if (item.status === 'ivr') labelKey = 'today.no_answer';
    return {
      at: item.startedAt,
      direction: item.direction,
      number,
      labelKey,
      answered,
      missed,
      durationSec: item.billingSec || item.durationSec,
    };
  }

  function fromView(v) {
    return {
      at: v.startedAt,
      direction: v.direction,
      number: otherParty(v).number,
      name: v.contact?.name,
      labelKey: v.outcome ? labelFor(v.direction, v.outcome) : 'outcome.ended',
      answered: v.outcome === 'answered',
      missed: v.direction === 'inbound' && (v.outcome === 'missed' || v.outcome === 'abandoned'),
      durationSec: v.answeredAt ? (v.billingSec ?? v.durationSec) : v.durationSec,
    };
  }

  function row(e) {
    const number = formatPhone(e.number);
    return h(
      'tr',
      { dataset: { direction: e.direction } },
      h('td', { class: 'col-time' }, fmtTime(e.at)),
      h(
        'td',
        { class: 'col-dir' },
        h(
          'span',
          { class: 'dir-icon', title: t(`dir.${e.direction}`), 'aria-label': t(`dir.${e.direction}`) },
          ARROWS[e.direction] ?? '·',
        ),
      ),
      h(
        'td',
        { class: 'col-party' },
        h('span', { class: 'party-number' }, number),
        e.name ? h('span', { class: 'party-name' }, e.name) : null,
      ),
      h(
        'td',
        { class: 'col-status', dataset: { answered: String(e.answered), missed: String(e.missed) } },
        t(e.labelKey),
      ),
      h('td', { class: 'col-dur' }, e.durationSec ? formatDuration(e.durationSec) : '—'),
      h(
        'td',
        { class: 'col-act' },
        DIALABLE.test(e.number ?? '')
          ? h(
              'button',
              {
                type: 'button',
                class: 'btn btn-ghost btn-small',
                'aria-label': t('today.redial.label', { number }),
                dataset: { focus: `redial-${e.at}-${e.number}` },
                onclick: () => onRedial(e.number),
              },
              t('today.redial'),
            )
          : null,
      ),
    );
  }

  function render() {
    const list = [...entries.values()].sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, MAX_ROWS);
    replaceChildren(
      table,
      list.length
        ? h('tbody', {}, list.map(row))
        : h('tbody', {}, h('tr', {}, h('td', { class: 'empty', colspan: '6' }, t('today.empty')))),
    );
    note.hidden = !error;
    note.textContent = error ? t('today.history_error', { code: error }) : '';
    const all = [...entries.values()];
    const talk = all.reduce((s, e) => s + (e.answered ? e.durationSec || 0 : 0), 0);
    const stat = (key, value) =>
      h(
        'div',
        { class: 'stat', dataset: { stat: key } },
        h('span', { class: 'stat-value' }, value),
        h('span', { class: 'stat-label' }, t(`sum.${key}`)),
      );
    replaceChildren(
      summary,
      stat('total', fmtInt(all.length)),
      stat('answered', fmtInt(all.filter((e) => e.answered).length)),
      stat('missed', fmtInt(all.filter((e) => e.missed).length)),
      stat('talk', formatDuration(talk)),
    );
  }

  return {
    render,
    /** Loads today's history (local midnight → now). */
    async load(token) {
      const midnight = new Date();
      midnight.setHours(0, 0, 0, 0);
      const q = new URLSearchParams({ from: midnight.toISOString(), to: new Date().toISOString(), limit: '100' });
      try {
        const res = await fetch(`/api/history?${q}`, { headers: { authorization: `Bearer ${token}` } });
        const body = await res.json();
        if (!res.ok) throw new Error(body?.error ?? `HTTP ${res.status}`);
        error = undefined;
        for (const item of body.items ?? []) {
          const key = item.callId ?? `${item.startedAt}:${item.from?.number}`;
          if (!entries.has(key) || !entries.get(key).live) entries.set(key, fromHistory(item));
        }
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
        console.warn('call history unavailable:', error);
      }
      render();
    },
    /** A call that ended while the page was open. */
    add(view) {
      entries.set(view.callId, { ...fromView(view), live: true });
      render();
    },
  };
}
