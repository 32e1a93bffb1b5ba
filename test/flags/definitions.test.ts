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
			assert.match(flag.name, /^[a-z][a-zA-Z]*$/, `${flag.name} is camelCase`);
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
