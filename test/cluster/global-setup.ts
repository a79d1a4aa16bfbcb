/** Builds the pinned Temporal server once for the cluster suite, or reuses the one built already. */
import { ensureTemporalServer } from '../../scripts/cluster/build';

export default async function setup(): Promise<void> {
  const build = await ensureTemporalServer((line) => console.log(`[cluster build] ${line}`));
  console.log(`[cluster build] Temporal server v${build.version}${build.builtNow ? `, built in ${build.seconds}s` : ', already built'}`);
}
