/**
 * The key under which a client made by `createBaseClient` accepts its presence part (`joinPresence` attaches
 * it on first use). A registered symbol, so two copies of this package still agree on it.
 */
export const presenceSeam: unique symbol = Symbol.for('qr.presence') as never;
