import {section, type Command, type FlagValues} from './types.js';

/** `sse-tui serve`: the reference server's flags. Add a flag as one entry here (see types.ts). */

const options = section('Options', 'options', [
	{name: 'port', arg: 'N', kind: '0–65535', default: '`3001`', env: 'SSE_PORT, then PORT', help: 'TCP port (0 = any free)', details: 'TCP port; `0` picks a free one'},
	{name: 'host', arg: 'H', kind: 'address', default: '`127.0.0.1`', help: 'interface to bind', details: 'interface to bind (`0.0.0.0` to expose it)'},
	{name: 'heartbeat', arg: 'D', default: '`30s`', help: 'SSE heartbeat comment and /ws ping (0 = off)',
		details: '`: heartbeat` SSE comment and /ws protocol ping; a /ws peer that missed the last pong is terminated; `0` off'},
	{name: 'interval', arg: 'D', default: '`5s`', help: 'dashboard update to every client (0 = off)', details: 'dashboard update broadcast to every client; `0` off'},
	{name: 'replay', arg: 'N', default: '`1000`', help: 'SSE events kept for Last-Event-ID resume', details: 'SSE events kept for `Last-Event-ID` resume; `0` off'},
	{name: 'maxConnections', arg: 'N', default: '`10000`', help: 'SSE + cable + ws connections; more get 503',
		details: 'SSE + cable + ws connections together, for the whole server (with `--workers`, shared out between them); more get 503'},
	{name: 'maxBuffer', arg: 'B', kind: 'size', default: '`1MiB`', help: 'unsent bytes per client before it is dropped', details: 'unsent bytes per client before it is dropped (counted in stats)'},
	{name: 'cablePing', arg: 'D', default: '`3s`', help: 'ActionCable JSON ping interval (0 = off)', details: 'ActionCable `{"type":"ping"}` interval; `0` off'},
	{name: 'allowedOrigins', arg: 'LIST', default: 'localhost origins', help: 'page origins allowed on /cable, /ws and the trigger,',
		more: ['comma-separated, or *'],
		details: 'comma-separated page origins allowed on /cable, /ws and the trigger, or `*`; clients that send no Origin (scripts, load testers) are always allowed'},
	{name: 'stallTimeout', arg: 'D', kind: 'duration, 0 allowed', default: '`10s`', help: 'drop a client whose socket sent nothing for D while',
		more: ['bytes wait (0 = only --max-buffer judges)'],
		details: 'a client whose socket has had unsent bytes and sent none of them for this long is dropped (`0`: only `--max-buffer` judges)'},
	{name: 'workers', arg: 'N', kind: 'whole number or `auto`', default: '`1`', help: 'processes serving the port, or auto (one per core)',
		more: ['broadcasts, SSE ids, resume and stats span them all'],
		details: 'processes serving the port (`node:cluster`); `auto` is one per core; see [Every core](#every-core-sse-tui-serve---workers-n)'},
	{name: 'logLevel', arg: 'L', kind: '`error`, `warn`, `info`, `debug`', default: '`info`', env: 'LOG_LEVEL', help: 'error, warn, info or debug',
		more: ['(a line repeated over 10 times in 10 s is counted, not printed)'],
		details: 'one line per event, to stderr; a line repeated over 10 times in 10 s is counted, not printed'},
	{name: 'jsonLogs', type: 'boolean', help: 'log JSON lines instead of text (to stderr)'},
	{name: 'help', type: 'boolean', cliOnly: true, shortFlag: 'h', help: 'show this help'},
]);

const security = section('Security (needed once the server listens beyond loopback)', 'security', [
	{name: 'token', arg: 'T', env: 'SSE_TUI_TOKEN', secret: true, help: 'every endpoint but /health needs "Authorization: Bearer T"',
		more: ['or ?token=T; never logged'],
		details: 'every endpoint but `/health` needs `Authorization: Bearer T` or `?token=T`; see [Security](#security-of-sse-tui-serve)'},
	{name: 'cors', arg: 'LIST', default: '`*` without `--token`, none with it', help: 'origins given Access-Control-Allow-Origin, or *',
		details: 'origins given `Access-Control-Allow-Origin`, or `*`'},
	{name: 'tlsCert', arg: 'FILE', kind: 'PEM file', help: 'PEM certificate: serve https:// and wss:// (with --tls-key)', details: 'serve `https://` and `wss://` (both flags or neither)'},
	{name: 'tlsKey', arg: 'FILE', kind: 'PEM file', help: 'PEM private key of --tls-cert', details: 'the private key of `--tls-cert`'},
], [
	'The trigger takes POST only, from no Origin (scripts) or an --allowed-origins page,',
	'50 requests a second at most (429 with Retry-After beyond), 2 at a time, and at most',
	'64 MiB per request, counted as count x (pad + 512 bytes).',
]);

const redis = section('Redis fan-out (several instances behind a load balancer)', 'redis', [
	{name: 'redis', arg: 'URL', env: 'REDIS_URL', default: 'off', help: 'Redis to share broadcasts and replay through',
		more: ['redis://host:6379, redis://:password@host:6379/0, rediss://...'],
		details: 'Redis shared by instances for broadcasts and the replay buffer: `redis://host:6379`, `redis://:password@host:6379/0`, `rediss://` for TLS, or `host:port`'},
	{name: 'redisChannel', arg: 'NAME', kind: 'name', default: '`dashboard_updates`', help: 'pub/sub channel carrying broadcasts', details: 'pub/sub channel carrying broadcasts (needs `--redis`)'},
	{name: 'cablePrefix', arg: 'P', kind: 'string', help: 'also subscribe P:<channel>, where a Rails app\'s redis cable',
		more: ['adapter (channel_prefix P) broadcasts'],
		details: 'also subscribe `P:<channel>`, where a Rails app using the `redis` cable adapter with `channel_prefix: P` broadcasts (needs `--redis`)'},
], [
	'With --redis every message published on the channel (JSON, or text sent on as a JSON',
	'string) reaches every SSE, cable and ws client of every instance; trigger-test and the',
	'--interval update publish through Redis (one update per interval for the whole cluster);',
	'SSE ids come from a Redis stream, so Last-Event-ID resumes on any instance. If Redis is',
	'down the server keeps serving and delivers locally, reconnecting in the background.',
	'',
	'Durations: 1500ms, 30s, 5m (a bare number is seconds; at most ~24.8 days). Sizes: 65536, 512KiB, 8MiB.',
]);

export const serveSections = [options, security, redis] as const;

export type ServeFlags = FlagValues<typeof serveSections>;

export const serveCommand: Command = {
	name: 'sse-tui serve',
	id: 'serve',
	usage: ['$ sse-tui serve [options]'],
	intro: [
		'Starts the bundled reference server: SSE on /dashboard/stream, ActionCable on /cable,',
		'plain WebSocket on /ws, and /health, /dashboard/stats, /dashboard/trigger-test, POST /stream/echo.',
	],
	sections: serveSections,
	examples: [
		{task: 'On port 3001, or any free port with faster updates', commands: ['sse-tui serve', 'sse-tui serve --port 0 --interval 1s --heartbeat 10s']},
		{task: 'Every core, for 40,000 streams; or exposed, with origins and JSON logs', commands: [
			'sse-tui serve --workers auto --max-connections 40000',
			'sse-tui serve --host 0.0.0.0 --token s3cret --allowed-origins https://app.example.com --json-logs',
		]},
		{task: 'TLS, with the token from the environment', commands: [
			'SSE_TUI_TOKEN=s3cret sse-tui serve --host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem',
		]},
		{task: 'Two instances sharing broadcasts through Redis', commands: [
			'sse-tui serve --port 3001 --redis redis://127.0.0.1:6379 --cable-prefix dashboard_production',
			'sse-tui serve --port 3002 --redis redis://127.0.0.1:6379 --cable-prefix dashboard_production',
			'sse-tui publish --count 10      (reaches clients of both instances)',
		]},
		{task: 'Look at it with curl', commands: [
			'curl -N http://127.0.0.1:3001/dashboard/stream',
			'curl -X POST \'http://127.0.0.1:3001/dashboard/trigger-test?count=100\'',
			'curl -N -X POST http://127.0.0.1:3001/stream/echo -d \'{"events":20,"interval":"50ms"}\'',
		]},
	],
};
