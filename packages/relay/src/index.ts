/**
 * `@ridevault/relay`: the relay server. Stores opaque encrypted envelopes per document,
 * acknowledges them only after a durable commit, and fans them out to subscribers.
 */
export {};
