import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { cleanEnv } from '../../bench/isolated-env';

export { cleanEnv };

export const ROOT = path.resolve(__dirname, '..', '..');

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts one of the package's bins (`producer`, `consumer`) as a real process. */
export function start(bin: string, args: string[], env: NodeJS.ProcessEnv = cleanEnv()) {
  return startProcess([path.join(ROOT, 'bin', `${bin}.cjs`), ...args], env);
}

/** Runs `bin/<script>.ts` through tsx as a real process, as `npm run <script>` does. */
export function runScript(script: string, args: string[] = [], env: NodeJS.ProcessEnv = cleanEnv()) {
  return startProcess(['--require', 'tsx/cjs', path.join(ROOT, 'bin', `${script}.ts`), ...args], env)
    .finished;
}

/** Node with `argv` in the project folder, its output collected. */
function startProcess(argv: string[], env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn(process.execPath, argv, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const finished = new Promise<Finished>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return {
    child,
    finished,
    stdout: () => stdout,
    /** Resolves once stdout satisfies `test`. */
    async waitFor(test: (out: string) => boolean): Promise<void> {
      if (test(stdout)) return;
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (test(stdout)) {
            child.stdout!.off('data', check);
            resolve();
          }
        };
        child.stdout!.on('data', check);
        child.once('close', () =>
          test(stdout) ? resolve() : reject(new Error(`exited first:\n${stdout}\n${stderr}`)),
        );
      });
    },
  };
}

export function run(bin: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Finished> {
  return start(bin, args, env).finished;
}
