#!/usr/bin/env node
// The CLI runs from the compiled output; `npm ci` and `npm start` build it (see package.json "prepare").
import '../dist/edge/cli/main.js';
