// The sandbox image is built from the machine's own apt mirrors: both source formats must parse, and only
// the Debian suite's main lines are passed to mmdebstrap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { debianMirrorLines, parseDeb822, parseOneLine } from '../../src/sandbox/aptSources';

const deb822 = `Types: deb
# a comment
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://mirror.example/debian
Suites: bookworm
Components: main

Types: deb
URIs: http://security.example/debian-security
Suites: bookworm-security
Components: main
Enabled: no

Types: deb
URIs: https://thirdparty.example/node
Suites: nodistro
Components: main
`;

test('deb822 stanzas: deb only, Enabled: no skipped, signed-by kept', () => {
  const s = parseDeb822(deb822, 'x.sources');
  assert.equal(s.length, 2);
  assert.deepEqual(s[0].suites, ['bookworm', 'bookworm-updates']);
  assert.deepEqual(s[0].options, ['signed-by=/usr/share/keyrings/debian-archive-keyring.gpg']);
  assert.equal(s[1].uri, 'https://thirdparty.example/node');
});

test('one-line sources: options in brackets, comments and deb-src ignored', () => {
  const s = parseOneLine(
    '# header\ndeb [arch=amd64 signed-by=/k.gpg] http://m.example/debian bookworm main # trailing\ndeb-src http://m.example/debian bookworm main\n',
    'sources.list',
  );
  assert.equal(s.length, 1);
  assert.deepEqual(s[0].options, ['arch=amd64', 'signed-by=/k.gpg']);
  assert.deepEqual(s[0].components, ['main']);
});

test('mirror lines: the suite and its companions, main only; third-party suites dropped', () => {
  const lines = debianMirrorLines('bookworm', [
    ...parseDeb822(deb822, 'x.sources'),
    ...parseOneLine('deb http://sec.example/debian-security bookworm-security main\ndeb http://dl.example/docker bookworm stable\n', 'y.list'),
  ]);
  assert.deepEqual(lines, [
    'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian bookworm main',
    'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian bookworm-updates main',
    'deb http://sec.example/debian-security bookworm-security main',
  ]);
});

test('no source for the suite: the error names the files read and what to do', () => {
  assert.throws(() => debianMirrorLines('trixie', parseOneLine('deb http://m.example/debian bookworm main\n', '/etc/apt/sources.list')), /trixie.*\/etc\/apt\/sources\.list.*add one/);
});
