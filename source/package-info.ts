import {readFileSync} from 'node:fs';

/** This package's package.json (dist/source/ -> ../../package.json, installed or in a clone), read on demand. */
export function packageInfo(): {version: string; description: string} {
	const json = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version?: string; description?: string};
	return {version: json.version ?? '0.0.0', description: json.description ?? ''};
}
