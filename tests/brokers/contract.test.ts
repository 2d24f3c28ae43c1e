import { brokerContract } from './contract.js';
import { memoryTarget, redisTarget } from './targets.js';

for (const target of [memoryTarget(), redisTarget()]) brokerContract(target);
