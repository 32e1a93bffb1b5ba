import {configFile, output, verdict} from './run-output.js';
import {broadcast, delivery, serverSide, websocket} from './run-protocols.js';
import {agents, load, requests, shapes, target, transports} from './run-target-load.js';
import type {Command, FlagValues} from './types.js';

/** `sse-tui`: the run command's flags, in --help order. Add a flag as one entry in its section's file. */
export const runSections = [target, load, requests, transports, shapes, agents, websocket, delivery, broadcast, serverSide, output, verdict, configFile] as const;

/** The run command's parsed flags (source/config.ts's RunFlags). */
export type RunFlagValues = FlagValues<typeof runSections>;

export const runCommand: Command = {
	name: 'sse-tui',
	id: 'run',
	usage: [
		'$ sse-tui                      in a terminal: the wizard (port, protocol, scenario, clients)',
		'$ sse-tui [options]            open N Server-Sent Events or WebSocket clients against a URL',
		'$ sse-tui demo [options]       try it now: the bundled server in this process, 10 clients on the live dashboard',
		'$ sse-tui serve [options]      start the bundled reference server (sse-tui serve --help)',
		'$ sse-tui publish [options]    publish test updates on Redis or a trigger endpoint (sse-tui publish --help)',
		'$ sse-tui agent --redis URL    a load agent on this host, for a controller started with --agents (sse-tui agent --help)',
	],
	sections: runSections,
	examples: [
		{task: 'Try it: the bundled server in this process, 10 clients on the live dashboard', commands: [
			'sse-tui demo',
			'sse-tui demo --protocol websocket --clients 50',
			'sse-tui demo --scenario broadcast --count 50 --rate 20',
		]},
		{task: 'The old test.sh scenarios against a server on port 3001 (start one: sse-tui serve --port 3001)', commands: [
			'sse-tui --scenario single --port 3001',
			'sse-tui --scenario multiple --port 3001',
			'sse-tui --scenario load --port 3001',
			'sse-tui --scenario custom --url https://example.test/stream --clients 500 --ramp 10s --duration 5m --stats',
		]},
		{task: 'Output for scripts: one JSON summary, an NDJSON log of every event, an HTML report', commands: [
			'sse-tui --port 3001 --clients 50 --duration 30s --json > summary.json',
			'sse-tui --port 3001 --duration 10s --events events.ndjson',
			'sse-tui --port 3001 --clients 200 --duration 1m --no-tui --report run.html',
		]},
		{task: 'A Rails app: /cable through its Redis (does every client get every update?), and its SSE endpoint', commands: [
			'sse-tui --scenario broadcast --protocol websocket --port 3000 --clients 100 --origin http://localhost:3000 \\',
			'    --publish redis://127.0.0.1:6379 --redis-channel myapp_production:dashboard_updates',
			'sse-tui --port 3000 --clients 500 --duration 2m --watch-redis redis://127.0.0.1:6379 --redis-per-stream',
		]},
		{task: 'CI: fail the job (exit 1) unless every threshold holds; stop early once one cannot', commands: [
			'sse-tui --port 3001 --clients 100 --duration 1m --no-tui --threshold \'delivery>=100%\' --threshold \'p99<250ms\' \\',
			'    --threshold \'errors==0\' --abort-on-fail --json > summary.json',
		]},
		{task: '20,000 connections: the server and the clients on two processes each, opened at 1,000 a second', commands: [
			'sse-tui serve --port 3001 --workers 2 --max-connections 25000',
			'sse-tui --port 3001 --clients 20000 --workers 2 --connect-rate 1000/s --duration 5m --no-tui --json',
		]},
		{task: 'Load shapes: stages, hold, a reconnect storm', commands: [
			'sse-tui --port 3001 --stages 30s:1000,1m:5000,30s:0 --no-tui',
			'sse-tui --port 3001 --scenario hold --clients 10000 --connect-rate 500/s --duration 5m --json',
			'sse-tui --port 3001 --scenario storm --clients 2000 --storm-at 30s',
		]},
		{task: 'WebSocket, and the server\'s side beside the clients', commands: [
			'sse-tui --protocol ws --ws-mode raw --url ws://localhost:3001/ws --clients 10',
			'sse-tui --port 3001 --clients 500 --watch-redis redis://127.0.0.1:6379 --watch-stats http://127.0.0.1:3001/dashboard/stats',
		]},
		{task: 'Two targets side by side through one Redis: a Rails app\'s SSE endpoint against its ActionCable endpoint', commands: [
			'sse-tui --target sse=http://localhost:3000/dashboard/stream --target cable=ws://localhost:3000/cable \\',
			'    --scenario broadcast --clients 200 --publish redis://127.0.0.1:6379 --threshold \'cable:p99<300ms\'',
		]},
		{task: 'Request streams: POST bodies whose answers stream back and end (chat completions, MCP, job progress)', commands: [
			'sse-tui --url http://127.0.0.1:3001/stream/echo --method POST --body \'{"events":200,"interval":"10ms","user":"{{client}}"}\' \\',
			'    --until-data \'[DONE]\' --clients 100 --duration 1m --threshold \'ttfe.p99<800ms\' --threshold \'completed>=99%\'',
			'sse-tui --url https://api.example.test/v1/chat --method POST --body @prompt.json --until-data \'[DONE]\' --then repeat --think 2s',
			'sse-tui --url https://cdn.example.test/stream --http2 --streams-per-connection 50 --clients 500',
		]},
		{task: 'Many machines: load agents on each host (or a Kubernetes Job, deploy/kubernetes/), one controller', commands: [
			'sse-tui agent --redis redis://redis.internal:6379 --run nightly',
			'sse-tui --url http://app.internal/dashboard/stream --clients 100000 --agents 4 --redis redis://redis.internal:6379 --run nightly',
		]},
		{task: 'A config file: see what will run, then run its "nightly" scenario', commands: [
			'sse-tui --config load.json --scenario nightly --print-config',
			'sse-tui --config load.json --scenario nightly',
		]},
	],
	footer: [
		'Durations: 1500ms, 30s, 5m, 1h (a bare number is seconds). Sizes: 65536, 512KiB, 8MiB.',
		'Exit codes: 0 run completed and every threshold passed; 1 a threshold failed, or not a single',
		'client ever opened, or the run could not start; 2 usage error.',
	],
};
