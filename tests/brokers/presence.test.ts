import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { presenceSuite } from './presence-contract.js';
import { memoryTarget, NATS_URL, natsTarget, redisTarget } from './targets.js';
import type { ContractTarget } from './contract.js';

/** The NATS target, whose cleanup also deletes the presence KV bucket (`KV_QR_<ns>_presence`). */
function natsWithPresence(): ContractTarget {
  const target = natsTarget();
  return {
    ...target,
    async cleanup(ns) {
      await target.cleanup(ns);
      const nc = await connect({ servers: NATS_URL });
      await (await jetstreamManager(nc)).streams.delete(`KV_QR_${ns}_presence`).catch(() => false);
      await nc.close();
    },
  };
}

for (const target of [memoryTarget(), redisTarget(), natsWithPresence()]) presenceSuite(target);
