import { presenceSuite } from './presence-contract.js';
import { memoryTarget, redisTarget } from './targets.js';

for (const target of [memoryTarget(), redisTarget()]) presenceSuite(target);
