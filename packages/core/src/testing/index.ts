export { createTestClient } from './test-client.js';
export { createFakeTransport } from './fake-server.js';
export { seededRandom } from './seeded-random.js';

export type { TestServer, TestClientOptions } from './test-client.js';
export type { FakeServer, FakeTransportOptions } from './fake-server.js';
