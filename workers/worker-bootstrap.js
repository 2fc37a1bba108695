// The worker threads' first module when a sharded run starts from the TypeScript sources (under
// tsx or vitest): a worker inherits no module hooks registered by an API call, and node reads no
// .ts entry before its --import hooks are in place, so tsx is registered here, with this
// repository's tsconfig.json (whose paths map `tprop` to the sources), and then the worker loaded.
// The built package starts its compiled worker directly.

import { fileURLToPath } from 'node:url';
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import(workerData.entry);
