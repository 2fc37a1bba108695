// A child process of the sequences bench: it runs the jobs its parent sends, one at a time, and
// sends each result back (or the error that stopped it), until the parent disconnects.

import { initEngine } from '../../src/math/index.js';
import { runSequenceJob, type SequenceJob } from './sequence-job.js';

await initEngine({ report: () => undefined });
process.on('message', (message: { id: number; job: SequenceJob }) => {
  try {
    process.send!({ id: message.id, result: runSequenceJob(message.job) });
  } catch (error) {
    process.send!({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
