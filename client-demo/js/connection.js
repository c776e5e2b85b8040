// The page's token and its Socket.IO connection, reduced to one visible state:
//   connecting → live ⇄ reconnecting;  expired / unauthorized (the bridge refused the token: a new one is needed);
//   no_token (the page was opened without one).
// The token comes from the URL fragment (#token=…, never sent to a server) or the query (?token=…, moved to the
// fragment at once). The socket sends it in the handshake's auth; a refused handshake gives connect_error with
// err.message = token_expired | unauthorized | forbidden. Before it disconnects a socket whose token expired, the bridge
// sends `session_expired` { code: "token_expired" }: the page then asks for a fresh token (POST /demo/token, demo mode
// only), keeps it in the fragment and reconnects; where no token can be had (not a demo bridge) it shows `expired`.
import { io } from '../vendor/socket.io.esm.min.js';

const REFUSED = { token_expired: 'expired', unauthorized: 'unauthorized', forbidden: 'unauthorized' };

export function readToken() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const query = new URLSearchParams(location.search);
  const fromQuery = query.get('token');
  if (fromQuery && !hash.get('token')) {
    query.delete('token');
    hash.set('token', fromQuery);
    const search = query.toString();
    history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}#${hash}`);
  }
  return hash.get('token') || fromQuery || null;
}

/** Keeps a pasted token in the fragment, so a reload keeps it. */
export function storeToken(token) {
  const hash = new URLSearchParams(location.hash.slice(1));
  hash.set('token', token);
  history.replaceState(null, '', `${location.pathname}${location.search}#${hash}`);
}

/** The JWT's claims, for display only (the bridge verifies the signature); {} when unreadable. */
export function claimsOf(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0)));
    const claims = JSON.parse(json);
    return claims && typeof claims === 'object' ? claims : {};
  } catch {
    return {};
  }
}

/** A fresh token for this (expired) one, from a demo bridge; null when there is none to be had. */
export async function renewToken(token, url = location.origin) {
  try {
    const res = await fetch(`${url}/demo/token`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) return null;
    const body = await res.json();
    return typeof body?.token === 'string' && body.token ? body.token : null;
  } catch {
    return null;
  }
}

const expired = (token) => {
  const exp = Number(claimsOf(token).exp);
  return Number.isFinite(exp) && exp * 1000 <= Date.now();
};

/**
 * Connects to the bridge (the page's own origin by default).
 * onState(state, detail) is called on every change; `on` maps server events (call, dashboard) to handlers.
 */
export function connect({ url = location.origin, token, onState, on = {}, onRenewed = () => {} }) {
  let current = token;
  let state;
  let sessionExpired = false;
  const set = (next, detail) => {
    if (next === state) return;
    state = next;
    onState(next, detail);
  };
  if (!current) {
    set('no_token');
  }
  const socket = io(url, {
    autoConnect: Boolean(current),
    transports: ['websocket'],
    auth: (cb) => cb({ token: current }),
    reconnectionDelayMax: 10_000,
  });
  for (const [event, fn] of Object.entries(on)) socket.on(event, fn);

  socket.on('session_expired', () => {
    sessionExpired = true;
  });
  socket.on('connect', () => set('live'));
  socket.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') return;
    if (reason === 'io server disconnect' && sessionExpired) {
      sessionExpired = false;
      set('reconnecting');
      void renewToken(current, url).then((fresh) => {
        if (!fresh) return set('expired');
        current = fresh;
        storeToken(fresh);
        onRenewed(fresh);
        socket.connect();
      });
      return;
    }
    if (reason === 'io server disconnect') {
      // The bridge closed the socket: at the token's expiry, or while shutting down. Socket.IO does not retry
      // by itself here: retry unless the token is known to be expired (a retry then tells what the bridge thinks).
      if (expired(current)) return set('expired');
      socket.connect();
    }
    set('reconnecting');
  });
  socket.on('connect_error', (err) => {
    const code = err?.data?.code ?? err?.message;
    if (REFUSED[code]) return set(REFUSED[code]); // refused by the bridge: Socket.IO stops retrying
    set(state === 'live' || state === 'reconnecting' ? 'reconnecting' : 'connecting');
  });
  if (current) set('connecting');

  return {
    socket,
    token: () => current,
    /** Use a new token (e.g. pasted after expiry) and connect with it. */
    setToken(next) {
      current = next;
      socket.disconnect();
      set('connecting');
      socket.connect();
    },
    close: () => socket.disconnect(),
  };
}
