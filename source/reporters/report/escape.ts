const htmlEntities: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;'};

/** Text for an HTML element or a quoted attribute value. */
export function escapeHtml(text: string): string {
	return text.replaceAll(/[&<>"']/g, character => htmlEntities[character]!);
}

/**
 * JSON to place inside a `<script>` element: `<`, `>` and `&` become \u escapes, so no string in
 * the data (an error text holding `</script>`, a `<!--`) can end the element or open markup, and
 * JSON.parse gives back the same value.
 */
export function jsonForScript(value: unknown): string {
	return JSON.stringify(value)
		.replaceAll('<', '\\u003c')
		.replaceAll('>', '\\u003e')
		.replaceAll('&', '\\u0026')
		.replaceAll('\u2028', '\\u2028')
		.replaceAll('\u2029', '\\u2029');
}

/** Query parameters that usually carry a credential (EventSource cannot send headers, so tokens ride in the URL). */
const secretParameter = /^(access[_-]?token|token|auth|authorization|api[_-]?key|apikey|key|secret|password|passwd|pwd|signature|sig|jwt|session|sessionid)$/i;

/** A URL safe to print: no user:password, and the values of credential-like query parameters replaced. */
export function redactUrl(text: string): string {
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return redactText(text);
	}

	url.username = '';
	url.password = '';
	for (const name of [...url.searchParams.keys()]) {
		if (secretParameter.test(name)) {
			url.searchParams.set(name, 'redacted');
		}
	}

	return url.href;
}

/** Free text (an error message) with the user:password of any URL in it removed. */
export function redactText(text: string): string {
	return text.replaceAll(/\b([a-z][\w+.-]*:\/\/)[^/\s@]*@/gi, '$1');
}
