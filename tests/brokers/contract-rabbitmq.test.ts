import { brokerContract } from './contract.js';
import { rabbitmqTarget } from './targets.js';

brokerContract(rabbitmqTarget());
