/**
 * `landwatch worker`: serves every running round in Redis with the engine until stopped. SIGINT /
 * SIGTERM abort the jobs in flight, hand them back to their queues and exit 0 once every
 * connection is closed; a second signal ends the process at once (its jobs then come back after
 * the stalled interval, as for a killed worker). Log lines on stderr.
 */
import { parseArgs } from 'node:util';
import { deviceSchema } from '../common/contract.js';
import { LandWatchError } from '../engine/errors.js';
import { connectRedis } from '../engine/round/round-redis.js';
import { RoundWorker } from '../engine/round/round-worker.js';

export async function runWorkerCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
      concurrency: { type: 'string', default: '1' },
      device: { type: 'string', default: 'auto' },
      'stalled-ms': { type: 'string', default: '30000' },
      'discover-ms': { type: 'string', default: '5000' },
    },
    strict: true,
  });
  const device = deviceSchema.safeParse(values.device);
  if (!device.success)
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `--device ${values.device}: choose auto, cpu, webgpu, cuda, dml or coreml.`,
    );
  const concurrency = Number(values.concurrency);
  const stalledMs = Number(values['stalled-ms']);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `--concurrency ${values.concurrency}: give a whole number ≥ 1.`,
    );
  if (!(stalledMs >= 500))
    throw new LandWatchError(
      'E_BAD_REQUEST',
      `--stalled-ms ${values['stalled-ms']}: give milliseconds ≥ 500.`,
    );
  // Fail fast if Redis is not there at start; afterwards the connection reconnects for ever.
  (await connectRedis(values.redis)).disconnect();
  const redis = await connectRedis(values.redis, true);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const worker = new RoundWorker({
    redis,
    concurrency,
    device: device.data,
    stalledMs,
    discoverMs: Number(values['discover-ms']),
    log,
  });
  await worker.start();
  await new Promise<void>((done) => {
    const stop = () => {
      log('stopping: handing the jobs in flight back to the queue');
      worker
        .close()
        .catch(() => {})
        .finally(() => done());
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  redis.disconnect();
  return 0;
}
