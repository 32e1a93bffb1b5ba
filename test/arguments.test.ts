import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {attachNegativeValues, closest} from '../source/arguments.js';
import {runCli} from './helpers/cli.js';

describe('closest', () => {
	const cases: Array<[string, string[], string | undefined]> = [
		['client', ['url', 'clients', 'timeout'], 'clients'],
		['cleints', ['url', 'clients', 'timeout'], 'clients'],
		['intervall', ['heartbeat', 'interval'], 'interval'],
		['Clients', ['clients'], 'clients'],
		['x', ['url', 'port'], undefined],
		['bogus', ['url', 'port', 'clients'], undefined],
		['foo', ['serve', 'publish'], undefined],
		['serv', ['serve', 'publish'], 'serve'],
	];
	for (const [typed, candidates, expected] of cases) {
		test(`${typed} -> ${expected ?? 'no suggestion'}`, () => {
			assert.equal(closest(typed, candidates), expected);
		});
	}
});

test('attachNegativeValues glues -1s to its string flag only', () => {
	const flags = {duration: {type: 'string'}, stats: {type: 'boolean'}} as const;
	assert.deepEqual(attachNegativeValues(['--duration', '-1s', '--stats', '-2'], flags), ['--duration=-1s', '--stats', '-2']);
	assert.deepEqual(attachNegativeValues(['--', '--duration', '-1'], flags), ['--', '--duration', '-1']);
});

test('sse-tui -h shows the help, as serve -h and publish -h do', async () => {
	for (const args of [['-h'], ['serve', '-h'], ['publish', '-h']]) {
		const result = await runCli(args);
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /Usage\n\s+\$ sse-tui/);
	}
});

/** The three commands, as a user types them: one line on stderr, exit 2, the fix named. */
const cases: Array<[string[], string]> = [
	[['--bogus'], 'sse-tui: unknown flag --bogus; run "sse-tui --help" for the list'],
	[['--x'], 'sse-tui: unknown flag --x; run "sse-tui --help" for the list'],
	[['--client', '3'], 'sse-tui: unknown flag --client (did you mean --clients?); run "sse-tui --help" for the list'],
	[['--duration', '-1s'], 'sse-tui: --duration must be a positive duration like 1500ms, 30s, 5m or 1h (got "-1s")'],
	[['foo'], 'sse-tui: unknown command "foo": the commands are "sse-tui [options]", "sse-tui demo", "sse-tui serve", "sse-tui publish" and "sse-tui agent"'],
	[['serv'], 'sse-tui: unknown command "serv" (did you mean "sse-tui serve"?): the commands are "sse-tui [options]", "sse-tui demo", "sse-tui serve", "sse-tui publish" and "sse-tui agent"'],
	[['serve', '--intervall', '1s'], 'sse-tui: unknown flag --intervall (did you mean --interval?); run "sse-tui serve --help" for the list'],
	[['serve', '--interval', '-1s'], 'sse-tui: --interval must be 0 or a positive duration like 1500ms, 30s, 5m or 1h (got "-1s")'],
	[['publish', '--cuont', '2'], 'sse-tui: unknown flag --cuont (did you mean --count?); run "sse-tui publish --help" for the list'],
	[['publish', '--timeout', '-5s'], 'sse-tui: --timeout must be a positive duration like 1500ms, 30s, 5m or 1h (got "-5s")'],
];

describe('usage errors say the same thing on every command', {concurrency: true}, () => {
	for (const [args, line] of cases) {
		test(`sse-tui ${args.join(' ')}`, async () => {
			const result = await runCli(args);
			const [first, ...rest] = result.stderr.trimEnd().split('\n');
			assert.equal(first, line);
			// At most the pointer to --help follows; never a stack.
			assert.ok(rest.every(more => /^Run "sse-tui( serve| publish)? --help" for usage\.$/.test(more)), result.stderr);
			assert.equal(result.code, 2);
			assert.equal(result.stdout, '');
		});
	}
});
