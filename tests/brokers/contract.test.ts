import { brokerContract } from './contract.js';
import { memoryTarget, natsTarget, redisTarget } from './targets.js';

for (const target of [memoryTarget(), redisTarget(), natsTarget()]) brokerContract(target);
