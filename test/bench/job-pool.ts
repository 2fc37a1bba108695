// Runs independent jobs in child processes, each taking the next job when it is free; results
// come back in the order of the jobs whatever order they finish in. With one worker the jobs
// run here, one after the other (no child, the simplest to debug).

import { fork } from 'node:child_process';

interface Reply<R> {
  readonly id?: number;
  readonly ready?: boolean;
  readonly result?: R;
  readonly error?: string;
}

/**
 * `run` each job (workers <= 1), or send it to one of `workers` children started from `entry`,
 * which answer `{ id, result }` or `{ id, error }` to `{ id, job }`. `onDone` sees each result as
 * it arrives. The first error stops handing out jobs and rejects once the running ones are done.
 */
export async function runJobs<J, R>(
  jobs: readonly J[],
  workers: number,
  entry: URL,
  run: (job: J) => R,
  onDone: (job: J, result: R) => void,
): Promise<R[]> {
  const results: R[] = new Array(jobs.length);
  if (workers <= 1 || jobs.length <= 1) {
    jobs.forEach((job, i) => {
      results[i] = run(job);
      onDone(job, results[i]!);
    });
    return results;
  }
  let next = 0;
  let failure: Error | null = null;
  const child = (): Promise<void> =>
    new Promise((resolve) => {
      // The children inherit this process's loader flags (tsx), so they run the TypeScript entry.
      const worker = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const give = (): void => {
        if (failure !== null || next >= jobs.length) {
          worker.disconnect();
          return;
        }
        const id = next++;
        worker.send({ id, job: jobs[id] });
      };
      worker.on('message', (reply: Reply<R>) => {
        if (reply.error !== undefined) failure ??= new Error(`job ${JSON.stringify(jobs[reply.id!])}: ${reply.error}`);
        else if (reply.id !== undefined) {
          results[reply.id] = reply.result!;
          onDone(jobs[reply.id]!, reply.result!);
        }
        give();
      });
      worker.on('exit', (code) => {
        if (code !== 0 && failure === null) failure = new Error(`a bench child process exited with code ${code}`);
        resolve();
      });
    });
  await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, child));
  if (failure !== null) throw failure;
  return results;
}
