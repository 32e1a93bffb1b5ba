/**
 * What output may show of credentials: the one place that decides, used by the banner, the
 * dashboard, `--json`, the NDJSON log and any message that quotes a URL or a header.
 */

export const redacted = '***';

/**
 * Header (and query parameter) names that carry credentials: Authorization, Cookie, X-Api-Key,
 * X-Auth-Token, Private-Token, X-Session-Id, X-Client-Secret… A name is enough to hide the value;
 * a false positive only hides something harmless, and --show-header-values shows it.
 */
const secretName = /token|secret|key|auth|session|passw|cookie|credential|signature/i;

export function isSecretName(name: string): boolean {
	return secretName.test(name);
}

/** Headers safe to print: credential values replaced by `***` unless `showValues` (--show-header-values). */
export function redactHeaders(headers: Readonly<Record<string, string>>, {showValues = false} = {}): Record<string, string> {
	return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, !showValues && isSecretName(name) ? redacted : value]));
}

/**
 * A URL safe to print: the password of `user:pw@` as `***` (a lone `token@` too: a user name
 * without a password is often a token), and the values of query parameters with credential
 * names (`?token=`, `?api_key=`). Text that does not parse as a URL gets the same rules by pattern.
 */
export function redactUrl(text: string): string {
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return redactQuery(text.replace(/^([a-z][\w+.-]*:\/\/)([^/?#@]*)@/i, (_match, scheme: string, userinfo: string) =>
			`${scheme}${userinfo.includes(':') ? `${userinfo.slice(0, userinfo.indexOf(':'))}:${redacted}` : redacted}@`));
	}

	if (url.password !== '') {
		url.password = redacted;
	} else if (url.username !== '') {
		url.username = redacted;
	}

	return redactQuery(url.href);
}

function redactQuery(text: string): string {
	return text.replace(/([?&])([^=&#]+)=([^&#]*)/g, (match, separator: string, name: string) =>
		isSecretName(safeDecode(name)) ? `${separator}${name}=${redacted}` : match);
}

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

/** `http://user:pw@host/` -> `Basic base64(user:pw)`, as curl sends it; undefined without credentials. */
export function basicAuthorization(url: URL): string | undefined {
	if (url.username === '' && url.password === '') {
		return undefined;
	}

	const credentials = `${safeDecode(url.username)}:${safeDecode(url.password)}`;
	return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
}

/** The URL to connect to: credentials moved out (they travel as the Authorization header). */
export function withoutCredentials(text: string): string {
	try {
		const url = new URL(text);
		url.username = '';
		url.password = '';
		return url.href;
	} catch {
		return text;
	}
}

/**
 * Free text safe to print (a log line quoting a request): `Bearer <token>` and `Basic <creds>`
 * values, `user:pw@` in URLs, and secret-named query parameters (`?token=`, `&api_key=`), each
 * as `***`. Used by the server's log lines, which quote request targets and headers.
 */
export function redactText(text: string): string {
	if (!/[=@]|bearer|basic/i.test(text)) {
		return text; // The common case, without running the patterns.
	}

	return text
		.replace(/\b(bearer\s+)[^\s,;"]+/gi, (_match, scheme: string) => `${scheme}${redacted}`)
		.replace(/\b(basic\s+)[\w+/]{8,}=*/gi, (_match, scheme: string) => `${scheme}${redacted}`)
		.replace(/\b([a-z][\w+.-]*:\/\/)([^/?#@\s]*)@/gi, (_match, scheme: string, userinfo: string) =>
			`${scheme}${userinfo.includes(':') ? `${userinfo.slice(0, userinfo.indexOf(':'))}:${redacted}` : redacted}@`)
		// In free text a query value ends at white space or a quote, not only at & or #.
		.replace(/([?&])([^=&#\s]+)=([^&#\s"]*)/g, (match, separator: string, name: string) =>
			isSecretName(safeDecode(name)) ? `${separator}${name}=${redacted}` : match);
}
