import { allPassed, formatResult, type PathResult } from './paths';
import { verifyDeployment, type VerifyIO } from './probes';
import type { ClosableDeployment } from './targets';

/** One deployment's outcome. */
export interface DeploymentResult {
  readonly name: string;
  readonly results: readonly PathResult[];
  /** Set when the deployment could not be checked at all (no credentials, no role to assume). */
  readonly error?: string;
}

export const passed = (result: DeploymentResult): boolean => !result.error && allPassed(result.results);

/** A deployment's block of output: its name, then one line per path. */
export function formatDeployment(result: DeploymentResult, withName: boolean): string {
  const lines = withName ? [`${result.name}:`] : [];
  if (result.error) lines.push(`✗ ${result.error}`);
  for (const r of result.results) lines.push(formatResult(r).replace(/^/gm, withName ? '  ' : ''));
  return `${lines.join('\n')}\n`;
}

/** The one-line summary after all deployments. */
export function verifySummary(results: readonly DeploymentResult[]): string {
  const failed = results.filter((r) => !passed(r));
  if (results.length === 1) {
    const r = results[0];
    return passed(r)
      ? `All ${r.results.length} paths work.`
      : `${r.results.filter((p) => p.status !== 'ok').length} of ${r.results.length} paths failed${r.error ? ' (not checked)' : ''}.`;
  }
  return failed.length === 0
    ? `All ${results.length} deployments work.`
    : `${results.length - failed.length} of ${results.length} deployments work; failed: ${failed.map((r) => r.name).join(', ')}.`;
}

/**
 * Verifies every deployment, at most `concurrency` at once (each waits mostly on its windows,
 * so many can share a small machine), printing each one's block as it finishes.
 */
export async function verifyAll(
  deployments: readonly (() => ClosableDeployment)[],
  options: { concurrency: number; io: VerifyIO; out: (text: string) => void; names: readonly string[] },
): Promise<DeploymentResult[]> {
  const results: DeploymentResult[] = new Array(deployments.length);
  let next = 0;
  const withName = deployments.length > 1;
  const worker = async () => {
    while (next < deployments.length) {
      const index = next++;
      let result: DeploymentResult;
      let deployment: ClosableDeployment | undefined;
      try {
        deployment = deployments[index]();
        result = { name: deployment.name, results: await verifyDeployment(deployment, options.io) };
      } catch (error) {
        result = { name: options.names[index], results: [], error: (error as Error).message.split('\n')[0] };
      } finally {
        await deployment?.close();
      }
      results[index] = result;
      options.out(formatDeployment(result, withName));
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, deployments.length) }, worker));
  return results;
}
