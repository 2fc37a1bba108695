#!/usr/bin/env node
// Runs the command line from the sources, for work on this repository (`npm start`, the tests):
// tsx's loader, with this repository's tsconfig.json, whose paths map `tprop` and `tprop/…` to the
// sources from any working directory. The installed package runs dist/cli/main.js instead.

import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('./main.ts');
