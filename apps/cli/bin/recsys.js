#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, in this process (no wrapper process to orphan).
const { register } = require('tsx/cjs/api');
register();
require('../src/main.ts');
