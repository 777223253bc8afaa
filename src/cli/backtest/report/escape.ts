const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML content or a quoted attribute value: nothing in it can open a tag or close the attribute. */
export const escapeHtml = (text: string | number): string => String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/**
 * JSON to embed in a `<script type="application/json">` element: `<`, `>` and `&` as \u escapes, so no string in
 * the data can end the element (`</script>`) or open a comment, and the two line separators JavaScript once refused.
 */
export const jsonForScript = (value: unknown): string =>
  JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
