// Reads the Debian mirrors this machine's apt already uses, so the sandbox image is built from the same
// archive without the project ever naming a mirror (sandbox.md §6). Both formats apt reads are parsed:
// one-line `deb [opts] URI suite comps…` (/etc/apt/sources.list, sources.list.d/*.list) and deb822
// stanzas (sources.list.d/*.sources). Files apt itself ignores (other suffixes) are ignored here too.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
  /** e.g. `signed-by=/usr/share/keyrings/debian-archive-keyring.gpg`, in one-line option form. */
  options: string[];
  file: string;
}

/** Parses one-line sources: `deb [arch=amd64 signed-by=…] http://… bookworm main contrib`. */
export function parseOneLine(text: string, file: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const m = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!m) continue; // deb-src and malformed lines are not ours to judge
    out.push({
      uri: m[2],
      suites: [m[3]],
      components: m[4].split(/\s+/).filter(Boolean),
      options: (m[1] ?? '').split(/\s+/).filter(Boolean),
      file,
    });
  }
  return out;
}

/** Parses deb822 stanzas (`Types: deb`, `URIs:`, `Suites:`, `Components:`, `Signed-By:`, `Enabled:`). */
export function parseDeb822(text: string, file: string): AptSource[] {
  const out: AptSource[] = [];
  const stanzas = text.split(/\n\s*\n/);
  for (const stanza of stanzas) {
    const fields = new Map<string, string>();
    let last = '';
    for (const raw of stanza.split('\n')) {
      if (raw.startsWith('#')) continue;
      if (/^\s/.test(raw) && last) {
        fields.set(last, `${fields.get(last)} ${raw.trim()}`); // continuation line
        continue;
      }
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(raw);
      if (!m) continue;
      last = m[1].toLowerCase();
      fields.set(last, m[2].trim());
    }
    const words = (k: string) => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
    if (!words('types').includes('deb')) continue;
    if ((fields.get('enabled') ?? 'yes').toLowerCase() === 'no') continue;
    const options: string[] = [];
    const signedBy = fields.get('signed-by');
    // An inline key block (multi-line) cannot be passed as an option; apt's default keyrings then apply.
    if (signedBy && !signedBy.includes('BEGIN PGP')) options.push(`signed-by=${signedBy.split(/\s+/)[0]}`);
    for (const uri of words('uris')) {
      out.push({ uri, suites: words('suites'), components: words('components'), options, file });
    }
  }
  return out;
}

/** Every enabled `deb` source of this machine, in the order apt reads them. */
export function readAptSources(etcApt = '/etc/apt'): AptSource[] {
  const out: AptSource[] = [];
  const main = join(etcApt, 'sources.list');
  if (existsSync(main)) out.push(...parseOneLine(readFileSync(main, 'utf8'), main));
  const dir = join(etcApt, 'sources.list.d');
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).sort()) {
      const file = join(dir, name);
      if (name.endsWith('.list')) out.push(...parseOneLine(readFileSync(file, 'utf8'), file));
      else if (name.endsWith('.sources')) out.push(...parseDeb822(readFileSync(file, 'utf8'), file));
    }
  }
  return out;
}

/**
 * The mirror lines for mmdebstrap: every source that serves `main` of `suite` or its
 * `-updates`/`-security` companions, as one-line `deb [opts] URI suite main` strings.
 * Throws naming the files read when none serves the suite itself.
 */
export function debianMirrorLines(suite: string, sources = readAptSources()): string[] {
  const lines: string[] = [];
  let hasBase = false;
  for (const s of sources) {
    if (!s.components.includes('main')) continue;
    for (const su of s.suites) {
      if (su !== suite && su !== `${suite}-updates` && su !== `${suite}-security` && su !== `${suite}/updates`) continue;
      if (su === suite) hasBase = true;
      const opts = s.options.length ? `[${s.options.join(' ')}] ` : '';
      lines.push(`deb ${opts}${s.uri} ${su} main`);
    }
  }
  if (!hasBase) {
    const files = [...new Set(sources.map((s) => s.file))];
    throw new Error(
      `no apt source on this machine serves Debian '${suite}' main (read: ${files.join(', ') || 'no source files'}); ` +
        `add one to /etc/apt/sources.list(.d) so the sandbox image can be built from it`,
    );
  }
  return lines;
}

/** The host's Debian codename (VERSION_CODENAME in /etc/os-release), e.g. 'bookworm'. */
export function hostCodename(osRelease = '/etc/os-release'): string {
  const text = existsSync(osRelease) ? readFileSync(osRelease, 'utf8') : '';
  const m = /^VERSION_CODENAME=["']?([a-z]+)["']?$/m.exec(text);
  if (!m) throw new Error(`cannot tell the Debian release: no VERSION_CODENAME in ${osRelease}; the sandbox image is built from Debian packages`);
  return m[1];
}
