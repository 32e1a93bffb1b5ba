import {createHash} from 'node:crypto';
import type {Redis} from 'ioredis';
import {commandTimeoutMs, withTimeout} from './redis-command.js';

/**
 * How long the bookkeeping that maps a received message to its stream entry is kept. It must
 * exceed how far one instance can lag behind another in reading the channel.
 */
const dedupeWindowMs = 10_000;

/**
 * Every instance runs this for every message it receives, so a message becomes exactly one
 * stream entry whichever instance gets there first, and all of them deliver it with that id.
 *
 * Messages are known by a hash of channel + payload (KEYS[2], a sorted set of the entries
 * made for that payload, ids zero-padded so they sort as text). Byte-identical repeats are
 * told apart by a cursor per instance and subscription (KEYS[3]): an instance takes the first
 * entry after the last one it took, or makes a new one. A fresh subscription starts after
 * everything made before it began (ARGV[4], Redis time when it subscribed): those messages
 * were published before it listened and will never reach it. Ids stay in publish order: an
 * instance sends its scripts in the order it received the messages, so the first run for
 * message n precedes the first run for n + 1.
 */
const ingestScript = `
local cursor = redis.call('HGET', KEYS[3], ARGV[3]) or string.format('%015d-', tonumber(ARGV[4]))
local taken = redis.call('ZRANGEBYLEX', KEYS[2], '(' .. cursor, '+', 'LIMIT', 0, 1)[1]
local id
if taken then
	local ms, seq = string.match(taken, '^(%d+)-(%d+)$')
	id = string.format('%d-%d', tonumber(ms), tonumber(seq))
else
	id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'data', ARGV[1])
	local ms, seq = string.match(id, '^(%d+)-(%d+)$')
	taken = string.format('%015d-%015d', tonumber(ms), tonumber(seq))
	redis.call('ZADD', KEYS[2], 0, taken)
end
redis.call('HSET', KEYS[3], ARGV[3], taken)
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
return id
`;

export type IngestingRedis = Redis & {
	sseTuiIngest(stream: string, entries: string, cursors: string, data: string, maxLength: number, cursor: string, subscribedAtMs: number, windowMs: number): Promise<string>;
};

/** Teaches a connection the ingest script (sent by hash once Redis has it). */
export function withIngestCommand(redis: Redis): IngestingRedis {
	redis.defineCommand('sseTuiIngest', {numberOfKeys: 3, lua: ingestScript});
	return redis as IngestingRedis;
}

export type IngestRequest = {
	streamKey: string;
	channel: string;
	/** The message as received: with the channel, what identifies it across instances. */
	message: string;
	/** What the stream entry holds (see asJson). */
	json: string;
	/** MAXLEN of the stream. */
	maxLength: number;
	/** This instance and subscription, `<instance>:<epoch>`. */
	cursor: string;
	/** Redis time when the subscription began. */
	subscribedAtMs: number;
};

/** Runs the ingest script for one received message; resolves with its stream id. */
export function ingestMessage(redis: IngestingRedis, request: IngestRequest): Promise<string> {
	const {streamKey} = request;
	const hash = createHash('sha1').update(request.channel).update('\n').update(request.message).digest('hex');
	return withTimeout(
		redis.sseTuiIngest(
			streamKey,
			`${streamKey}:seen:${hash}`,
			`${streamKey}:cursor:${hash}`,
			request.json,
			request.maxLength,
			request.cursor,
			request.subscribedAtMs,
			dedupeWindowMs,
		),
		commandTimeoutMs,
		'XADD',
	);
}

/** The stream holding the SSE replay buffer for a channel. */
export function replayStreamKey(channel: string): string {
	return `sse-tui:replay:${channel}`;
}

/** Text that is not JSON is passed on as a JSON string, so every subscriber still gets valid JSON. */
export function asJson(message: string): string {
	try {
		JSON.parse(message);
		return message;
	} catch {
		return JSON.stringify(message);
	}
}
