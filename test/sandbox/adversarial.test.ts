// sandbox.md §8, cases 1–40 (the Python ones): one named test per case with the expected verdict. After
// every case a probe runs in the same (or recycled) container — the pool has one container — and must find
// no leftover process, file or SysV IPC object, and still get AC: the next run is unaffected.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Sandbox, type Limits, type RunReport, type Verdict } from '../../src/sandbox';
import { problemSchema, type Problem } from '../../src/data/problem';

const SECRET = 'mars2-test-secret-3141592';
process.env.MARS2_SANDBOX_TEST_SECRET = SECRET; // must never be visible inside a sandbox

let sandbox: Sandbox;
before(async () => {
  sandbox = await Sandbox.start({ size: 1 });
});
after(async () => {
  await sandbox?.close();
});

const FAST: Partial<Limits> = { cpuS: 1, wallS: 2.5, memoryBytes: 256 << 20 };

function stdio(input: string, output: string, extra: Partial<Problem> = {}): Problem {
  return problemSchema.parse({ id: 'adv', prompt: '', style: 'stdio', public_tests: [{ input, output }], private_tests: [], ...extra });
}

const REVERSE = stdio('abc\n', 'cba\n');

// Lists what a previous run could have left: processes of uid 65534 other than this one, files in the
// scratch dirs, SysV IPC objects. Prints 'clean' and then the answer to REVERSE.
const PROBE = String.raw`
import os
me = os.getpid()
left = []
for p in os.listdir('/proc'):
    if p.isdigit() and int(p) != me:
        try:
            st = open('/proc/%s/status' % p).read()
        except OSError:
            continue
        uid = [l for l in st.splitlines() if l.startswith('Uid:')][0].split()[1]
        state = [l for l in st.splitlines() if l.startswith('State:')][0].split()[1]
        if uid == '65534' and state != 'Z':
            left.append('process %s' % p)
for d in ('/work', '/tmp', '/dev/shm'):
    left += ['%s/%s' % (d, n) for n in os.listdir(d)]
for k in ('shm', 'msg', 'sem'):
    left += ['sysv %s' % l for l in open('/proc/sysvipc/' + k).read().strip().split('\n')[1:]]
print('clean' if not left else 'LEFT ' + ' '.join(left))
print(input()[::-1])
`;

async function expectClean(): Promise<void> {
  const r = await sandbox.runTests(stdio('abc\n', 'clean\ncba\n'), PROBE, { limits: FAST });
  assert.equal(r.verdict, 'AC', `the next run is affected: ${r.tests[0]?.stdout} ${r.tests[0]?.detail}`);
}

async function run(problem: Problem, code: string, limits: Partial<Limits> = FAST, mode: 'process' | 'fork' = 'process'): Promise<RunReport> {
  const r = await sandbox.runTests(problem, code, { limits, mode });
  JSON.parse(JSON.stringify(r)); // the report is always valid JSON
  return r;
}

/** Runs the case, checks the verdict is one of `expected`, then that the next run is clean. */
async function adversarial(code: string, expected: Verdict[], problem: Problem = REVERSE, limits: Partial<Limits> = FAST): Promise<RunReport> {
  const r = await run(problem, code, limits);
  const t = r.tests[0];
  assert.ok(expected.includes(r.verdict), `expected ${expected.join('/')}, got ${r.verdict}: ${t.detail}\n${t.stderr}`);
  assert.equal(t.attempts, 1, 'a program failure must not look like an infrastructure failure');
  await expectClean();
  return r;
}

describe('sandbox.md §8 adversarial cases', () => {
  test('01 fork bomb: RE or TLE (or MLE), pids capped, children gone', async () => {
    // sandbox.md §8 expects RE or TLE (the pids cap stops the bomb). Each forked interpreter also adds
    // memory to the container's cgroup, and on a loaded machine the 256 MiB cap can fire before the pids
    // cap (seen once in a full suite): MLE, the same containment by the other limit, never AC or IE.
    await adversarial('import os\nwhile True:\n    os.fork()', ['RE', 'TLE', 'MLE']);
  });
  test('02 shell fork bomb via os.system: RE or TLE', async () => {
    // When the pids cap stops the bomb the shell returns; the program then prints nothing: WA.
    await adversarial("import os\nos.system('f(){ f | f & }; f; wait')", ['RE', 'TLE', 'WA']);
  });
  test('03 thread bomb: RE (cannot start new thread)', async () => {
    const r = await adversarial('import threading, time\nwhile True:\n    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()', ['RE']);
    assert.match(r.tests[0].detail, /thread/);
  });
  test('04 growing list of 50 MB bytearrays: MLE', async () => {
    await adversarial('x = []\nwhile True:\n    x.append(bytearray(50 << 20))', ['MLE']);
  });
  test('05 bytearray(10**11) at once: MLE', async () => {
    await adversarial('x = bytearray(10**11)', ['MLE', 'RE']);
  });
  test('06 unbounded recursion with a huge recursion limit: RE or MLE', async () => {
    await adversarial('import sys\nsys.setrecursionlimit(10**8)\ndef f(n): return f(n + 1) + 1\nf(0)', ['RE', 'MLE', 'TLE'], REVERSE, {
      ...FAST,
      cpuS: 3,
      wallS: 8,
    });
  });
  test('07 endless stdout: OLE, output truncated', async () => {
    const r = await adversarial("while True:\n    print('y' * 1000)", ['OLE'], REVERSE, { ...FAST, stdoutBytes: 1 << 20 });
    assert.ok(r.tests[0].stdoutTruncated);
  });
  test('08 stderr flood: stdout verdict unaffected (finite), OLE (endless)', async () => {
    const finite = await run(REVERSE, "import sys\nsys.stderr.write('e' * (2 << 20))\nprint(input()[::-1])");
    assert.equal(finite.verdict, 'AC');
    assert.ok(finite.tests[0].stderrTruncated);
    await adversarial("import sys\nwhile True:\n    sys.stderr.write('e' * 4096)", ['OLE']);
  });
  test('09 one giant write without newline: OLE or MLE', async () => {
    await adversarial("import sys\nsys.stdout.write('a' * 10**9)", ['OLE', 'MLE']);
  });
  test('10 busy loop: TLE', async () => {
    await adversarial('while True:\n    pass', ['TLE']);
  });
  test('11 sleep forever: TLE at the wall limit, idle', async () => {
    const r = await adversarial('import time\ntime.sleep(10**6)', ['TLE']);
    assert.equal(r.tests[0].idle, true);
  });
  test('12 SIGTERM ignored + spin: TLE', async () => {
    await adversarial('import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass', ['TLE']);
  });
  test('13 reading stdin forever after EOF: TLE, never a hung orchestrator', async () => {
    await adversarial('import sys\nwhile True:\n    sys.stdin.read()', ['TLE']);
  });
  test('14 double-forked setsid daemon: verdict by output, daemon gone before the next run', async () => {
    const code = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(1000)\n    os._exit(0)\nprint(input()[::-1])";
    await adversarial(code, ['AC']);
  });
  test('15 late-printing daemon: no cross-run contamination', async () => {
    const code =
      "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(0.3)\n    print('cba', flush=True)\n    open('/tmp/late', 'w').write('x')\n    os._exit(0)\nprint('wrong')";
    await adversarial(code, ['WA']);
  });
  test('16 network: connect, urlopen, DNS all fail: RE', async () => {
    await adversarial("import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=2)", ['RE']);
    await adversarial("import urllib.request\nurllib.request.urlopen('http://example.com', timeout=2)", ['RE']);
    await adversarial("import socket\nsocket.getaddrinfo('example.com', 80)", ['RE']);
  });
  test('17 Docker gateway and docker.sock unreachable: RE', async () => {
    await adversarial("import socket\nsocket.create_connection(('172.17.0.1', 2375), timeout=2)", ['RE']);
    await adversarial("import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('/var/run/docker.sock')", ['RE']);
  });
  test('18 writes to /etc/passwd, the stdlib, /bin/sh: RE; image unchanged', async () => {
    for (const path of ['/etc/passwd', '/usr/lib/python3.11/os.py', '/bin/sh']) {
      const r = await adversarial(`open(${JSON.stringify(path)}, 'a').write('pwned')`, ['RE']);
      assert.match(r.tests[0].detail, /Read-only file system|Permission denied/);
    }
    const r = await run(stdio('', 'ok\n'), "import os\nassert 'pwned' not in open('/etc/passwd').read()\nassert os.access('/bin/sh', os.X_OK)\nprint('ok')");
    assert.equal(r.verdict, 'AC');
  });
  test('19 filling /tmp and /work: RE; space freed before the next run', async () => {
    for (const dir of ['/tmp', '/work']) {
      await adversarial(`i = 0\nwhile True:\n    open('${dir}/f%d' % i, 'wb').write(b'x' * (8 << 20))\n    i += 1`, ['RE', 'MLE']);
    }
  });
  test('20 seek to 10 GB and write: RE (file too large)', async () => {
    await adversarial("f = open('/tmp/big', 'wb')\nf.seek(10**10)\nf.write(b'x')\nf.close()", ['RE']);
  });
  test('21 filling /dev/shm: RE; freed after', async () => {
    await adversarial("i = 0\nwhile True:\n    open('/dev/shm/f%d' % i, 'wb').write(b'x' * (4 << 20))\n    i += 1", ['RE', 'MLE']);
  });
  test('22 many files, a deep tree and chmod 000 dirs: cleanup still completes', async () => {
    const code = [
      'import os',
      "for i in range(5000): open('/work/e%d' % i, 'w').close()",
      "p = '/work/deep'",
      'for i in range(100):',
      "    p += '/d'",
      '    os.makedirs(p)',
      "os.makedirs('/tmp/locked/inner')",
      "open('/tmp/locked/inner/f', 'w').write('x')",
      "os.chmod('/tmp/locked/inner', 0)",
      "os.chmod('/tmp/locked', 0)",
      'print(input()[::-1])',
    ].join('\n');
    await adversarial(code, ['AC', 'RE']);
  });
  test('23 killing the runner or PID 1: EPERM (RE); kill(-1) reaches only its own uid, the runner survives', async () => {
    await adversarial('import os\nos.kill(os.getppid(), 9)', ['RE']);
    await adversarial('import os\nos.kill(1, 9)', ['RE']);
    await adversarial('import os\nos.kill(-1, 9)\nprint(input()[::-1])', ['AC']); // Linux spares the caller
  });
  test("24 reading the runner's memory: RE (other uid)", async () => {
    await adversarial("import os\nopen('/proc/%d/mem' % os.getppid(), 'rb').read(1)", ['RE']);
  });
  test('25 environment: only the scrubbed variables, no secret anywhere', async () => {
    const code = [
      'import os',
      'print(sorted(os.environ))',
      "print(open('/proc/self/environ', 'rb').read())",
      'try:',
      "    print(open('/proc/1/environ', 'rb').read())",
      'except OSError as e:',
      "    print('denied', e.errno)",
    ].join('\n');
    const r = await run(stdio('', "['HOME', 'LANG', 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'PATH', 'TMPDIR']\n"), code);
    assert.equal(r.verdict, 'WA'); // the first line matches; the rest is the evidence
    assert.match(r.tests[0].actual ?? '', /^\['HOME', 'LANG', 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'PATH', 'TMPDIR'\]\n/);
    assert.match(r.tests[0].actual ?? '', /denied 13/);
    assert.ok(!r.tests[0].stdout.includes(SECRET));
    await expectClean();
  });
  test('26 searching the filesystem and /proc for expected outputs: nothing found', async () => {
    const answer = 'zebra-unique-7731';
    const code = [
      'import os',
      "token = b'zebra-unique-' + b'7731'",
      'found = []',
      "for root in ('/work', '/tmp', '/run', '/dev/shm', '/opt', '/etc'):",
      '    for d, _, files in os.walk(root):',
      '        for f in files:',
      '            try:',
      "                if token in open(os.path.join(d, f), 'rb').read(1 << 20): found.append(os.path.join(d, f))",
      '            except OSError: pass',
      "for p in os.listdir('/proc'):",
      '    if p.isdigit():',
      "        for k in ('cmdline', 'environ'):",
      '            try:',
      "                if token in open('/proc/%s/%s' % (p, k), 'rb').read(): found.append(p + k)",
      '            except OSError: pass',
      "print(found or 'nothing')",
    ].join('\n');
    const r = await run(stdio('', `${answer}\n`), code);
    assert.equal(r.verdict, 'WA');
    assert.equal(r.tests[0].stdout, 'nothing\n');
    await expectClean();
  });
  test('27 symlinks to /etc/shadow and /proc/1/root: not followed, results from stdout only', async () => {
    const code = "import os\nos.symlink('/etc/shadow', '/work/out')\nos.symlink('/proc/1/root', '/tmp/root')\nprint(input()[::-1])";
    await adversarial(code, ['AC']);
  });
  test('28 FIFOs and hard links in the scratch dirs: cleanup not blocked', async () => {
    const code = "import os\nos.mkfifo('/work/fifo')\nos.mkfifo('/tmp/fifo')\nopen('/tmp/a', 'w').write('x')\nos.link('/tmp/a', '/tmp/b')\nprint(input()[::-1])";
    await adversarial(code, ['AC']);
  });
  test('29 privilege: setuid(0) is RE; su, mount, unshare, settimeofday all fail', async () => {
    await adversarial('import os\nos.setuid(0)', ['RE']);
    const code = [
      'import os, subprocess, time',
      'ok = []',
      "for cmd in (['su', '-c', 'true'], ['mount', '-t', 'tmpfs', 'x', '/tmp'], ['unshare', '-r', 'true']):",
      '    try:',
      '        if subprocess.run(cmd, capture_output=True).returncode == 0: ok.append(cmd[0])',
      '    except OSError: pass',
      'try:',
      '    time.clock_settime(time.CLOCK_REALTIME, 0); ok.append("settime")',
      'except OSError: pass',
      "print(ok or 'none')",
    ].join('\n');
    const r = await run(stdio('', 'none\n'), code);
    assert.equal(r.verdict, 'AC', r.tests[0].stdout);
    await expectClean();
  });
  test('30 SysV shared memory left behind: removed by the runner (no recycle needed), not visible next run', async () => {
    const before = sandbox.pool.recycled.anomaly ?? 0;
    const code = "import ctypes\nlibc = ctypes.CDLL(None)\nassert libc.shmget(0, 4096, 0o1600) >= 0\nassert libc.msgget(0, 0o1600) >= 0\nprint(input()[::-1])";
    await adversarial(code, ['AC']);
    assert.equal(sandbox.pool.recycled.anomaly ?? 0, before, 'the runner removed the objects itself');
  });
  test('31 four CPU-burning children: TLE by cgroup CPU time', async () => {
    const code = "import os\nfor _ in range(4):\n    if os.fork() == 0:\n        while True: pass\nos.wait()";
    await adversarial(code, ['TLE']);
  });
  test('32 call harness: print the answer and os._exit(0) before returning: WA', async () => {
    const p = problemSchema.parse({ id: 'c', prompt: '', style: 'call', fn_name: 'add', public_tests: [{ input: '1\n2\n', output: '3' }], private_tests: [] });
    await adversarial('import os\ndef add(a, b):\n    print(3)\n    os._exit(0)', ['WA'], p);
  });
  test('33 a return value whose __eq__ is always True: WA (compared on the host)', async () => {
    const p = problemSchema.parse({ id: 'c', prompt: '', style: 'call', fn_name: 'add', public_tests: [{ input: '1\n2\n', output: '3' }], private_tests: [] });
    await adversarial('class Any:\n    def __eq__(self, o): return True\ndef add(a, b):\n    return Any()', ['WA'], p);
  });
  test('34 a printed "All tests passed" marker: WA', async () => {
    const p = problemSchema.parse({ id: 'a', prompt: '', style: 'assert', entry_point: 'inc', test_code: '', public_tests: [{ input: 'def check(f):\n    assert f(1) == 2\n', output: '' }], private_tests: [] });
    await adversarial("import sys\ndef inc(x): return 0\nprint('All tests passed')\nsys.exit(0)", ['WA'], p);
  });
  test('35 monkeypatched print, sys.stdout.write, json.dumps, unittest: no effect on the host comparison', async () => {
    const p = problemSchema.parse({ id: 'c', prompt: '', style: 'call', fn_name: 'add', public_tests: [{ input: '1\n2\n', output: '3' }], private_tests: [] });
    const code = [
      'import builtins, json, json.encoder, sys, unittest',
      "json.dumps = lambda *a, **k: '3'",
      'json.encoder.JSONEncoder.encode = lambda self, o: "3"',
      'builtins.print = lambda *a, **k: None',
      "sys.stdout.write = lambda s: 0",
      'unittest.TestCase.assertEqual = lambda *a: None',
      'builtins.isinstance = lambda *a: True',
      'def add(a, b): return 4',
    ].join('\n');
    await adversarial(code, ['WA'], p);
  });
  test('36 CRLF, trailing spaces and a trailing blank line: AC under the default checker', async () => {
    await adversarial("import sys\nsys.stdout.write('cba   \\r\\n\\r\\n\\n')", ['AC']);
  });
  test('37 0.30000000000000004 for 0.3: AC with float tolerance, WA exact; nan never matches', async () => {
    const code = 'print(0.1 + 0.2)';
    await adversarial(code, ['AC'], stdio('', '0.3\n', { checker: { kind: 'float', abs: 1e-6, rel: 1e-6 } }));
    await adversarial(code, ['WA'], stdio('', '0.3\n'));
    await adversarial("print('nan')", ['WA'], stdio('', 'nan\n', { checker: { kind: 'float' } }));
  });
  test('38 only a prefix of the expected lines: WA', async () => {
    await adversarial("print('1')", ['WA'], stdio('', '1\n2\n3\n'));
  });
  test('39 invalid UTF-8 and NUL bytes on stdout: WA, no crash, valid JSON', async () => {
    const r = await adversarial("import sys\nsys.stdout.buffer.write(b'\\xff\\xfe\\x00abc\\x00\\n')", ['WA']);
    assert.ok(r.tests[0].stdout.includes('\u0000'));
  });
  test('40 64 MiB of stdin: streamed, AC', async () => {
    const input = 'x'.repeat(64 << 20);
    await adversarial('import sys\nprint(len(sys.stdin.buffer.read()))', ['AC'], stdio(input, `${64 << 20}\n`), { ...FAST, cpuS: 3, wallS: 10 });
  });
  test('the host is unaffected: no sandbox file escaped, the secret stayed on the host', () => {
    assert.ok(!existsSync('/tmp/late') || !readFileSync('/tmp/late', 'utf8').startsWith('x'));
    assert.ok(!readFileSync('/etc/passwd', 'utf8').includes('pwned'));
  });
});
