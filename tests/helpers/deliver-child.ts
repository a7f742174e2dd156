// Run by tests/deliver.test.ts in a child process (through tsx): delivers the plan for one incident and, at the
// step named on the command line, prints a marker and blocks until the parent kills it with SIGKILL.
// argv: <duckdb path> <smtp port> <claimed|sent|confirmed>
import { deliverPlan, type DeliveryStep } from '../../deliver.js';
import { createSmtpTransport } from '../../sinks/mail/smtp.js';
import { openDuckDbStore } from '../../sinks/store/duckdb.js';
import { FROM, hours, incident, planNow, SMTP_PASSWORD, SMTP_USER } from './deliver-fixtures.js';

const [path, port, stopAt] = process.argv.slice(2);
const store = await openDuckDbStore(path!);
const transport = createSmtpTransport({ host: '127.0.0.1', port: Number(port), requireTLS: false, user: SMTP_USER, password: SMTP_PASSWORD });
const now = () => hours(1);
const plan = await planNow(store, [incident()], now(), 'cycle-killed');
await deliverPlan(plan, null, {
  store,
  transport,
  now,
  cycleId: 'cycle-killed',
  from: FROM,
  onStep: async (step: DeliveryStep) => {
    if (step !== stopAt) return;
    process.stdout.write(`STOPPED AT ${step}\n`);
    setInterval(() => undefined, 1 << 30); // keeps the process alive until the parent's SIGKILL
    await new Promise(() => undefined);
  },
});
process.stdout.write('FINISHED WITHOUT STOPPING\n');
