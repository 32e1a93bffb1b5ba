import {section} from './types.js';

/** `sse-tui` flags: the WebSocket clients, delivery accounting, the broadcast scenario, the server's side. */

export const websocket = section('WebSocket (--protocol websocket)', 'websocket', [
	{name: 'wsMode', arg: 'MODE', kind: '`cable`, `raw`', default: '`cable`', help: 'cable (Rails ActionCable) | raw (any frame is a message)',
		details: '`cable` speaks Rails ActionCable; `raw` counts every frame as a message'},
	{name: 'channel', arg: 'NAME', kind: 'name', default: '`DashboardUpdatesChannel`', help: 'ActionCable channel to subscribe to'},
	{name: 'channelParams', arg: 'JSON', type: 'json', default: '`{}`', help: 'extra identifier keys, e.g. \'{"room":"1"}\'', details: 'extra identifier keys, e.g. `\'{"room":"1"}\'`'},
	{name: 'origin', arg: 'URL', kind: 'origin URL', default: 'the target\'s `http(s)://host:port`', help: 'Origin header (ActionCable checks it)',
		details: '`Origin` header; ActionCable refuses upgrades from origins it does not allow (Rails answers 404)'},
	{name: 'subprotocol', arg: 'LIST', multiple: true, kind: 'list, repeatable', default: 'cable: `actioncable-v1-json,actioncable-unsupported`', help: 'subprotocols to offer; none = offer none',
		details: 'subprotocols to offer; `none` or `\'\'` offers none. A server that picks none is accepted, as browsers do (noted once per run); one that picks a subprotocol not offered is a `protocol` error'},
	{name: 'perform', arg: 'ACTION', kind: 'action name', help: 'call this channel action after subscribing ...', details: 'after the subscription is confirmed, call this channel action…'},
	{name: 'performData', arg: 'JSON', type: 'json', default: '`{}`', help: '... with this data ...', details: '…with this data…'},
	{name: 'performEvery', arg: 'D', default: '`1s`', help: '... this often', details: '…this often (two-way load)'},
	{name: 'pingInterval', arg: 'D', default: '`15s`', help: 'raw mode: send a ping this often; 0 = never', details: 'raw mode: send a WebSocket ping this often; `0` = never'},
	{name: 'pongTimeout', arg: 'D', default: '`10s`', help: 'raw mode: no pong within D = dead peer, reconnect',
		details: 'raw mode: no pong within this long = dead peer: terminate, count `stale`, reconnect'},
	{name: 'compression', type: 'boolean', help: 'offer permessage-deflate (costly: ~50 µs per message)',
		details: 'offer permessage-deflate (measured ~52 µs per message with it against 1–10 µs without)'},
]);

export const delivery = section('Delivery (always on: gaps, duplicates, out-of-order, resets per client, from sequence numbers)', 'delivery', [
	{name: 'seqField', arg: 'PATH', default: '`seq`, then an integer or `<ms>-<n>` event id', help: 'JSON path of the sequence number (ActionCable: paths inside "message")',
		details: 'where each message\'s sequence number is, e.g. `meta.sequence` (for ActionCable, inside `message`); see [delivery accounting](#delivery-accounting-always-on)'},
	{name: 'latencyField', arg: 'PATH', default: '`sent_at`', help: 'JSON path of the send time: epoch ms, epoch seconds or ISO 8601',
		details: 'where each message\'s send time is: epoch milliseconds, epoch seconds (fractional) or an ISO 8601 string'},
]);

export const broadcast = section('Broadcast (--scenario broadcast: do all clients get every update?)', 'broadcast', [
	{name: 'publish', arg: 'URL', kind: 'Redis URL', help: 'publish through this Redis, e.g. redis://127.0.0.1:6379',
		details: 'publish through this Redis (the one your server subscribes to); one of `--publish` / `--trigger` is required'},
	{name: 'redisChannel', arg: 'NAME', kind: 'name', default: '`dashboard_updates`', help: 'channel (Rails cable adapter: PREFIX:NAME)',
		details: 'the channel; a Rails cable adapter\'s prefix goes in the name: `myapp_production:dashboard_updates` (also what `--watch-redis` watches)'},
	{name: 'trigger', arg: 'URL', multiple: true, kind: 'URL; with `--target`, `NAME=URL` per target', help: 'or publish through a trigger endpoint, e.g. http://127.0.0.1:3001/dashboard/trigger-test',
		more: ['with --target: one URL for every target, or NAME=URL once per target'],
		details: 'or publish through a trigger endpoint (`sse-tui serve`\'s `/dashboard/trigger-test`; a bare origin gets that path); with `--target`, one URL for every target or `NAME=URL` once per target'},
	{name: 'count', arg: 'N', default: '`100`', help: 'messages to publish'},
	{name: 'rate', arg: 'R[/s]', kind: 'messages/s (`50`, `50/s`)', default: '`10`', help: 'messages per second, 0 = as fast as possible'},
	{name: 'settle', arg: 'D', default: '`30s`', help: 'longest wait for every client to be subscribed',
		details: 'longest wait for every client to be open (ActionCable: subscription confirmed) before publishing; then it publishes anyway and says how many were'},
	{name: 'drain', arg: 'D', default: '`3s`', help: 'wait after the last publish for stragglers',
		details: 'wait after the last publish for stragglers (ends sooner once every expected delivery is in)'},
	{name: 'pad', arg: 'SIZE', default: '`0`', help: 'pad each message (at most 1MiB via Redis, 64KiB via a trigger)'},
], ['Any of these without --scenario broadcast is a usage error (--redis-channel also goes with --watch-redis).']);

export const serverSide = section('The server\'s side (polled once a second, shown beside the clients; disagreements marked)', 'server-side', [
	{name: 'watchRedis', arg: 'URL', kind: 'Redis URL', help: 'PUBSUB NUMSUB of --redis-channel, clients, ops/s, memory of this Redis',
		details: 'poll this Redis once a second: subscribers of `--redis-channel`, clients, ops/s, memory ([the server\'s side](#the-servers-side---watch-redis---watch-stats))'},
	{name: 'redisPerStream', type: 'boolean', help: 'the server subscribes once per stream (a Rails SSE endpoint): NUMSUB should equal open clients',
		details: 'with `--watch-redis`: the server opens one Redis subscriber per stream, so `NUMSUB` should equal the clients open'},
	{name: 'watchStats', arg: 'URL', help: 'a JSON stats endpoint, e.g. http://127.0.0.1:3001/dashboard/stats (sse-tui serve\'s or the Go server\'s)',
		details: 'poll this JSON stats endpoint once a second (e.g. `sse-tui serve`\'s `/dashboard/stats`)'},
	{name: 'watchField', arg: 'N=PATH', multiple: true, kind: '`NAME=PATH` or `PATH`, repeatable', default: 'connections, messages and drops of the known shapes',
		help: 'a field of it to show, repeatable; "connections" is compared with the open clients',
		details: 'fields of `--watch-stats` to show; `connections` is compared with the clients'},
]);
