// Acme CRM's side of the integration: where the bridge is, how to get the signed-in agent's token, and the page's
// language (the widget's toasts follow it: it is set up again on a switch).
// A real CRM asks its own backend for a short-lived bridge token; this demo page takes it from its link (#token=…).
import './crm-labels.js';
import { getLang, onLangChange, t, translate } from './i18n.js';
import { langSwitch } from './status.js';

function setUp() {
  translate();
  document.title = t('acme.title');
  AntRingDial.init({
    bridgeUrl: location.origin,
    lang: getLang(),
    getToken: () =>
      new URLSearchParams(location.hash.slice(1)).get('token') || new URLSearchParams(location.search).get('token'),
  });
}

langSwitch(document.getElementById('lang'));
onLangChange(setUp);
setUp();
