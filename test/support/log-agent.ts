/** Driving a LogAgent on a fake clock, the same way in every agent test. */
import { seededRandom } from '#core/movement';
import type { RetryPolicy } from '#core/retry';
import { LogAgent, type AgentIO } from '../../agent/agent';
import type { AgentConfig } from '../../agent/config';
import type { fakeClock } from './fake-clock';

/**
 * An agent over `config` with the fake clock, a seeded random, `retryPolicy` and its lines kept
 * in `logs`; `io` adds the clients. Started, not running: the test moves it on with `step`.
 */
export function startedAgent(
  config: AgentConfig,
  clock: ReturnType<typeof fakeClock>,
  logs: string[],
  retryPolicy: RetryPolicy,
  io: AgentIO,
): LogAgent {
  const agent = new LogAgent(config, {
    ...io,
    log: (line) => logs.push(line),
    now: clock.now,
    sleep: clock.sleep,
    random: seededRandom(3),
    retryPolicy,
  });
  agent.start();
  return agent;
}

/** The files are read, and a second later what was read is old enough to send; `times` over. */
export async function stepAgent(
  agent: LogAgent,
  clock: ReturnType<typeof fakeClock>,
  times = 1,
): Promise<void> {
  for (let i = 0; i < times; i++) {
    await agent.tick();
    clock.advance(1000);
    await agent.tick();
  }
}
