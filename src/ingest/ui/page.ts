/**
 * The trace view's HTML shell. Static markup only: every value shown comes from the query API and is set by
 * ./client.ts with `textContent` (never parsed as HTML), so a span name cannot inject markup.
 */

/** The page, its assets named with `key` (the one it was opened with: the assets are key-checked too). */
export function pageHtml(key: string): string {
  const query = `?sentry_key=${escapeHtml(encodeURIComponent(key))}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Traces · agent-otel-bridge ingest</title>
<link rel="stylesheet" href="/ui/app.css${query}">
<link rel="icon" href="data:,">
<script src="/ui/app.js${query}" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="#/" data-testid="home">agent-otel-bridge · local ingest</a>
  <span class="live" data-testid="live" title="Polls the ingest every 2 s while this tab is visible">live</span>
</header>
<main id="app" data-testid="app"><p class="muted">Loading…</p></main>
<noscript>The trace view needs JavaScript; the JSON API is at /api/traces.</noscript>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function unauthorisedHtml(reason: string): string {
  const safe = escapeHtml(reason);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Key needed · agent-otel-bridge ingest</title></head>
<body><h1>401: ${safe}</h1>
<p>Open the page with the ingest's DSN key: <code>http://HOST:PORT/?sentry_key=KEY</code> (the ingest prints the full URL).</p>
</body></html>
`;
}
