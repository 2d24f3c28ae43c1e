/**
 * Every RabbitMQ test in one file, so they run one after the other: the restart test, last, stops the
 * shared node's application, which must not happen under another RabbitMQ test.
 */
import { brokerContract } from './contract.js';
import { manyInstancesSuite } from './many-instances.js';
import { rabbitmqRestartSuite } from './rabbitmq-restart.js';
import { rollingRestartSuite } from './rolling-restart.js';
import { createTrackedRabbitMq, rabbitmqTarget } from './targets.js';

brokerContract(rabbitmqTarget());
manyInstancesSuite({ name: 'rabbitmq', make: (ns) => createTrackedRabbitMq(ns), target: rabbitmqTarget() });
rollingRestartSuite(['rabbitmq']);
rabbitmqRestartSuite();
