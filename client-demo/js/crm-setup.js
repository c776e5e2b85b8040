// Acme CRM's side of the integration: where the bridge is, and how to get the signed-in agent's token.
// A real CRM asks its own backend for a short-lived bridge token; this demo page takes it from its link (#token=…).
AntRingDial.init({
  bridgeUrl: location.origin,
  getToken: () =>
    new URLSearchParams(location.hash.slice(1)).get('token') || new URLSearchParams(location.search).get('token'),
});
