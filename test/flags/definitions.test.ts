import assert from 'node:assert/strict';
import {test} from 'node:test';
import {renderHelp} from '../../source/flags/help.js';
import {meowFlags} from '../../source/flags/meow-spec.js';
import {publishCommand} from '../../source/flags/publish.js';
import {runCommand} from '../../source/flags/run.js';
import {serveCommand} from '../../source/flags/serve.js';
import {allFlags, flagLabel} from '../../source/flags/types.js';
import {runCli} from '../helpers/cli.js';

const commands = [runCommand, serveCommand, publishCommand];

for (const command of commands) {
	test(`${command.name}: one definition per flag, each with what --help and the README need`, () => {
		const names = allFlags(command).map(flag => flag.name);
		assert.deepEqual(names.filter((name, index) => names.indexOf(name) !== index), [], 'no flag defined twice');
		for (const flag of allFlags(command)) {
			assert.match(flag.name, /^[a-z][a-zA-Z0-9]*$/, `${flag.name} is camelCase`);
			assert.ok(flag.help.length > 0 && !flag.help.includes('\n'), `${flag.name}: one line of help`);
			assert.equal(flag.type === 'boolean', flag.arg === undefined, `${flag.name}: a value flag names its value (arg), a boolean does not`);
		}

		assert.deepEqual(Object.keys(meowFlags(command)), names, 'meow parses exactly the defined flags');
	});

	test(`${command.name} --help lists every flag with its help line, default and environment variable`, () => {
		const help = renderHelp(command);
		for (const flag of allFlags(command)) {
			const line = help.split('\n').find(each => each.trimStart().startsWith(`${flagLabel(flag)} `));
			assert.ok(line, `${flagLabel(flag)} has a line`);
			assert.ok(line.includes(flag.help), `${flagLabel(flag)}: its help`);
			if (flag.env) {
				assert.ok(line.includes(`(env ${flag.env})`), `${flagLabel(flag)}: its environment variable`);
			}

			if (flag.default) {
				const at = help.indexOf(line);
				assert.ok(help.slice(at, help.indexOf('\n  ', at + line.length + 1) + 300).includes(`default ${flag.default.replaceAll('`', '')}`), `${flagLabel(flag)}: its default`);
			}
		}
	});
}

test('sse-tui --help has an example for every common task', () => {
	const help = renderHelp(runCommand);
	for (const [task, pattern] of [
		['the old test.sh scenarios', /--scenario single[^]*--scenario multiple[^]*--scenario load[^]*--scenario custom --url/],
		['a Rails /cable test through Redis', /--scenario broadcast --protocol websocket[^\n]*\\\n\s+--publish redis:\/\//],
		['a CI run with thresholds', /--threshold '[^']+'[^\n]*--threshold/],
		['20k connections with workers', /--clients 20000 --workers \d/],
		['a config file scenario', /--config \S+ --scenario nightly/],
		['the demo', /\$ sse-tui demo\n/],
	] as const) {
		assert.match(help, pattern, task);
	}
});

test('sse-tui --help prints the generated help, and -h and --help after other flags do too', async () => {
	const expected = renderHelp(runCommand);
	for (const args of [['--help'], ['-h'], ['--clients', '5', '--help']]) {
		const result = await runCli(args);
		assert.equal(result.code, 0, result.stderr);
		assert.ok(result.stdout.includes(expected), args.join(' '));
	}
});

test('the defaults --help and the README show are the ones the resolvers apply', async () => {
	const {resolveConfig} = await import('../../source/config.js');
	const {resolveServeOptions} = await import('../../server/cli.js');
	const {resolvePublishOptions} = await import('../../server/publish-options.js');
	const {parseBytes, parseDuration} = await import('../../source/units.js');
	const shown = (command: typeof runCommand, name: string): string => {
		const flag = allFlags(command).find(each => each.name === name)!;
		return flag.default!.replaceAll('`', '');
	};

	const ms = (command: typeof runCommand, name: string) => parseDuration(shown(command, name), name, {allowZero: true});
	const run = resolveConfig({});
	assert.equal(run.timeoutMs, ms(runCommand, 'timeout'));
	assert.equal(run.retryMs, ms(runCommand, 'retry'));
	assert.equal(run.minRetryMs, ms(runCommand, 'minRetry'));
	assert.equal(run.maxBackoffMs, ms(runCommand, 'maxBackoff'));
	assert.equal(run.maxEventSize, parseBytes(shown(runCommand, 'maxEventSize'), 'maxEventSize'));
	assert.equal(run.statsIntervalMs, ms(runCommand, 'statsInterval'));
	assert.equal(run.clients, Number(shown(runCommand, 'clients')));
	assert.equal(run.logLevel, shown(runCommand, 'logLevel'));
	assert.equal(run.protocol, shown(runCommand, 'protocol'));
	assert.equal(run.url, shown(runCommand, 'url'));
	assert.equal(run.latencyField, shown(runCommand, 'latencyField'));
	const ws = resolveConfig({protocol: 'websocket', perform: 'speak'}).ws!;
	assert.equal(ws.mode, shown(runCommand, 'wsMode'));
	assert.equal(ws.channel, shown(runCommand, 'channel'));
	assert.equal(ws.pingIntervalMs, ms(runCommand, 'pingInterval'));
	assert.equal(ws.pongTimeoutMs, ms(runCommand, 'pongTimeout'));
	assert.equal(ws.perform!.everyMs, ms(runCommand, 'performEvery'));
	const broadcast = resolveConfig({scenario: 'broadcast', publish: 'redis://127.0.0.1:6379'}).broadcast!;
	assert.equal(broadcast.count, Number(shown(runCommand, 'count')));
	assert.equal(broadcast.rate, Number(shown(runCommand, 'rate')));
	assert.equal(broadcast.settleMs, ms(runCommand, 'settle'));
	assert.equal(broadcast.drainMs, ms(runCommand, 'drain'));
	assert.equal(broadcast.padBytes, Number(shown(runCommand, 'pad')));
	assert.deepEqual(broadcast.target, {kind: 'redis', url: 'redis://127.0.0.1:6379', channel: shown(runCommand, 'redisChannel')});

	const serve = resolveServeOptions({}, {});
	assert.equal(serve.port, Number(shown(serveCommand, 'port')));
	assert.equal(serve.host, shown(serveCommand, 'host'));
	assert.equal(serve.heartbeatMs, ms(serveCommand, 'heartbeat'));
	assert.equal(serve.intervalMs, ms(serveCommand, 'interval'));
	assert.equal(serve.replay, Number(shown(serveCommand, 'replay')));
	assert.equal(serve.maxConnections, Number(shown(serveCommand, 'maxConnections')));
	assert.equal(serve.maxBuffer, parseBytes(shown(serveCommand, 'maxBuffer'), 'maxBuffer'));
	assert.equal(serve.cablePingMs, ms(serveCommand, 'cablePing'));
	assert.equal(serve.workers, Number(shown(serveCommand, 'workers')));
	assert.equal(serve.redisChannel, shown(serveCommand, 'redisChannel'));

	const publish = resolvePublishOptions({}, [], {});
	assert.deepEqual(publish.target, {kind: 'redis', url: shown(publishCommand, 'redis'), channel: shown(publishCommand, 'channel')});
	assert.equal(publish.count, Number(shown(publishCommand, 'count')));
	assert.equal(publish.rate, Number(shown(publishCommand, 'rate').split(' ')[0]));
	assert.equal(publish.timeoutMs, ms(publishCommand, 'timeout'));
});
