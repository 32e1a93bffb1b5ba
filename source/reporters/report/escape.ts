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

/** The one set of redaction rules (source/redact.ts): a URL safe to print. */
export {redactUrl} from '../../redact.js';

/** Free text (an error message) with the user:password of any URL in it removed. */
export function redactText(text: string): string {
	return text.replaceAll(/\b([a-z][\w+.-]*:\/\/)[^/\s@]*@/gi, '$1');
}
