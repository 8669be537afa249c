/** The few HTML pages the engine answers itself (approval links, sign-in refusals): one shell, every value escaped. */

export const escapeHtml = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** A whole document around `body` (already HTML); `title` is escaped here, `style` is the page's own CSS if any. */
export function htmlDocument(title: string, body: string, style?: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Workflow engine</title>
${style === undefined ? '' : `<style>${style}</style>\n`}</head>
<body>
${body}
</body>
</html>
`;
}
