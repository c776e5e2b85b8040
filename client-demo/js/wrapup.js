// The wrap-up box of an ended call on the agent panel (note + disposition), sent as the socket `wrapup` event
// (its ack has the REST body: { status: 'accepted' } or { error, message }), and the call's AntCRM status line
// from the later `call` message that carries `crm: { ticketId?, leadId?, status }`.
// The draft lives in the caller's `draft` object, so a re-render (every call message) keeps what was typed.
import { h } from './dom.js';
import { t } from './i18n.js';

const ACK_TIMEOUT_MS = 10_000;
export const NOTE_MAX = 2000;
export const DISPOSITIONS = ['callback', 'sale', 'support', 'complaint'];

/** Whether this agent may wrap the call up: it ended, and they answered it or it rang them unanswered. */
export function canWrapUp(view) {
  return (
    view.state === 'ended' &&
    view.direction !== 'internal' &&
    (view.outcome === 'answered' || view.outcome === 'missed')
  );
}

/** Sends the wrap-up; resolves with the ack body (or { error: 'offline' | 'network' }). */
export async function wrapupOnSocket(socket, body) {
  if (!socket.connected) return { error: 'offline', message: t('dial.offline') };
  try {
    return await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('wrapup', body);
  } catch {
    return { error: 'network', message: t('err.network') };
  }
}

/** The AntCRM line of a view that carries `crm`, else null. */
export function crmLine(view) {
  const crm = view.crm;
  if (!crm || typeof crm.status !== 'string') return null;
  const parts = [t(`crm.${crm.status}`)];
  if (crm.ticketId) parts.push(t('crm.ticket', { id: crm.ticketId }));
  if (crm.leadId) parts.push(t('crm.lead'));
  return h('p', { class: 'crm-line', dataset: { crm: crm.status, ticketId: crm.ticketId ?? '' } }, parts.join(' · '));
}

/**
 * The box. `draft` = { note, disposition, result?, sending? } (mutated as the agent types); `onSubmit(draft)` sends.
 */
export function wrapupBox(view, draft, onSubmit) {
  const id = `wrapup-${view.callId}`;
  const result = draft.result;
  const note = h('textarea', {
    id: `${id}-note`,
    class: 'wrapup-note',
    name: 'note',
    rows: '3',
    maxlength: String(NOTE_MAX),
    placeholder: t('wrapup.placeholder'),
    dataset: { focus: `${id}-note` },
    oninput: (e) => {
      draft.note = e.target.value;
    },
  });
  note.value = draft.note ?? '';
  const select = h(
    'select',
    {
      id: `${id}-disposition`,
      class: 'wrapup-disposition',
      name: 'disposition',
      dataset: { focus: `${id}-disposition` },
      onchange: (e) => {
        draft.disposition = e.target.value;
      },
    },
    h('option', { value: '' }, t('wrapup.disposition.none')),
    DISPOSITIONS.map((d) => h('option', { value: d }, t(`wrapup.disposition.${d}`))),
  );
  select.value = draft.disposition ?? '';
  return h(
    'form',
    {
      class: 'wrapup',
      'aria-labelledby': `${id}-title`,
      onsubmit: (e) => {
        e.preventDefault();
        onSubmit(draft);
      },
    },
    h('h3', { id: `${id}-title`, class: 'wrapup-title' }, t('wrapup.title')),
    h('label', { for: `${id}-note` }, t('wrapup.note')),
    note,
    h(
      'div',
      { class: 'wrapup-row' },
      h('label', { for: `${id}-disposition` }, t('wrapup.disposition')),
      select,
      h(
        'button',
        {
          class: 'btn btn-primary wrapup-save',
          type: 'submit',
          disabled: draft.sending === true,
          dataset: { focus: `${id}-save` },
        },
        draft.sending ? t('wrapup.sending') : t('wrapup.save'),
      ),
    ),
    h(
      'p',
      {
        class: 'wrapup-result',
        role: 'status',
        'aria-live': 'polite',
        dataset: { result: result ? (result.status ?? result.error) : '' },
      },
      result
        ? result.status === 'accepted'
          ? t('wrapup.accepted')
          : result.error === 'empty'
            ? t('wrapup.empty')
            : t('wrapup.err', { message: result.message ?? result.error })
        : '',
    ),
  );
}
