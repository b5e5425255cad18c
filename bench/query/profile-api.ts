// Preloaded into the API by bench:query to profile it: BENCH_API_NODE_OPTIONS='--require
// ./dist/bench/query/profile-api.js' (Node refuses --cpu-prof in NODE_OPTIONS). Starts the V8
// profiler and writes api-<pid>.cpuprofile into BENCH_PROFILE_DIR (default: the working
// directory) when the app exits (it ends with process.exit after draining).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const session = new Session();
session.connect();
session.post('Profiler.enable', () => session.post('Profiler.start'));
const exit = process.exit.bind(process);
process.exit = ((code?: number) => {
  session.post('Profiler.stop', (error, result) => {
    if (!error) {
      const file = path.join(process.env.BENCH_PROFILE_DIR ?? '.', `api-${process.pid}.cpuprofile`);
      writeFileSync(file, JSON.stringify(result.profile));
    }
    exit(code);
  });
}) as typeof process.exit;
