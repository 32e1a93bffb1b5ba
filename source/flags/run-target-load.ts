import {section} from './types.js';

/** `sse-tui` flags: where to connect and how many clients, when. One entry per flag (see types.ts). */

export const target = section('Target', 'target', [
	{name: 'url', arg: 'URL', default: '`http://localhost:3000/dashboard/stream`', env: 'SSE_URL', help: 'stream to connect to',
		details: 'the stream to open; for WebSocket `ws://…` or `wss://…` (`http(s)://` is upgraded); `user:pw@` is sent as Basic auth and printed as `user:***@`; `SSE_URL` applies to SSE only and yields to `--port`'},
	{name: 'port', arg: 'N', kind: '1–65535', default: '`3000`', help: 'shorthand for http://localhost:N/dashboard/stream (websocket: ws://localhost:N/cable)',
		details: 'shorthand for `http://localhost:N/dashboard/stream` when `--url` is absent; WebSocket: `ws://localhost:N/cable` (raw mode: `/ws`)'},
	{name: 'protocol', arg: 'P', kind: '`sse`, `websocket` (alias `ws`)', default: '`sse`', help: 'sse | websocket (alias ws)', details: 'protocol of the clients'},
	{name: 'header', arg: '"Name: v"', multiple: true, kind: '`"Name: value"`, repeatable', help: 'extra request header, repeatable (values of names with token, secret, key, auth,',
		more: ['session, password or cookie print as ***)'],
		details: 'extra request header; the value of any header whose name holds `token`, `secret`, `key`, `auth`, `session`, `passw`, `cookie`, `credential` or `signature` (any case) prints as `***`'},
	{name: 'showHeaderValues', type: 'boolean', help: 'print those values anyway (debugging your own credentials)',
		details: 'print those header values anyway (to debug your own credentials; URL passwords stay hidden)'},
	{name: 'insecure', type: 'boolean', help: 'accept self-signed TLS certificates'},
	{name: 'token', arg: 'T', secret: true, help: 'send "Authorization: Bearer T" (sse-tui serve --token), on SSE, WebSocket and --trigger',
		details: 'send `Authorization: Bearer T` on every SSE and WebSocket connection and to the broadcast scenario\'s `--trigger` (a server started with `sse-tui serve --token T`); printed as `***`. An `Authorization` given with `--header` wins. Only the flag: the client does not read `SSE_TUI_TOKEN`, so a token meant for your test server never goes to another target by accident'},
	{name: 'target', arg: 'NAME=URL', multiple: true, kind: '`NAME=URL[,key=value…]`, repeatable, 2–4 times',
		help: 'compare 2 to 4 targets side by side, repeatable (instead of --url/--port)',
		more: [
			'each gets its own --clients, all started together; protocol from the scheme (ws:// = websocket);',
			'options after the URL: NAME=URL,protocol=websocket,ws-mode=raw,channel=C,origin=O;',
			'a threshold \'NAME:p99<300ms\' judges one target, one without NAME each target;',
			'a trigger NAME=URL once per target publishes through that target\'s own server',
		],
		details: 'compare targets in one run, side by side, instead of `--url`/`--port` ([Comparing targets](#comparing-targets---target))'},
]);

export const load = section('Load', 'load', [
	{name: 'scenario', arg: 'NAME', kind: '`single`, `multiple`, `load`, `custom`, `broadcast`, `hold`, `churn`, `storm`, or a scenario of the config file',
		help: 'single (1 client) | multiple (5) | load (20, with --stats) | custom (needs --url) | broadcast (10; see below)',
		more: ['| hold | churn | storm (100 each; see Load shapes) | a scenario of the config file (see Config file)'],
		details: 'presets from the old `test.sh`: 1 client; 5 clients; 20 clients with `--stats`; your own `--url` (required); the [broadcast scenario](#the-broadcast-scenario-does-every-client-get-every-update) (10 clients); and the [load shapes](#load-shapes-connect-rate-stages-hold-churn-storm) hold, churn and storm (100 clients each); or a named scenario of the [config file](#config-file---config)'},
	{name: 'clients', arg: 'N', kind: 'whole number ≥ 1', default: '`1`', env: 'SSE_CLIENTS', help: 'number of concurrent clients; beats the scenario\'s count',
		details: 'concurrent clients; beats the scenario\'s count'},
	{name: 'duration', arg: 'D', default: 'until Ctrl-C / SIGTERM', help: 'stop after D (1500ms, 30s, 5m, 1h)', details: 'stop after this long'},
	{name: 'ramp', arg: 'D', default: '10ms between starts', help: 'spread client starts over D; 0 starts all at once',
		details: 'spread all client starts over this long; `0` starts all at once'},
	{name: 'timeout', arg: 'D', default: '`60s`', help: 'connect + response-headers timeout per attempt', details: 'connect + response headers, per attempt'},
	{name: 'retry', arg: 'D', default: '`3s`', help: 'reconnection delay until the server sends retry:', details: 'reconnection delay until the server sends `retry:`'},
	{name: 'minRetry', arg: 'D', kind: 'duration, 0 allowed', default: '`100ms`', help: 'floor for the server\'s retry: (0 obeys even retry: 0)',
		details: 'floor for the server\'s `retry:` (a server asking for less is obeyed only down to it, and the run says so once); `0` obeys even `retry: 0`'},
	{name: 'maxBackoff', arg: 'D', default: '`30s`', help: 'cap for the exponential backoff after failed attempts'},
	{name: 'maxEventSize', arg: 'SIZE', default: '`8MiB`', help: 'a longer line or event is an error on that client',
		details: 'a longer line or event is an error on that client (`too-large`), never an out-of-memory'},
	{name: 'maxBuffered', arg: 'SIZE', default: '256MiB or 64KiB per client, whichever is more (at most the clients\' caps added up, and a quarter of the JavaScript heap limit)',
		help: 'partial events held by all clients together; past it the largest holders fail (too-large)',
		more: ['default: 256MiB or 64KiB per client, whichever is more (at most the caps added up)'],
		details: 'partial events held by all clients together; past it the largest holders fail with `too-large` ([memory](#reliability-the-client))'},
	{name: 'workers', arg: 'N', kind: 'whole number 1–64', default: '1 while the clients fit one process (the open-files limit less 1,000), then enough for them, at most one per core',
		help: 'client processes (each under its own open-files limit); the parent only merges and shows',
		details: 'run the clients in N child processes; the parent only merges, shows and reports ([--workers](#more-clients-than-one-process-holds---workers))'},
]);

export const shapes = section('Load shapes', 'shapes', [
	{name: 'connectRate', arg: 'R[/s]', kind: 'rate: `200/s`, `200` (per second), `600/m`', default: '10ms between starts', help: 'open connections at this rate (instead of --ramp), e.g. 200/s or 600/m',
		details: 'open connections at this rate; instead of `--ramp` (both: usage error)'},
	{name: 'stages', arg: 'LIST', kind: '`D:N,D:N,…`', help: 'client targets over time, reached linearly (k6): 30s:1000,1m:5000,30s:0; ends after',
		more: ['the last stage unless --duration; works with broadcast (publishes once stage 1\'s target is in)'],
		details: 'target client counts over time, reached linearly (as k6 stages): `30s:1000,1m:5000,30s:0`; clients are added, and the newest removed, as the target moves; the run ends after the last stage unless `--duration`; not with `--clients`, `hold`, `churn` or `storm`'},
	{name: 'churnRate', arg: 'R[/s]', kind: 'rate', default: '`1/s`', help: '--scenario churn: close and reopen this many connections a second',
		details: '`--scenario churn`: connections closed (the oldest) and reopened (new clients) per second'},
	{name: 'stormAt', arg: 'D', default: 'none: watch for a server restart', help: '--scenario storm: drop every connection at D',
		details: '`--scenario storm`: when to drop every connection at once, client-side'},
	{name: 'localAddress', arg: 'LIST', kind: 'IP list', default: 'none (the OS picks)', help: 'bind client sockets to these source IPs in turn, e.g. 127.0.0.2,127.0.0.3 (each gives',
		more: ['another ~28,000 ephemeral ports toward one server ip:port)'],
		details: 'bind client sockets to these source addresses in turn (client 1 the first, client 2 the second, …), e.g. `127.0.0.2,127.0.0.3`; see [ports](#ephemeral-ports-and---local-address)'},
], [
	'--scenario hold    connect --clients, hold them idle for --duration: heartbeats, stale clients, RSS per connection',
	'--scenario churn   keep --clients open while closing and reopening --churn-rate of them',
	'--scenario storm   connect --clients, drop all at --storm-at (or, without it, watch for a server restart):',
	'                   time until 50/99/100 % are back, failed attempts, messages lost',
]);

export const requests = section('Request streams (a request whose answer streams back and ends: chat completions, MCP, job progress)', 'requests', [
	{name: 'method', arg: 'M', kind: 'HTTP method', default: '`GET`', help: 'GET | POST | PUT ...', details: '`POST`, `PUT`, …; `CONNECT` and `TRACE` are refused'},
	{name: 'body', arg: 'STRING|@FILE', kind: 'string, `@FILE`, `@-`', help: 'request body; @- reads stdin; {{client}} and {{iteration}} are filled in per request',
		details: 'the request body; `@FILE` reads a file, `@-` stdin (at most 16 MiB); `{{client}}` and `{{iteration}}` are filled in per request'},
	{name: 'bodyFile', arg: 'FILE', kind: 'path', help: 'NDJSON: one body per line, each request takes the next in turn',
		details: 'NDJSON: one body per non-blank line, each request takes the next line in turn (across all clients); with a JSON content type every line must parse; not with `--body`'},
	{name: 'contentType', arg: 'TYPE', kind: 'media type', default: '`application/json` with a body', help: 'Content-Type of the body',
		details: 'sent with the body; a `--header "Content-Type: …"` is sent as given instead'},
	{name: 'untilData', arg: 'TEXT', kind: 'text', help: 'a stream ends when an event\'s data is exactly TEXT, e.g. \'[DONE]\'',
		details: 'a stream ends when an event\'s data is exactly this, e.g. `\'[DONE]\'`'},
	{name: 'untilEvent', arg: 'TYPE', kind: 'event type', help: '... or when an event of this type arrives', details: '… or when an event of this type arrives'},
	{name: 'then', arg: 'ACTION', kind: '`reconnect`, `repeat`, `stop`', default: '`reconnect` for GET, `repeat` for any other method',
		help: 'after a stream: reconnect (EventSource) | repeat (next request at once) | stop',
		details: 'after a stream ends: reconnect as `EventSource` does (after `retry:`, with `Last-Event-ID`); send the next request at once (one client = one user sending request after request); or stop the client'},
	{name: 'think', arg: 'D', kind: 'duration, 0 allowed', default: '0', help: '--then repeat: wait D between one stream\'s end and the next request',
		details: 'with `--then repeat`: the pause between one stream\'s end and the next request'},
	{name: 'streamTimeout', arg: 'D', help: 'a stream not over within D (from its request) is cut and counted as timeout',
		more: ['measured per stream: time to headers, time to first event, time between events,', 'events and bytes per second, stream time, how it ended (thresholds ttfe.p99,', 'stream.p99, completed)'],
		details: 'a stream not over within this long from its request is cut and counted as `timeout`'},
]);

export const transports = section('Transports (through undici, loaded only when asked for; plain http(s) streams use the fast HTTP/1.1 reader)', 'transports', [
	{name: 'proxy', arg: 'URL', default: 'the environment, as curl reads it', help: 'HTTP proxy (CONNECT tunnel); env https_proxy/HTTPS_PROXY, http_proxy, ALL_PROXY and',
		more: ['NO_PROXY are read as curl reads them; --proxy \'\' goes direct'],
		details: 'HTTP proxy, tunnelled with `CONNECT` (`http://user:pw@proxy:3128`; printed as `user:***@`); `--proxy \'\'` goes direct whatever the environment says'},
	{name: 'http2', type: 'boolean', help: 'HTTP/2 (ALPN over https://, prior knowledge over http://)', details: 'HTTP/2: ALPN `h2` over `https://`, prior knowledge (h2c) over `http://`'},
	{name: 'streamsPerConnection', arg: 'N', kind: '1–1000', default: '`100`', help: 'with --http2: streams sharing one connection',
		details: 'with `--http2`: clients 1–N share connection 1, N+1–2N connection 2, …; keep it at or below the server\'s `SETTINGS_MAX_CONCURRENT_STREAMS` (streams beyond it wait for a free slot and time out)'},
	{name: 'compressed', type: 'boolean', help: 'ask for gzip/br (Accept-Encoding) and decode it',
		details: 'send `Accept-Encoding: gzip, br, deflate` and decode the stream (node:zlib); bytes counted are the compressed ones'},
]);

export const agents = section('Many machines (a controller and its load agents, through Redis)', 'agents', [
	{name: 'agents', arg: 'N', kind: 'whole number 1–1000', help: 'run the clients on N load agents (sse-tui agent) instead of this host; this process',
		more: ['splits them by capacity, starts all at once, merges and shows their numbers'],
		details: 'run the clients on N load agents (`sse-tui agent`) on other hosts; this process is the controller: it splits, starts, merges and reports ([agents](#past-one-machine-load-agents-sse-tui-agent---agents-n))'},
	{name: 'redis', arg: 'URL', kind: 'Redis URL', secret: true, help: 'the Redis the agents registered on (with --agents)',
		details: 'with `--agents`: the Redis the agents registered on (`redis://:password@host:6379/0`, `rediss://`); the password is never printed'},
	{name: 'agentsTimeout', arg: 'D', default: '`2m`', help: 'longest wait for N agents to register', details: 'longest wait for N agents to register; then exit 1 naming how many came'},
	{name: 'run', arg: 'ID', kind: 'name', default: '`default`', help: 'pairs this controller with agents started with the same --run',
		details: 'pairs the controller with agents started with the same `--run` (several tests on one Redis)'},
]);
