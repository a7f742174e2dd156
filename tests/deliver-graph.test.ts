// Delivery through Outlook: createTransport('graph') against the Entra and Graph fakes (https, self-signed
// certificates), the DuckDB ledger confirmed with Graph's request-id (a 202 carries no message id).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deliverPlan, type DeliverDeps } from '../deliver.js';
import { startEntraSimulator, type EntraSimulator } from '../sim/entra.js';
import { startGraphSimulator, type GraphSimulator } from '../sim/graph.js';
import { createTransport, type DeliveryConfig } from '../sinks/mail/factory.js';
import { openDuckDbStore } from '../sinks/store/duckdb.js';
import type { DeliveryConfirmation } from '../sinks/store/types.js';
import { FROM, hours, incident, planNow } from './helpers/deliver-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'pa-deliver-graph-'));
let entra: EntraSimulator;
let graph: GraphSimulator;
let cfg: DeliveryConfig;

beforeAll(async () => {
  entra = await startEntraSimulator();
  graph = await startGraphSimulator({ mailboxes: [FROM] });
  cfg = {
    transport: 'graph',
    outboxDir: join(dir, 'outbox'),
    from: FROM,
    notifyTo: [],
    allClearHour: null,
    graph: {
      tenantId: entra.tenantId,
      clientId: entra.clientId,
      clientSecret: entra.clientSecret,
      sender: FROM,
      baseUrl: graph.baseUrl,
      authorityHost: entra.authorityHost,
      authorityCaPem: entra.caPem,
      graphCaPem: graph.caPem,
      tokenRetries: 0,
    },
  };
});
afterAll(async () => {
  await graph.close();
  await entra.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('deliverPlan through Microsoft Graph', () => {
  it('403 fails without moving the ledger; then 202 confirms it with the request-id as the transport id', async () => {
    const store = await openDuckDbStore(join(dir, 'graph.duckdb'));
    await store.migrate();
    const transport = await createTransport(cfg, { now: () => hours(1) });
    const confirmations: DeliveryConfirmation[] = [];
    // The real ledger, with its confirmations recorded (the store has no reader for a sent delivery's row).
    const ledger: DeliverDeps['store'] = {
      claimDelivery: (c) => store.claimDelivery(c),
      failDelivery: (f) => store.failDelivery(f),
      readPendingDeliveries: () => store.readPendingDeliveries(),
      confirmDelivery: async (c) => {
        confirmations.push(c);
        await store.confirmDelivery(c);
      },
    };
    try {
      expect(transport.kind).toBe('graph');
      graph.script(403, { code: 'ErrorAccessDenied', message: 'Access is denied.' });
      const plan1 = await planNow(store, [incident()], hours(1), 'c1');
      const out1 = await deliverPlan(plan1, null, { store: ledger, transport, now: () => hours(1), cycleId: 'c1', from: FROM });
      expect(out1).toEqual([{ team: 'data-eng', status: 'failed', transport: 'graph', reason: expect.stringMatching(/403.*application access policy.*not retried/s) }]);
      expect(await store.readLedger()).toEqual({});

      const plan2 = await planNow(store, [incident()], hours(1.25), 'c2');
      const out2 = await deliverPlan(plan2, null, { store: ledger, transport, now: () => hours(1.25), cycleId: 'c2', from: FROM });
      expect(out2).toEqual([{ team: 'data-eng', status: 'sent', transport: 'graph', reason: null }]);
      expect(graph.sent).toHaveLength(1);
      const sent = graph.sent[0]!;
      expect(sent.sender).toBe(FROM);
      expect(sent.body.message).toMatchObject({
        subject: '[pipeline-audit] 1 warning, 1 new',
        toRecipients: [{ emailAddress: { address: 'de@contoso.example' } }],
        ccRecipients: [{ emailAddress: { address: 'lead@contoso.example' } }],
        internetMessageId: expect.stringMatching(/^<[0-9a-f]{32}@pipeline-audit>$/),
      });
      expect(confirmations).toEqual([expect.objectContaining({ messageId: sent.body.message.internetMessageId, transportId: sent.requestId, notices: [{ fingerprint: 'databricks|ws-1|job-1|failed', state: 'open', severity: 'warning', errorClass: 'OOM' }] })]);
      expect((await store.readLedger('data-eng'))['databricks|ws-1|job-1|failed']?.lastState).toBe('open');
    } finally {
      await transport.close();
      await store.close();
    }
  });
});
