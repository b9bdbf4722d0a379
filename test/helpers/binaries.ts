/**
 * External tools the tests run (prometheus, promtool, amtool, kubectl). A missing tool is a test failure that
 * says how to install it — CI or not: a suite that skips when its tool is absent can pass without testing.
 * `.ci/run` installs every Debian package named here.
 */
import { spawnSync } from 'node:child_process';

/** The tool's path: /usr/bin, /usr/local/bin, then $PATH; `undefined` when none answers `--version`. */
export function findBinary(name: string): string | undefined {
  for (const candidate of [`/usr/bin/${name}`, `/usr/local/bin/${name}`]) {
    const r = spawnSync(candidate, ['--version'], { stdio: 'ignore', timeout: 10_000 });
    if (r.status === 0) return candidate;
  }
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8', timeout: 10_000 });
  const found = r.stdout?.trim();
  return r.status === 0 && found ? found : undefined;
}

/** The failure message for a tool that Debian packages. */
export function missingDebianTool(name: string, debianPackage: string): string {
  return `${name} not found: install the Debian package with \`apt-get install --no-install-recommends ${debianPackage}\` (.ci/run installs it)`;
}

/** `findBinary(name)`, or throw the install hint. */
export function requireDebianTool(name: string, debianPackage: string): string {
  const found = findBinary(name);
  if (found === undefined) throw new Error(missingDebianTool(name, debianPackage));
  return found;
}
