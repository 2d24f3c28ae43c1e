import { rollingRestartSuite } from './rolling-restart.js';

// RabbitMQ's run is registered by rabbitmq.test.ts, before its stop_app test (one RabbitMQ file at a time).
rollingRestartSuite(['redis', 'nats']);
