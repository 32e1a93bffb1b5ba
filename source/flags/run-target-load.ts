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
