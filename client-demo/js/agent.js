// The agent panel: screen-pops from the bridge's `call` events, today's calls, click-to-call.
// A client keeps the highest `seq` per call and ignores lower or equal ones (the bridge's contract).
import { callCard, stateLabel } from './call-card.js';
import { claimsOf, connect, readToken, storeToken } from './connection.js';
import { describeDial, dialOnSocket } from './dial.js';
import { $, h, replaceChildren } from './dom.js';
import { formatDuration, formatPhone, otherParty, secondsSince } from './format.js';
import { onLangChange, t, translate } from './i18n.js';
import { connectionStatus, langSwitch } from './status.js';
import { todayList } from './today.js';
import { canWrapUp, crmLine, NOTE_MAX, wrapupBox, wrapupOnSocket } from './wrapup.js';

const ENDED_LINGER_MS = 20_000;
// An ended call the agent may wrap up stays (with its box) until dismissed, wrapped up, or the bridge's 30 minutes.
const WRAPUP_LINGER_MS = 30 * 60_000;
const MAX_REMEMBERED = 2000;
const calls = new Map(); // callId → { view, chosenId, timer }
const lastSeq = new Map(); // callId → highest seq seen (also for calls already moved to today's list)
let claims = {};
let agentName;
let historyLoaded = false;
let lastDial;

const today = todayList({
  table: $('#today'),
  summary: $('#summary'),
  note: $('#history-note'),
  me: () => claims.agent,
  onRedial: (number) => dial(number),
});

// ---- calls ----
function onCall(view) {
  if (!view || typeof view.callId !== 'string' || typeof view.seq !== 'number') return;
  if ((lastSeq.get(view.callId) ?? 0) >= view.seq) return;
  lastSeq.set(view.callId, view.seq);
  if (lastSeq.size > MAX_REMEMBERED) lastSeq.delete(lastSeq.keys().next().value);
  if (view.agent?.name && view.agent.username === claims.agent) agentName = view.agent.name;
  const prev = calls.get(view.callId);
  // The AntCRM status of a call already dismissed: nothing to show (its card is gone, today's list has it).
  if (!prev && view.crm) return;
  const entry = prev ?? {};
  entry.view = view;
  calls.set(view.callId, entry);
  if (!prev && view.state === 'ringing') announce(view);
  if (view.state === 'ended' && !entry.timer) {
    today.add(view);
    entry.timer = setTimeout(() => dismiss(view.callId), canWrapUp(view) ? WRAPUP_LINGER_MS : ENDED_LINGER_MS);
  }
  renderCalls();
}

function dismiss(callId) {
  clearTimeout(calls.get(callId)?.timer);
  calls.delete(callId);
  renderCalls();
}

function choose(callId, contactId) {
  const entry = calls.get(callId);
  if (!entry) return;
  entry.chosenId = entry.chosenId === contactId ? undefined : contactId;
  renderCalls();
}

const ORDER = { ringing: 0, answered: 1, ended: 2 };
function renderCalls() {
  const list = [...calls.values()].sort(
    (a, b) => ORDER[a.view.state] - ORDER[b.view.state] || Date.parse(b.view.startedAt) - Date.parse(a.view.startedAt),
  );
  replaceChildren(
    $('#calls'),
    list.map((e) =>
      callCard(e.view, {
        chosenId: e.chosenId,
        onChoose: choose,
        onDismiss: dismiss,
        extra: [
          canWrapUp(e.view) ? wrapupBox(e.view, (e.draft ??= {}), (draft) => void wrapUp(e.view.callId, draft)) : null,
          crmLine(e.view),
        ],
      }),
    ),
  );
  $('#idle').hidden = list.length > 0;
  const ringing = list.find((e) => e.view.state === 'ringing');
  document.title = ringing
    ? `☎ ${formatPhone(otherParty(ringing.view).number)} · AntRing`
    : `AntRing · ${t('app.agent')}`;
  renderWho();
}

function announce(view) {
  const party = otherParty(view);
  const who = view.contact?.name ? `${view.contact.name}, ` : '';
  $('#announcer').textContent = `${stateLabel(view)}: ${who}${formatPhone(party.number)}`;
}

function renderWho() {
  if (!claims.agent) return $('#who').replaceChildren();
  const name = agentName ?? claims.agent;
  const initials = name
    .split(/[\s.]+/)
    .filter(Boolean)
    .slice(-2)
    .map((w) => w[0].toUpperCase())
    .join('');
  replaceChildren(
    $('#who'),
    h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials),
    h(
      'span',
      { class: 'who-text' },
      h('span', { class: 'who-name' }, name),
      agentName ? h('span', { class: 'who-user' }, claims.agent) : null,
    ),
  );
}

// ---- wrap-up ----
async function wrapUp(callId, draft) {
  const note = (draft.note ?? '').trim();
  if (!note || note.length > NOTE_MAX) {
    draft.result = { error: 'empty' };
    return renderCalls();
  }
  draft.sending = true;
  draft.result = undefined;
  renderCalls();
  const body = { callId, note, ...(draft.disposition ? { disposition: draft.disposition } : {}) };
  draft.result = await wrapupOnSocket(conn.socket, body);
  draft.sending = false;
  const entry = calls.get(callId);
  if (draft.result?.status === 'accepted' && entry) {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => dismiss(callId), ENDED_LINGER_MS);
  }
  renderCalls();
}

// Live timers: every element with data-since shows the time elapsed since then.
setInterval(() => {
  for (const el of document.querySelectorAll('[data-since]'))
    el.textContent = formatDuration(secondsSince(el.dataset.since));
}, 1000);

// ---- click-to-call ----
function showDial(r) {
  lastDial = r;
  const el = $('#dial-result');
  if (r === undefined) return;
  const { kind, text } = r === 'sending' ? { kind: 'sending', text: t('dial.sending') } : describeDial(r);
  el.dataset.result = kind;
  el.textContent = text;
}

async function dial(number) {
  const input = $('#dial-number');
  input.value = number;
  if (!number.trim()) return input.focus();
  showDial('sending');
  showDial(await dialOnSocket(conn.socket, number.trim()));
}

$('#dial-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void dial($('#dial-number').value);
});

// ---- connection ----
const setStatus = connectionStatus({
  pill: $('#conn'),
  banner: $('#banner'),
  onToken: (token) => {
    storeToken(token);
    useToken(token);
    conn.setToken(token);
  },
});

function useToken(token) {
  claims = claimsOf(token ?? '');
  historyLoaded = false;
  renderWho();
}

const initial = readToken();
useToken(initial);
const conn = connect({
  token: initial,
  on: { call: onCall },
  onRenewed: (token) => useToken(token),
  onState: (state) => {
    setStatus(state);
    if (state === 'live' && !historyLoaded) {
      historyLoaded = true;
      void today.load(conn.token());
    }
  },
});

langSwitch($('#lang'));
onLangChange(() => {
  translate();
  renderCalls();
  today.render();
  showDial(lastDial);
});
translate();
renderCalls();
today.render();
