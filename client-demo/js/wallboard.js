// The wallboard: the bridge's `dashboard` event (sent on connect and on every change; customer numbers arrive
// already redacted for the wallboard role), drawn large enough to read across a room. Changed figures flash briefly;
// stale data (the bridge's last poll failed, or this page lost its connection) is dimmed and labelled.
import { claimsOf, connect, readToken, storeToken } from './connection.js';
import { $, h, replaceChildren } from './dom.js';
import { formatDuration, formatPhone, secondsSince } from './format.js';
import { fmtClock, fmtInt, onLangChange, t, translate } from './i18n.js';
import { connectionStatus, langSwitch } from './status.js';

const STATUS_ORDER = ['connected', 'ringing', 'wrapup', 'ready', 'paused'];
let dash;
let connState = 'connecting';
const previous = new Map(); // figure key → last shown text (to flash the ones that changed)

/** Shows a figure; flashes its tile when the value changed since the last dashboard. */
function show(key, el, tile, value) {
  el.textContent = value;
  const before = previous.get(key);
  previous.set(key, value);
  if (before === undefined || before === value) return;
  tile.classList.remove('changed');
  void tile.offsetWidth; // restart the animation
  tile.classList.add('changed');
}

function renderKpis(d) {
  const kpi = (name, value, alert = false) => {
    const tile = $(`[data-kpi="${name}"]`);
    tile.dataset.alert = String(alert);
    show(`kpi:${name}`, tile.querySelector('.kpi-value'), tile, value);
  };
  const tt = d.totals;
  kpi('waiting', fmtInt(tt.waiting), tt.waiting > 0);
  kpi('offered', fmtInt(tt.offered));
  kpi('handled', fmtInt(tt.handled));
  kpi('abandoned', fmtInt(tt.abandoned), tt.abandoned > 0);
  kpi('avg-wait', formatDuration(tt.avgWaitingSec));
  kpi('max-wait', formatDuration(tt.maxWaitingSec));
}

function queueCard(key, name, agents, waiting, count) {
  const oldest = waiting
    .map((w) => w.since)
    .filter(Boolean)
    .sort()[0];
  const value = h('span', { class: 'qf-value' });
  const card = h(
    'article',
    { class: 'queue', dataset: { queue: key, waiting: String(count) } },
    h(
      'header',
      { class: 'queue-head' },
      h('h3', {}, name),
      agents === undefined ? null : h('span', { class: 'queue-agents' }, t('wb.queue.agents', { n: fmtInt(agents) })),
    ),
    h(
      'div',
      { class: 'queue-figures' },
      h('div', { class: 'qf qf-waiting' }, value, h('span', { class: 'qf-label' }, t('wb.queue.waiting'))),
      h(
        'div',
        { class: 'qf' },
        oldest
          ? h('span', { class: 'qf-value timer', dataset: { since: oldest } }, formatDuration(secondsSince(oldest)))
          : h('span', { class: 'qf-value' }, '–'),
        h('span', { class: 'qf-label' }, t('wb.queue.longest')),
      ),
    ),
    waiting.length
      ? h(
          'ul',
          { class: 'waiting-list' },
          waiting.map((w) =>
            h(
              'li',
              { dataset: { callId: w.callId } },
              h('span', { class: 'masked' }, formatPhone(w.number)),
              w.since
                ? h('span', { class: 'timer', dataset: { since: w.since } }, formatDuration(secondsSince(w.since)))
                : null,
            ),
          ),
        )
      : h('p', { class: 'queue-none' }, t('wb.queue.none')),
  );
  show(`queue:${key}`, value, card, fmtInt(count));
  return card;
}

function renderQueues(d) {
  const byQueue = new Map(d.queues.map((q) => [q.id, []]));
  const other = [];
  for (const w of d.waitingCalls) (byQueue.get(w.queueId) ?? other).push(w);
  const cards = d.queues.map((q) =>
    queueCard(q.id, q.name, q.agents, byQueue.get(q.id), q.waiting ?? byQueue.get(q.id).length),
  );
  if (other.length) cards.push(queueCard('other', t('wb.other_queue'), undefined, other, other.length));
  replaceChildren($('#queues'), cards);
}

function agentLabel(status) {
  const key = `wb.agent.${status}`;
  const label = t(key);
  return label === key ? status : label;
}

function renderAgents(d) {
  const a = d.agents;
  const counts = [
    ['ready', a.ready],
    ['connected', a.connected],
    ['wrapup', a.wrapup],
    ['paused', a.paused],
    ['logged_out', a.loggedOut],
  ];
  replaceChildren(
    $('#agent-counts'),
    counts.map(([status, n]) => {
      const value = h('span', { class: 'count-value' });
      const li = h('li', { dataset: { status } }, value, h('span', {}, agentLabel(status)));
      show(`agents:${status}`, value, li, fmtInt(n));
      return li;
    }),
  );
  const rank = (s) => (STATUS_ORDER.includes(s) ? STATUS_ORDER.indexOf(s) : STATUS_ORDER.length);
  const details = [...a.details].sort(
    (x, y) => rank(x.status) - rank(y.status) || (x.name ?? x.username).localeCompare(y.name ?? y.username),
  );
  replaceChildren(
    $('#agents'),
    details.map((x) =>
      h(
        'li',
        { class: 'agent', dataset: { status: x.status, username: x.username } },
        h('span', { class: 'agent-name' }, x.name ?? x.username),
        h('span', { class: 'agent-status' }, agentLabel(x.status)),
        x.since
          ? h('span', { class: 'timer', dataset: { since: x.since } }, formatDuration(secondsSince(x.since)))
          : null,
      ),
    ),
  );
}

/** §9.3 the recovery figures (shown when the bridge sends them: callbacks on). */
function renderRecovery(d) {
  const section = $('#recovery');
  const r = d.recovery;
  section.hidden = !r;
  if (!r) return;
  for (const key of ['missedToday', 'recovered', 'open', 'scheduled', 'unreached']) {
    const tile = $(`[data-rec="${key}"]`);
    show(`rec:${key}`, tile.querySelector('.kpi-value'), tile, String(r[key] ?? 0));
  }
  const median = $('[data-rec="median"]');
  const m = r.medianMinutesToRecover;
  show('rec:median', median.querySelector('.kpi-value'), median, m === null || m === undefined ? '–' : `${m} min`);
}

function renderStale() {
  const stale = Boolean(dash && (dash.stale || connState !== 'live'));
  $('#board').dataset.stale = String(stale);
  const banner = $('#stale');
  banner.hidden = !stale && Boolean(dash);
  banner.textContent = dash ? t('wb.stale', { time: fmtClock(new Date(dash.at)) }) : t('wb.waiting_for_data');
  $('#updated').textContent = dash ? t('wb.updated', { time: fmtClock(new Date(dash.at)) }) : '';
}

function render() {
  if (!dash) return renderStale();
  $('#board').dataset.loaded = 'true';
  renderKpis(dash);
  renderQueues(dash);
  renderAgents(dash);
  renderRecovery(dash);
  renderStale();
}

function onDashboard(d) {
  if (!d?.totals || !d.agents) return;
  dash = d;
  render();
}

setInterval(() => {
  $('#clock').textContent = fmtClock(new Date());
  for (const el of document.querySelectorAll('[data-since]'))
    el.textContent = formatDuration(secondsSince(el.dataset.since));
}, 1000);
$('#clock').textContent = fmtClock(new Date());

const setStatus = connectionStatus({
  pill: $('#conn'),
  banner: $('#banner'),
  onToken: (token) => {
    storeToken(token);
    conn.setToken(token);
  },
});
const token = readToken();
if (token && claimsOf(token).role && claimsOf(token).role !== 'wallboard')
  console.info('a wallboard token is expected; this one is', claimsOf(token).role);
const conn = connect({
  token,
  on: { dashboard: onDashboard },
  onState: (state) => {
    connState = state;
    setStatus(state);
    renderStale();
  },
});

langSwitch($('#lang'));
onLangChange(() => {
  translate();
  previous.clear();
  render();
});
translate();
render();
