// Fetches the pinned Debian chromium (and the libraries it needs) with apt-get download, checks
// each .deb against third_party/chromium.lock.json and unpacks them with dpkg-deb -x into a
// git-ignored folder. No root is needed: nothing is installed, the binary runs with
// LD_LIBRARY_PATH pointing into the unpacked tree. Used by the HTML report test.
//
//   node scripts/chromium.mjs    prints the path of the chromium binary (fetching it first if needed)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PinnedDownloadError, runChecked, verifyPinned } from './pinned-download.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockName = 'third_party/chromium.lock.json';
const cacheDir = join(root, 'third_party', '.cache', 'chromium');

export { PinnedDownloadError };

/**
 * The pinned packages cannot be fetched here (no apt-get, no archive, or the archive no longer
 * serves those versions). A package that arrives but differs from its pin is a PinnedDownloadError instead.
 */
export class ChromiumUnavailableError extends Error {}

export function readChromiumLock() {
  return JSON.parse(readFileSync(join(root, lockName), 'utf8'));
}

/** The unpacked tree of this lock: one folder per chromium version, so a new pin never mixes with an old one. */
function treeOf(lock) {
  const chromium = lock.packages.find((p) => p.package === 'chromium');
  return join(cacheDir, `tree-${chromium.version.replace(/[^A-Za-z0-9.+-]/g, '_')}`);
}

/** Downloads one pinned .deb into `debDir` unless a verified copy is there; returns its path. */
function fetchDeb(pin, debDir) {
  const file = join(debDir, pin.file);
  if (existsSync(file)) {
    try {
      verifyPinned(file, pin, lockName);
      return file;
    } catch {
      rmSync(file); // a partial or foreign file: fetch it again
    }
  }
  try {
    runChecked(
      'apt-get',
      ['download', `${pin.package}=${pin.version}`],
      `apt-get download ${pin.package}=${pin.version}`,
      debDir,
    );
  } catch (error) {
    throw new ChromiumUnavailableError(
      `${error.message}\nIf the Debian archive no longer serves ${pin.package} ${pin.version}, pin the versions it serves now ` +
        `(apt-get download --print-uris) in ${lockName}.`,
    );
  }
  if (!existsSync(file)) {
    throw new PinnedDownloadError(
      `apt-get did not produce ${pin.file} (got: ${readdirSync(debDir).join(', ') || 'nothing'}).`,
    );
  }
  verifyPinned(file, pin, lockName);
  return file;
}

/** The environment chromium needs to find the unpacked libraries. */
function environmentOf(tree) {
  // libpulse finds its common library by an absolute RUNPATH, which the unpacked tree does not match.
  const dirs = ['usr/lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu/pulseaudio', 'usr/lib/chromium'].map((d) =>
    join(tree, d),
  );
  const inherited = process.env.LD_LIBRARY_PATH ? [process.env.LD_LIBRARY_PATH] : [];
  return { ...process.env, LD_LIBRARY_PATH: [...dirs, ...inherited].join(':') };
}

/**
 * Makes sure the pinned chromium is unpacked and returns `{ executable, env, version }`.
 * Throws ChromiumUnavailableError when a package cannot be fetched, PinnedDownloadError when one
 * does not match its pin.
 */
export function ensureChromium() {
  const lock = readChromiumLock();
  const tree = treeOf(lock);
  const done = join(tree, '.complete');
  if (!existsSync(done)) {
    const debDir = join(cacheDir, 'debs');
    mkdirSync(debDir, { recursive: true });
    const debs = lock.packages.map((pin) => fetchDeb(pin, debDir));
    // Unpack into a scratch folder and rename it at the end: an interrupted unpack is never taken as complete.
    const scratch = `${tree}.partial`;
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    for (const deb of debs) runChecked('dpkg-deb', ['-x', deb, scratch], `dpkg-deb -x ${deb}`);
    writeFileSync(join(scratch, '.complete'), `${lock.packages.map((p) => `${p.file} ${p.sha256}`).join('\n')}\n`);
    rmSync(tree, { recursive: true, force: true });
    renameSync(scratch, tree);
  }
  const executable = join(tree, lock.executable);
  const chromium = lock.packages.find((p) => p.package === 'chromium');
  return { executable, env: environmentOf(tree), version: chromium.version };
}

/** Libraries the unpacked binary still cannot find (ldd's "not found" lines), to name in an error. */
export function missingLibraries(chrome) {
  const result = spawnSync('ldd', [chrome.executable], { env: chrome.env, encoding: 'utf8' });
  return (result.stdout ?? '')
    .split('\n')
    .filter((line) => line.includes('not found'))
    .map((line) => line.trim().split(' ')[0]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const chrome = ensureChromium();
    const missing = missingLibraries(chrome);
    if (missing.length > 0)
      console.error(`chromium still lacks: ${missing.join(', ')} (add their packages to ${lockName})`);
    console.log(chrome.executable);
  } catch (error) {
    console.error(
      error instanceof PinnedDownloadError || error instanceof ChromiumUnavailableError ? error.message : error,
    );
    process.exit(1);
  }
}
