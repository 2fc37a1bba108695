#!/usr/bin/env node
// The `tprop` executable: teaches node TypeScript (tsx's loader, in this process) and hands
// over to cli/main.ts, so `npx tprop …` and `node cli/tprop.js …` run the sources as they are.

import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
