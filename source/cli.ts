#!/usr/bin/env node
import process from 'node:process';
import {closest, parseCommand} from './arguments.js';
import {exitQuietlyWhenOutputCloses} from './closed-output.js';
import {resolveConfig, type RunFlags} from './config.js';
import {isExpectedError, UsageError} from './errors.js';
import {run} from './run.js';
import {exitCodeFor, verdictLine} from './verdict/exit-code.js';

const help = `
  Usage
    $ sse-tui                      in a terminal: the wizard (port, protocol, scenario, clients)
    $ sse-tui [options]            open N Server-Sent Events or WebSocket clients against a URL
    $ sse-tui demo [options]       try it now: the bundled server in this process, 10 clients on the live dashboard
    $ sse-tui serve [options]      start the bundled reference server (sse-tui serve --help)
    $ sse-tui publish [options]    publish test updates on Redis or a trigger endpoint (sse-tui publish --help)
    $ sse-tui agent --redis URL    a load agent on this host, for a controller started with --agents (sse-tui agent --help)

  Target
    --url URL              stream to connect to (env SSE_URL)       default http://localhost:3000/dashboard/stream
    --port N               shorthand for http://localhost:N/dashboard/stream (websocket: ws://localhost:N/cable)
    --protocol P           sse | websocket (alias ws)               default sse
    --header "Name: v"     extra request header, repeatable (values of names with token, secret, key, auth,
                           session, password or cookie print as ***)
    --show-header-values   print those values anyway (debugging your own credentials)
    --insecure             accept self-signed TLS certificates
    --token T              send "Authorization: Bearer T" (sse-tui serve --token), on SSE, WebSocket and --trigger
    --target NAME=URL      compare 2 to 4 targets side by side, repeatable (instead of --url/--port); each gets
                           --clients clients, all started together; protocol from the scheme (ws:// = websocket),
                           options after the URL: NAME=URL,protocol=websocket,ws-mode=raw,channel=C,origin=O
                           --threshold 'NAME:p99<300ms' judges one target, without NAME: each target
                           --trigger NAME=URL once per target: each publishes through its own server

  Load
    --scenario NAME        single (1 client) | multiple (5) | load (20, with --stats) | custom (needs --url) | broadcast (10; see below)
                           | hold | churn | storm (100 each; see Load shapes)
    --clients N            number of concurrent clients (env SSE_CLIENTS); beats the scenario's count   default 1
    --duration D           stop after D (1500ms, 30s, 5m, 1h)       default: until Ctrl-C
    --ramp D               spread client starts over D; 0 starts all at once   default: 10ms apart
    --timeout D            connect + response-headers timeout per attempt      default 60s
    --retry D              reconnection delay until the server sends retry:     default 3s
    --min-retry D          floor for the server's retry: (0 obeys even retry: 0)  default 100ms
    --max-backoff D        cap for the exponential backoff after failed attempts  default 30s
    --max-event-size SIZE  a longer line or event is an error on that client    default 8MiB
    --max-buffered SIZE    partial events held by all clients together; past it the largest holders fail (too-large)
                           default: 256MiB or 64KiB per client, whichever is more (at most the caps added up)
    --workers N            client processes (each under its own open-files limit); the parent only merges and shows
                           default: 1 (in-process) while the clients fit in the open-files limit less 1,000,
                           then enough processes for them, at most one per core

  Request streams (a request whose answer streams back and ends: chat completions, MCP, job progress)
    --method M             GET | POST | PUT ...                     default GET
    --body STRING|@FILE    request body; @- reads stdin; {{client}} and {{iteration}} are filled in per request
    --body-file FILE       NDJSON: one body per line, each request takes the next in turn
    --content-type TYPE    Content-Type of the body                 default application/json
    --until-data TEXT      a stream ends when an event's data is exactly TEXT, e.g. '[DONE]'
    --until-event TYPE     ... or when an event of this type arrives
    --then ACTION          after a stream: reconnect (EventSource) | repeat (next request at once) | stop
                           default: reconnect for GET, repeat for any other method
    --think D              --then repeat: wait D between one stream's end and the next request   default 0
    --stream-timeout D     a stream not over within D (from its request) is cut and counted as timeout
                           measured per stream: time to headers, time to first event, time between events,
                           events and bytes per second, stream time, how it ended (thresholds ttfe.p99,
                           stream.p99, completed)

  Transports (through undici, loaded only when asked for; plain http(s) streams use the fast HTTP/1.1 reader)
    --proxy URL            HTTP proxy (CONNECT tunnel); env https_proxy/HTTPS_PROXY, http_proxy, ALL_PROXY and
                           NO_PROXY are read as curl reads them; --proxy '' goes direct
    --http2                HTTP/2 (ALPN over https://, prior knowledge over http://)
    --streams-per-connection N   with --http2: streams sharing one connection   default 100
    --compressed           ask for gzip/br (Accept-Encoding) and decode it

  Load shapes
    --connect-rate R[/s]   open connections at this rate (instead of --ramp), e.g. 200/s or 600/m
    --stages LIST          client targets over time, reached linearly (k6): 30s:1000,1m:5000,30s:0; ends after
                           the last stage unless --duration; works with broadcast (publishes once stage 1's target is in)
    --scenario hold        connect --clients, hold them idle for --duration: heartbeats, stale clients, RSS per connection
    --scenario churn       keep --clients open while closing and reopening --churn-rate R[/s] of them   default 1/s
    --scenario storm       connect --clients, drop all at --storm-at D (or, without it, watch for a server restart):
                           time until 50/99/100 % are back, failed attempts, messages lost
    --agents N             run the clients on N load agents (sse-tui agent) instead of this host; this process
                           splits them by capacity, starts all at once, merges and shows their numbers
    --redis URL            the Redis the agents registered on (with --agents)
    --agents-timeout D     longest wait for N agents to register   default 2m
    --run ID               pairs this controller with agents started with the same --run   default: default
    --local-address LIST   bind client sockets to these source IPs in turn, e.g. 127.0.0.2,127.0.0.3 (each gives
                           another ~28,000 ephemeral ports toward one server ip:port)

  WebSocket (--protocol websocket)
    --ws-mode MODE         cable (Rails ActionCable) | raw (any frame is a message)   default cable
    --channel NAME         ActionCable channel to subscribe to      default DashboardUpdatesChannel
    --channel-params JSON  extra identifier keys, e.g. '{"room":"1"}'
    --origin URL           Origin header (ActionCable checks it)   default: the target's http(s) origin
    --subprotocol LIST     subprotocols to offer; none = offer none default: actioncable-v1-json,actioncable-unsupported (cable)
    --perform ACTION       call this channel action after subscribing ...
    --perform-data JSON    ... with this data ...
    --perform-every D      ... this often                           default 1s
    --ping-interval D      raw mode: send a ping this often; 0 = never   default 15s
    --pong-timeout D       raw mode: no pong within D = dead peer, reconnect   default 10s
    --compression          offer permessage-deflate (costly: ~50 µs per message)

  Delivery (always on: gaps, duplicates, out-of-order, resets per client, from sequence numbers)
    --seq-field PATH       JSON path of the sequence number          default: "seq", then an integer or <ms>-<n> event id
                           (ActionCable: paths inside "message")
    --latency-field PATH   JSON path of the send time: epoch ms, epoch seconds or ISO 8601   default sent_at

  Broadcast (--scenario broadcast: do all clients get every update?)
    --publish URL          publish through this Redis, e.g. redis://127.0.0.1:6379
    --redis-channel NAME   channel (Rails cable adapter: PREFIX:NAME)      default dashboard_updates
    --trigger URL          or publish through a trigger endpoint, e.g. http://127.0.0.1:3001/dashboard/trigger-test
    --count N              messages to publish                              default 100
    --rate R[/s]           messages per second, 0 = as fast as possible     default 10
    --settle D             longest wait for every client to be subscribed   default 30s
    --drain D              wait after the last publish for stragglers       default 3s
    --pad SIZE             pad each message (at most 1MiB via Redis, 64KiB via a trigger) default 0

  The server's side (polled once a second, shown beside the clients; disagreements marked)
    --watch-redis URL      PUBSUB NUMSUB of --redis-channel, clients, ops/s, memory of this Redis
    --redis-per-stream     the server subscribes once per stream (a Rails SSE endpoint): NUMSUB should equal open clients
    --watch-stats URL      a JSON stats endpoint, e.g. http://127.0.0.1:3001/dashboard/stats (sse-tui serve's or the Go server's)
    --watch-field N=PATH   a field of it to show, repeatable; "connections" is compared with the open clients
                           default: connections, messages and drops of the known shapes

  Output
    --stats                print a stats line every --stats-interval
    --stats-interval D     default 10s
    --log-level LEVEL      error | warn | info | debug (env LOG_LEVEL)   default info
    --debug                same as --log-level debug
    --no-tui               plain text instead of the live dashboard (automatic when stdout is not a terminal)
    --json                 print one JSON summary on stdout at the end; logs go to stderr
    --events FILE|-        NDJSON log of every event, comment, open, error, close, reconnect
    --report FILE          write a self-contained HTML report (charts, thresholds, every client) at the end
    --help, --version

  Verdict (CI)
    --threshold EXPR       METRIC OP VALUE that must hold at the end, or exit 1; repeatable. OP: < <= > >= ==
                           in %:    connected delivery completed (request streams that ended completed)
                           counts:  gaps duplicates resets errors errors.KIND reconnects stale
                           ms or s: {latency,fanout,connect,reconnect,ttfe,stream}.{p50,p90,p99,p999,max}; p50 ... max alone: latency
                           per s:   msgs_per_s
    --abort-on-fail        stop as soon as a threshold can no longer pass (a counter past its limit)

  Examples
    $ sse-tui demo
    $ sse-tui demo --protocol websocket --clients 50
    $ sse-tui demo --scenario broadcast --count 50 --rate 20
    $ sse-tui --port 3001 --clients 500 --watch-redis redis://127.0.0.1:6379 --watch-stats http://127.0.0.1:3001/dashboard/stats
    $ sse-tui --scenario load --port 3001
    $ sse-tui --url https://example.test/stream --clients 500 --ramp 10s --duration 5m --stats
    $ sse-tui --port 3001 --clients 50 --duration 30s --json > summary.json
    $ sse-tui --port 3001 --duration 10s --events events.ndjson
    $ sse-tui --port 3001 --clients 100 --duration 1m --threshold 'delivery>=100%' --threshold 'p99<250ms'
    $ sse-tui --port 3001 --clients 200 --duration 1m --no-tui --report run.html
    $ sse-tui --protocol websocket --port 3000 --clients 100 --origin http://localhost:3000
    $ sse-tui --protocol ws --ws-mode raw --url ws://localhost:3001/ws --clients 10
    $ sse-tui serve --port 3001 --interval 1s
    $ sse-tui --target sse=http://localhost:3000/dashboard/stream --target cable=ws://localhost:3000/cable \
        --scenario broadcast --clients 200 --publish redis://127.0.0.1:6379 --threshold 'cable:p99<300ms'
    $ sse-tui --url http://127.0.0.1:3001/stream/echo --method POST --body '{"events":200,"interval":"10ms","user":"{{client}}"}' \
        --until-data '[DONE]' --clients 100 --duration 1m --threshold 'ttfe.p99<800ms' --threshold 'completed>=99%'
    $ sse-tui --url https://api.example.test/v1/chat --method POST --body @prompt.json --until-data '[DONE]' --then repeat --think 2s
    $ sse-tui --url https://cdn.example.test/stream --http2 --streams-per-connection 50 --clients 500
    $ sse-tui --port 3001 --stages 30s:1000,1m:5000,30s:0 --no-tui
    $ sse-tui --port 3001 --scenario hold --clients 10000 --connect-rate 500/s --duration 5m --json
    $ sse-tui --port 3001 --scenario storm --clients 2000 --storm-at 30s
    $ sse-tui --scenario broadcast --port 3001 --clients 500 --count 200 --rate 50 --publish redis://127.0.0.1:6379
    $ sse-tui --scenario broadcast --protocol websocket --port 3000 --clients 100 --publish redis://127.0.0.1:6379 \
        --redis-channel myapp_production:dashboard_updates

  Exit codes: 0 run completed and every threshold passed; 1 a threshold failed, or not a single
  client ever opened, or the run could not start; 2 usage error.
`;

const runFlags = {
	url: {type: 'string'},
	protocol: {type: 'string'},
	port: {type: 'string'},
	scenario: {type: 'string'},
	clients: {type: 'string'},
	duration: {type: 'string'},
	ramp: {type: 'string'},
	timeout: {type: 'string'},
	retry: {type: 'string'},
	minRetry: {type: 'string'},
	maxBackoff: {type: 'string'},
	maxEventSize: {type: 'string'},
	maxBuffered: {type: 'string'},
	stats: {type: 'boolean'},
	statsInterval: {type: 'string'},
	logLevel: {type: 'string'},
	debug: {type: 'boolean'},
	header: {type: 'string', isMultiple: true},
	insecure: {type: 'boolean'},
	token: {type: 'string'},
	showHeaderValues: {type: 'boolean'},
	tui: {type: 'boolean', default: true},
	json: {type: 'boolean'},
	events: {type: 'string'},
	threshold: {type: 'string', isMultiple: true},
	abortOnFail: {type: 'boolean'},
	wsMode: {type: 'string'},
	channel: {type: 'string'},
	channelParams: {type: 'string'},
	origin: {type: 'string'},
	subprotocol: {type: 'string', isMultiple: true},
	perform: {type: 'string'},
	performData: {type: 'string'},
	performEvery: {type: 'string'},
	pingInterval: {type: 'string'},
	pongTimeout: {type: 'string'},
	compression: {type: 'boolean'},
	seqField: {type: 'string'},
	latencyField: {type: 'string'},
	count: {type: 'string'},
	rate: {type: 'string'},
	publish: {type: 'string'},
	trigger: {type: 'string', isMultiple: true},
	target: {type: 'string', isMultiple: true},
	redisChannel: {type: 'string'},
	settle: {type: 'string'},
	drain: {type: 'string'},
	pad: {type: 'string'},
	watchRedis: {type: 'string'},
	watchStats: {type: 'string'},
	watchField: {type: 'string', isMultiple: true},
	redisPerStream: {type: 'boolean'},
	report: {type: 'string'},
	connectRate: {type: 'string'},
	stages: {type: 'string'},
	churnRate: {type: 'string'},
	stormAt: {type: 'string'},
	localAddress: {type: 'string'},
	workers: {type: 'string'},
	method: {type: 'string'},
	body: {type: 'string'},
	bodyFile: {type: 'string'},
	contentType: {type: 'string'},
	untilData: {type: 'string'},
	untilEvent: {type: 'string'},
	then: {type: 'string'},
	think: {type: 'string'},
	streamTimeout: {type: 'string'},
	proxy: {type: 'string'},
	http2: {type: 'boolean'},
	streamsPerConnection: {type: 'string'},
	compressed: {type: 'boolean'},
	agents: {type: 'string'},
	redis: {type: 'string'},
	agentsTimeout: {type: 'string'},
	run: {type: 'string'},
} as const;

async function main(argv: string[]): Promise<number> {
	if (argv[0] === 'serve') {
		const {runServeCommand} = await import('../server/cli.js');
		return runServeCommand(argv.slice(1));
	}

	if (argv[0] === 'agent') {
		const {runAgentCommand} = await import('./agents/agent-command.js');
		return runAgentCommand(argv.slice(1));
	}

	if (argv[0] === 'publish') {
		const {runPublishCommand} = await import('../server/publish.js');
		return runPublishCommand(argv.slice(1));
	}

	const demo = argv[0] === 'demo';
	if (demo) {
		argv = argv.slice(1);
	}

	const cli = parseCommand(attachDashValues(argv), {name: demo ? 'sse-tui demo' : 'sse-tui', help, flags: runFlags, importMeta: import.meta, auto: true});
	if (cli.input.length > 0) {
		const suggestion = closest(cli.input[0]!, ['serve', 'publish', 'demo', 'agent']);
		throw new UsageError(`unknown command "${cli.input[0]}"${suggestion ? ` (did you mean "sse-tui ${suggestion}"?)` : ''}: the commands are "sse-tui [options]", "sse-tui demo", "sse-tui serve", "sse-tui publish" and "sse-tui agent"`);
	}

	let flags = cli.flags as RunFlags;
	// meow hands over [] for a repeatable flag not given; --trigger was a single one before --target.
	if (Array.isArray(flags.trigger) && flags.trigger.length === 0) {
		const {trigger: _none, ...given} = flags;
		flags = given;
	}

	let server: {close(): Promise<void>} | undefined;
	if (demo) {
		const started = await (await import('./demo.js')).startDemo(flags, {isTTY: Boolean(process.stdout.isTTY)});
		flags = started.flags;
		server = started.server;
	} else if (argv.length === 0 && process.stdout.isTTY && process.stdin.isTTY) {
		// No flags at all in a terminal: the wizard asks what the old test.sh asked.
		// ./ui/index.js sets NODE_ENV=production before react loads; keep this import dynamic.
		const ui = await import('./ui/index.js');
		const answers = await ui.runWizard({stdin: process.stdin, stdout: process.stdout});
		if (answers === undefined) {
			return 0;
		}

		flags = {...flags, ...answers.flags};
		if (answers.demo) {
			// The wizard's "demo" choice: exactly `sse-tui demo` with the protocol and log level it asked.
			const started = await (await import('./demo.js')).startDemo(flags, {isTTY: true});
			flags = started.flags;
			server = started.server;
		} else if (answers.startServer) {
			server = await ui.startBundledServer(answers.startServer.port);
		}
	}

	const config = resolveConfig(flags, process.env, {isTTY: Boolean(process.stdout.isTTY)});
	const version = cli.pkg.version ?? '0.0.0';
	const presenter = config.tui
		? (await import('./ui/index.js')).createTuiPresenter({stdout: process.stdout, stdin: process.stdin, version})
		: undefined;

	const controller = new AbortController();
	let signals = 0;
	const onSignal = (signal: NodeJS.Signals) => {
		signals++;
		if (signals === 1) {
			process.stderr.write(`\n${signal}: stopping, printing the summary (press Ctrl-C again to force exit)\n`);
			controller.abort();
		} else {
			process.exit(130);
		}
	};

	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	try {
		const summary = await run(config, {stdout: process.stdout, stderr: process.stderr, version, stop: controller.signal, presenter});
		const verdict = verdictLine(summary);
		if (verdict !== undefined) {
			process.stderr.write(`sse-tui: ${verdict}\n`);
		}

		return exitCodeFor(summary);
	} finally {
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
		await server?.close();
	}
}

/** meow reads a lone `-` as a positional argument; `--events -` means stdout. */
function attachDashValues(argv: string[]): string[] {
	const out: string[] = [];
	for (let index = 0; index < argv.length; index++) {
		const argument = argv[index]!;
		if (argument === '--events' && argv[index + 1] === '-') {
			out.push('--events=-');
			index++;
		} else {
			out.push(argument);
		}
	}

	return out;
}

exitQuietlyWhenOutputCloses();
try {
	process.exitCode = await main(process.argv.slice(2));
} catch (error) {
	if (isExpectedError(error)) {
		process.stderr.write(`sse-tui: ${error.message}\n`);
		if (error instanceof UsageError && !error.message.includes('--help')) {
			const command = ['serve', 'publish', 'agent'].includes(process.argv[2] ?? '') ? `sse-tui ${process.argv[2]}` : 'sse-tui';
			process.stderr.write(`Run "${command} --help" for usage.\n`);
		}

		process.exitCode = error.exitCode;
	} else {
		process.stderr.write(`sse-tui: unexpected failure: ${error instanceof Error ? error.stack : String(error)}\n`);
		process.exitCode = 1;
	}
}

// Whatever still holds the event loop (a socket slow to close) must not keep a finished run alive.
setTimeout(() => process.exit(), 3000).unref();
