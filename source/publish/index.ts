/**
 * Publishing test updates, the way `sse-tui publish` does and the broadcast scenario will: to a
 * Redis channel (every `sse-tui serve --redis` instance, or a Rails cable adapter, delivers them)
 * or through a reference server's trigger endpoint (`/dashboard/trigger-test`).
 *
 * ```ts
 * const publisher = await openPublisher({kind: 'redis', url, channel}, {timeoutMs: 5000});
 * try {
 *   const result = await publisher.publishSequence({count: 100, rate: 50, run: runId, stop: signal,
 *     onPublished(seq, sentAtMs, receivers) { ... }});
 * } finally {
 *   await publisher.close();
 * }
 * ```
 *
 * - openPublisher: Redis connects once (one attempt, `timeoutMs` for connect + ready) and throws
 *   a one-line RunError if it cannot; HTTP checks nothing until the first request (each request
 *   then has `timeoutMs`; unreachable or non-2xx throws a one-line RunError).
 * - publishSequence: messages `firstSeq` (default 1) .. `firstSeq + count - 1`; `rate` per second
 *   from the start of the call, 0 = unpaced (Redis pipelines bursts of 1000; HTTP sends one request
 *   for all, which the server batches). Redis sends `message(seq)` (default
 *   `broadcastMessage(seq, run, padBytes)`); HTTP sends `count`, `pad`, and with `run` also
 *   `run` and `seq` (the first number), so the server's updates carry the same run and seqs.
 *   `onPublished` is called in seq order as each PUBLISH reply / trigger answer arrives (see
 *   PublishSequenceOptions). Once `stop` aborts, nothing more is sent (what is in flight
 *   completes and is reported) and the call resolves with what was published.
 * - close: closes the Redis connection; idempotent.
 */
import {openHttpPublisher} from './http.js';
import {openRedisPublisher} from './redis.js';
import type {OpenPublisherOptions, Publisher, PublishTarget} from './types.js';

export {broadcastMessage, isRunId} from '../payloads.js';
export type {OpenPublisherOptions, PublishedVia, PublishResult, PublishSequenceOptions, Publisher, PublishTarget} from './types.js';

export async function openPublisher(target: PublishTarget, {timeoutMs}: OpenPublisherOptions): Promise<Publisher> {
	return target.kind === 'redis' ? openRedisPublisher(target, timeoutMs) : openHttpPublisher(target, timeoutMs);
}
