// A webhook endpoint as a careful receiver writes one (mounted at /webhooks on the simulator): it verifies each
// delivery with the Standard Webhooks reference library (`standardwebhooks`, the spec's own), processes each
// `webhook-id` once (a retry of a delivery already processed is answered 200 and counted as a duplicate), and lists
// what it received for the demo page and the tests. Fault switches: answer a status, fail the next N, drop the
// connection.
import express, { type Request, type Response, Router } from 'express';
import { Webhook } from 'standardwebhooks';

export interface WebhookReceiverFaults {
  /** Answer this status to every delivery instead of processing it (e.g. 500, 410). */
  status: number | null;
  /** The next N deliveries answer 500 (counts down). */
  failNext: number;
  /** Destroy the connection without an answer. */
  down: boolean;
}

export interface ReceivedWebhook {
  /** webhook-id (`<callId>:<seq>`). */
  id: string;
  type: string;
  callId?: string;
  seq?: number;
  state?: string;
  /** The signature header as sent (`v1,<base64>`). */
  signature: string;
  /** Verified with the spec's library (always true in `deliveries()`: unverified ones are refused with 401). */
  verified: true;
  receivedAt: string;
  /** The parsed body's `data` (the admin's CallView). */
  data: Record<string, unknown>;
}

export interface WebhookReceiverStats {
  /** Requests (all outcomes). */
  total: number;
  /** Refused: bad or missing signature, stale timestamp. */
  unverified: number;
  /** Answered with a fault status. */
  failed: number;
  /** Verified deliveries of a webhook-id already processed. */
  duplicates: number;
  processed: number;
}

export interface WebhookReceiver {
  router: Router;
  /** `whsec_…` the receiver verifies with. */
  readonly secret: string;
  faults: WebhookReceiverFaults;
  /** Every webhook processed once, oldest first. */
  deliveries(): ReceivedWebhook[];
  stats(): WebhookReceiverStats;
  reset(): void;
}

export const healthyReceiverFaults = (): WebhookReceiverFaults => ({ status: null, failNext: 0, down: false });

const MAX_KEPT = 2000;
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** `faults`: switches read on every request (the simulator's SimFaults.webhooks); a fresh healthy set when omitted. */
export function webhookReceiver(o: { secret: string; faults?: WebhookReceiverFaults }): WebhookReceiver {
  const wh = new Webhook(o.secret);
  const faults = o.faults ?? healthyReceiverFaults();
  const seen = new Set<string>();
  let received: ReceivedWebhook[] = [];
  let stats: WebhookReceiverStats = { total: 0, unverified: 0, failed: 0, duplicates: 0, processed: 0 };
  const router = Router();

  router.post('/', express.text({ type: () => true, limit: '1mb' }), (req: Request, res: Response) => {
    stats.total++;
    if (faults.down) {
      stats.failed++;
      return void req.socket.destroy();
    }
    if (faults.failNext > 0 || faults.status !== null) {
      const status = faults.failNext > 0 ? 500 : (faults.status as number);
      if (faults.failNext > 0) faults.failNext--;
      stats.failed++;
      return void res.status(status).json({ message: 'fault injected' });
    }
    const body = typeof req.body === 'string' ? req.body : '';
    const headers = {
      'webhook-id': req.get('webhook-id') ?? '',
      'webhook-timestamp': req.get('webhook-timestamp') ?? '',
      'webhook-signature': req.get('webhook-signature') ?? '',
    };
    let parsed: unknown;
    try {
      parsed = wh.verify(body, headers);
    } catch {
      stats.unverified++;
      return void res.status(401).json({ message: 'signature not verified' });
    }
    const id = headers['webhook-id'];
    if (seen.has(id)) {
      stats.duplicates++;
      return void res.status(200).json({ ok: true, duplicate: true });
    }
    seen.add(id);
    stats.processed++;
    const p = isObj(parsed) ? parsed : {};
    const data = isObj(p.data) ? p.data : {};
    received.push({
      id,
      type: typeof p.type === 'string' ? p.type : '',
      ...(typeof data.callId === 'string' ? { callId: data.callId } : {}),
      ...(typeof data.seq === 'number' ? { seq: data.seq } : {}),
      ...(typeof data.state === 'string' ? { state: data.state } : {}),
      signature: headers['webhook-signature'],
      verified: true,
      receivedAt: new Date().toISOString(),
      data,
    });
    if (received.length > MAX_KEPT) received = received.slice(-MAX_KEPT);
    res.status(200).json({ ok: true });
  });

  return {
    router,
    secret: o.secret,
    faults,
    deliveries: () => received.map((r) => ({ ...r })),
    stats: () => ({ ...stats }),
    reset: () => {
      Object.assign(faults, healthyReceiverFaults());
      seen.clear();
      received = [];
      stats = { total: 0, unverified: 0, failed: 0, duplicates: 0, processed: 0 };
    },
  };
}
