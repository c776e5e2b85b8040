// Phone numbers and durations as people read them in Vietnam.

/** `0934890883` → `0934 890 883`; `02838223344` → `028 3822 3344`; `+84934890883` → `0934 890 883`.
 *  Extensions, masked numbers (`•••••••883`) and anything unexpected are returned as given. */
export function formatPhone(raw) {
  const s = String(raw ?? '').trim();
  if (!s || s.includes('\u2022')) return s;
  let d = s.replace(/[\s.\-()]/g, '');
  if (/^\+84\d{9,10}$/.test(d)) d = `0${d.slice(3)}`;
  else if (/^84\d{9,10}$/.test(d)) d = `0${d.slice(2)}`;
  if (/^02\d{9}$/.test(d)) return `${d.slice(0, 3)} ${d.slice(3, 7)} ${d.slice(7)}`; // landline: 028 3822 3344
  if (/^0\d{9}$/.test(d)) return `${d.slice(0, 4)} ${d.slice(4, 7)} ${d.slice(7)}`; // mobile: 0934 890 883
  if (/^01\d{9}$/.test(d)) return `${d.slice(0, 4)} ${d.slice(4, 7)} ${d.slice(7)}`; // pre-2018 mobile
  if (/^1[89]00\d{4,6}$/.test(d)) return `${d.slice(0, 4)} ${d.slice(4)}`; // hotline: 1900 1234
  return s;
}

/** Seconds → `0:07`, `12:05`, `1:02:03`. */
export function formatDuration(totalSec) {
  const s = Math.max(0, Math.floor(Number(totalSec) || 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Seconds elapsed since an ISO time (never negative). */
export const secondsSince = (iso, now = Date.now()) => Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));

/** The customer's side of a call: the number the agent talks to. */
export function otherParty(view) {
  return view.direction === 'outbound' ? view.to : view.from;
}
