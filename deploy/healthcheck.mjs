#!/usr/bin/env node
// The container health check (Dockerfile HEALTHCHECK, compose healthcheck): exit 0 when the endpoint
// answers, 1 when not. Plain JavaScript so it runs without the build.
//
//   node deploy/healthcheck.mjs [URL]     URL default: $MILLWRIGHT_HEALTH_URL, else http://127.0.0.1:8080/api/health/live
//
// http(s)://…  GET; healthy on 200. The console's /api/health/live answers without a login (a probe holds
//              no password) with the overall status only; 'degraded' is still healthy: the box runs.
// opc.tcp://…, mqtt://…, tcp://…  healthy when a TCP connection opens (the simulated PLC, a broker).
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

const TIMEOUT_MS = 4000;
const target = new URL(process.argv[2] ?? process.env.MILLWRIGHT_HEALTH_URL ?? 'http://127.0.0.1:8080/api/health/live');

/** @param {boolean} healthy @param {string} why */
function finish(healthy, why) {
  (healthy ? console.log : console.error)(`${target.href}: ${why}`);
  process.exit(healthy ? 0 : 1);
}

if (target.protocol === 'http:' || target.protocol === 'https:') {
  // The console's own certificate may be self-signed; this probe only asks whether it answers.
  const client = target.protocol === 'https:' ? https : http;
  const request = client.get(target, { timeout: TIMEOUT_MS, rejectUnauthorized: false }, (response) => {
    response.resume();
    const status = response.statusCode ?? 0;
    finish(status === 200, `HTTP ${status}`);
  });
  request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
  request.on('error', (error) => finish(false, error.message));
} else {
  const defaultPorts = { 'opc.tcp:': 4840, 'mqtt:': 1883, 'mqtts:': 8883 };
  const port = Number(target.port || defaultPorts[/** @type {keyof typeof defaultPorts} */ (target.protocol)] || 0);
  if (port === 0) finish(false, 'no port: give one in the URL (e.g. tcp://127.0.0.1:4840)');
  const socket = net.connect({ host: target.hostname, port, timeout: TIMEOUT_MS });
  socket.on('connect', () => {
    socket.destroy();
    finish(true, 'TCP connection opened');
  });
  socket.on('timeout', () => socket.destroy(new Error(`no connection within ${TIMEOUT_MS} ms`)));
  socket.on('error', (error) => finish(false, error.message));
}
