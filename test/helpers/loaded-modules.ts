/**
 * Which module URLs Node loaded for `script` under the built preload: ../fixtures/module-probe.mjs is preloaded
 * first and the script prints the list (`MODULES [...]`), as test/fixtures/apps/no-openai.mjs does.
 */
import { ROOT, cleanEnv, startNode } from './process.js';

export async function loadedModules(cwd: string, script: string, extra: Record<string, string | undefined> = {}): Promise<string[]> {
  const proc = startNode(['--import', `${ROOT}test/fixtures/module-probe.mjs`, '--import', `${ROOT}dist/instrumentation/register.js`, script], {
    preload: false,
    cwd,
    env: cleanEnv({ AGENT_BRIDGE_METRICS_ENABLED: 'false', ...extra }),
  });
  await proc.exited;
  const line = proc.stdout().split('\n').find((l) => l.startsWith('MODULES '));
  return JSON.parse(line!.slice('MODULES '.length)) as string[];
}
