// The first module of every worker of `tprop run --workers` with an environment module: in each
// worker thread, as in the CLI's own, `tprop` and `tprop/…` resolve to the CLI's copy from any
// folder, and a module written with import/export loads as one (see tprop-resolve-hooks.js).

import { register } from 'node:module';

register('./tprop-resolve-hooks.js', import.meta.url, { data: { home: import.meta.url } });
