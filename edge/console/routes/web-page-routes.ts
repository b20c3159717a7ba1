import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ConsoleApp } from '../console-app.js';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Millwright console</title>
<style>body{font:18px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{background:#eee;padding:0 .2em}</style></head>
<body><h1>Millwright console</h1>
<p>The web page is not built yet (<code>npm run build:web</code>): the server is running and its API answers.</p>
<ul><li><code>POST /api/session</code> with <code>{"name","password"}</code> to log in</li>
<li><a href="/api/health">/api/health</a>, <a href="/api/assets">/api/assets</a>, <a href="/api/alerts">/api/alerts</a> once logged in</li>
<li><a href="/metrics">/metrics</a> (Prometheus)</li><li>the WebSocket at <code>/ws</code></li></ul>
<p>The API and the WebSocket protocol are described in <code>edge/console/PROTOCOL.md</code>.</p></body></html>
`;

/**
 * The web page from `webRoot` (its index.html at /; the build bundles everything it needs, uPlot
 * included, so it works with no internet); a plain page saying so while the web page is not built.
 * Files are served as they are, with their ETag and Last-Modified; nothing under /api is shadowed.
 */
export async function webPageRoutes(app: ConsoleApp, webRoot: string): Promise<void> {
  if (existsSync(path.join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, { root: webRoot, prefix: '/', decorateReply: false });
    return;
  }
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(NOT_BUILT_PAGE));
}
