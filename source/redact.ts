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
