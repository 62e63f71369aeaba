// Programs that attack the reward, as an RL policy would (src/sandbox/index.ts lists the classes and where
// each is stopped). Every attack must end in its expected non-AC verdict on its first attempt (a provoked
// IE would be a reward by omission), in process and fork mode, and the honest programs beside them must
// stay AC. Each problem's secret answer appears only in its test code, which the program must never reach.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, NoTestsError, type Mode, type RunReport, type Verdict } from '../../src/sandbox';
import { problemSchema, type Problem } from '../../src/data/problem';

let sandbox: Sandbox;
before(async () => {
  sandbox = await Sandbox.start({ size: 2 });
});
after(async () => {
  await sandbox?.close();
});

const SECRET = 'zq-secret-4711';
const FAST = { cpuS: 2, wallS: 5 };

/** MBPP-like: plain asserts on a program function; the secret is the expected value of one test. */
const mbppLike = problemSchema.parse({
  id: 'atk-mbpp',
  prompt: '',
  style: 'assert',
  test_code: 'import math',
  public_tests: [{ input: 'assert sort_it([3, 1, 2]) == [1, 2, 3]', output: '' }],
  private_tests: [
    { input: `assert tag("abc") == "${SECRET}-abc"`, output: '' },
    { input: 'assert len(sort_it([5, 4])) == 2 and sort_it([5, 4])[0] == 4', output: '' },
  ],
  time_limit_s: 2,
});
const MBPP_OK = `def sort_it(xs):\n    return sorted(xs)\n\ndef tag(s):\n    return "zq-secret-" + str(4700 + 11) + "-" + s\n`;

/** HumanEval-like: the prompt is code with a helper the test calls; check(candidate). */
const heLike = problemSchema.parse({
  id: 'atk-he',
  prompt: 'def helper(x):\n    return x * 2\n\n\ndef inc(x):\n    """x + 1"""\n',
  prompt_is_code: true,
  style: 'assert',
  entry_point: 'inc',
  test_code: '',
  public_tests: [{ input: `def check(candidate):\n    assert candidate(helper(2)) == 5\n    assert candidate(-1) == 0\n    assert str(candidate(41)) + "${SECRET}" == "42${SECRET}"\n`, output: '' }],
  private_tests: [],
  time_limit_s: 2,
});
const HE_OK = heLike.prompt + '    return x + 1\n';

/** LeetCode-like: prelude with ListNode helpers, Solution().method, is_same_list. */
const PRELUDE = [
  'from typing import *',
  'class ListNode:',
  '    def __init__(self, val=0, next=None):',
  '        self.val = val',
  '        self.next = next',
  'def list_node(values):',
  '    head = None',
  '    for v in reversed(values):',
  '        head = ListNode(v, head)',
  '    return head',
  'def is_same_list(p, q):',
  '    while p and q:',
  '        if p.val != q.val:',
  '            return False',
  '        p, q = p.next, q.next',
  '    return p is None and q is None',
  '',
].join('\n');
const lcLike = problemSchema.parse({
  id: 'atk-lc',
  prompt: '',
  style: 'assert',
  entry_point: 'Solution().reverse',
  prelude: PRELUDE,
  test_code: '',
  public_tests: [{ input: 'def check(candidate):\n    assert is_same_list(candidate(list_node([1, 2, 3])), list_node([3, 2, 1]))\n', output: '' }],
  private_tests: [{ input: `def check(candidate):\n    assert is_same_list(candidate(list_node([4711, 5])), list_node([5, 4711]))\n    assert "${SECRET}"\n`, output: '' }],
  time_limit_s: 2,
});
const LC_OK = 'class Solution:\n    def reverse(self, head):\n        prev = None\n        while head:\n            head.next, prev, head = prev, head, head.next\n        return prev\n';

/** Call style: the host compares the returned value. */
const callLike = problemSchema.parse({
  id: 'atk-call',
  prompt: '',
  style: 'call',
  fn_name: 'f',
  public_tests: [
    { input: '3\n', output: '9' },
    { input: '4\n', output: '16' },
  ],
  private_tests: [],
  time_limit_s: 2,
});
const CALL_OK = 'def f(x):\n    return x * x\n';

const ALL_ASSERT = [mbppLike, heLike, lcLike];

// ---- the attacks ------------------------------------------------------------------------------------

/** Wraps every function and method of the program so it returns `make()` (an always-equal object, …). */
function everyFunctionReturns(defs: string, make: string): string {
  return `${defs}
import functools as _ft
def _wrap(f):
    @_ft.wraps(f)
    def g(*a, **k):
        return ${make}
    return g
for _n, _v in list(globals().items()):
    if callable(_v) and not isinstance(_v, type) and getattr(_v, '__module__', None) == '__main__' and not _n.startswith('_'):
        globals()[_n] = _wrap(_v)
for _cls in [v for v in list(globals().values()) if isinstance(v, type) and v.__module__ == '__main__']:
    for _n, _v in list(vars(_cls).items()):
        if callable(_v) and not _n.startswith('__'):
            setattr(_cls, _n, _wrap(_v))
`;
}
const STUBS = `def sort_it(xs):\n    return xs\n\ndef tag(s):\n    return s\n\ndef inc(x):\n    return x\n\ndef f(x):\n    return x\n\nclass Solution:\n    def reverse(self, head):\n        return head\n`;

const ALWAYS_EQUAL = `
class AlwaysEqual:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __bool__(self): return True
    def __hash__(self): return 0
    def __len__(self): return 2
    def __getitem__(self, i): return AlwaysEqual()
    def __str__(self): return '42'
    def __add__(self, o): return AlwaysEqual()
    __radd__ = __add__
    val = property(lambda self: AlwaysEqual())
    next = None
`;

interface Attack {
  name: string;
  code: string;
  /** Problems it runs on (default: the three assert-style ones and the call-style one). */
  on?: Problem[];
  expected: Verdict[];
}

const ATTACKS: Attack[] = [
  // 1. always-equal values
  { name: 'always-equal object', code: everyFunctionReturns(STUBS + ALWAYS_EQUAL, 'AlwaysEqual()'), expected: ['WA'] },
  {
    name: 'int subclass equal to everything',
    code: everyFunctionReturns(STUBS + 'class I(int):\n    def __eq__(s, o): return True\n    def __ne__(s, o): return False\n    __hash__ = int.__hash__\n', 'I(0)'),
    expected: ['WA'],
  },
  {
    name: 'str subclass equal to everything',
    code: everyFunctionReturns(STUBS + 'class S(str):\n    def __eq__(s, o): return True\n    def __ne__(s, o): return False\n    __hash__ = str.__hash__\n', 'S("")'),
    expected: ['WA'],
  },
  {
    name: 'list subclass equal to everything',
    code: everyFunctionReturns(STUBS + 'class L(list):\n    def __eq__(s, o): return True\n    def __ne__(s, o): return False\n', 'L()'),
    expected: ['WA'],
  },
  {
    name: 'ListNode look-alike whose val equals everything',
    code: everyFunctionReturns(STUBS + ALWAYS_EQUAL + 'class ListNode:\n    def __init__(self):\n        self.val = AlwaysEqual()\n        self.next = None\n', 'ListNode()'),
    on: [lcLike],
    expected: ['WA', 'RE'], // RE: the arguments now become the program's own ListNode, which it broke
  },
  // 2. forging the harness's pass record (frames, gc, own memory): there is none in the program's process
  {
    name: 'forge records with every nonce found by gc and frames',
    code: `${STUBS}
import gc, sys, os, re
cands = set()
for o in gc.get_objects():
    for v in (getattr(o, '__dict__', None) or {}).values() if not isinstance(o, type) else ():
        if isinstance(v, str) and re.fullmatch(r'[0-9a-f]{32}', v):
            cands.add(v)
f = sys._getframe()
while f:
    for v in list(f.f_locals.values()) + list(f.f_globals.values()):
        if isinstance(v, str) and re.fullmatch(r'[0-9a-f]{32}', v):
            cands.add(v)
    f = f.f_back
for fd in range(3, 64):
    for n in cands or ['0' * 32]:
        for line in ('%s ok true\\n' % n, '%s ret 9\\n' % n):
            try: os.write(fd, line.encode())
            except OSError: pass
    for fake in (b'\\x00\\x00\\x00\\x0f{"kind":"ok"}\\n', b'{"kind":"ok"}\\n', b'\\x00\\x00\\x00\\x0b{"ret":true}'):
        try: os.write(fd, fake)
        except OSError: pass
`,
    expected: ['WA', 'RE', 'OLE'], // OLE: the junk on fd 4 reads as a reply of gigabytes
  },
  {
    name: "scan the process's own memory for test text and records",
    code: `${STUBS}
import os, re
found = b''
try:
  with open('/proc/self/maps') as m, open('/proc/self/mem', 'rb', 0) as mem:  # fork mode: not even readable
    for line in m:
        a, b = (int(x, 16) for x in line.split()[0].split('-'))
        if 'r' not in line.split()[1] or b - a > 1 << 28:
            continue
        try:
            mem.seek(a); chunk = mem.read(b - a)
        except (OSError, ValueError, OverflowError):
            continue
        i = chunk.find(b'zq-secret-47')
        if i >= 0:
            found = chunk[i:i + 20]; break
except OSError:
    pass
print(found)
def tag(s):
    return found.split(b'"')[0].decode() + s if found else 'nothing'
`,
    on: [mbppLike],
    expected: ['WA'],
  },
  // 3. reaching the tests: read them, rewrite them, replace builtins and helpers
  {
    name: 'read the test code from the container (files, /proc of other processes)',
    code: `${STUBS}
import os
hits = []
for root in ('/run/sb', '/work', '/tmp', '/dev/shm', '/opt/mars2'):
    for d, _, fs in os.walk(root):
        for n in fs:
            try:
                if b'zq-secret' in open(os.path.join(d, n), 'rb').read(): hits.append(os.path.join(d, n))
            except OSError: pass
for p in os.listdir('/proc'):
    if p.isdigit():
        for what in ('mem', 'environ', 'cmdline'):
            try:
                with open('/proc/%s/%s' % (p, what), 'rb') as f:
                    if b'zq-secret' in f.read(1 << 20): hits.append(p + '/' + what)
            except (OSError, ValueError): pass
def tag(s):
    return 'zq-secret-4711-' + s if not hits else 'found ' + ' '.join(hits)
`,
    on: [mbppLike],
    expected: ['WA'],
  },
  {
    name: 'replace builtins, AssertionError and the helpers the tests call',
    code: `${STUBS}
import builtins
builtins.len = lambda x: 2
builtins.str = lambda x: '42'
builtins.sorted = lambda x: x
class Never(BaseException): pass
builtins.AssertionError = Never
def is_same_list(a, b): return True
def list_node(v): return None
def helper(x): return 4
def check(candidate): return None
candidate = lambda *a: True
`,
    expected: ['WA'],
  },
  {
    name: 'kill or stop the evaluator and every other process',
    code: `${STUBS}
import os, signal
for p in os.listdir('/proc'):
    if p.isdigit() and int(p) != os.getpid():
        for s in (signal.SIGSTOP, signal.SIGKILL):
            try: os.kill(int(p), s)
            except OSError: pass
`,
    expected: ['WA'],
  },
  {
    name: 'exit 0 at import, os._exit(0) inside the call',
    code: `import sys\nsys.exit(0)\n`,
    expected: ['WA'],
  },
  {
    name: 'os._exit(0) inside the call',
    code: STUBS.replace(/return (xs|s|x|head)\n/g, 'import os; os._exit(0)\n'),
    expected: ['WA', 'RE'],
  },
  // 4. making the host throw or fail: huge, deep and malformed values, floods on the channel
  {
    name: 'an integer with 20,000 digits',
    code: everyFunctionReturns(STUBS, '10 ** 20000 + 7'),
    expected: ['WA'],
  },
  {
    name: 'a list nested 100,000 deep',
    code: everyFunctionReturns(STUBS + 'def _deep():\n    x = []\n    for _ in range(100000): x = [x]\n    return x\n', '_deep()'),
    expected: ['WA'],
  },
  {
    name: 'a reply over the cap on the channel',
    code: everyFunctionReturns(STUBS, "'x' * (64 << 20)"),
    expected: ['OLE', 'MLE', 'WA'],
  },
  {
    name: 'garbage on every descriptor, then a normal wrong answer',
    code: `import os\nfor fd in range(0, 64):\n    try: os.write(fd, b'\\xff\\xfe{{{"ret": 9}\\n\\x00\\x00\\x00\\x05hello')\n    except OSError: pass\n${STUBS}`,
    expected: ['WA', 'RE', 'OLE'],
  },
];

function attempt(r: RunReport): number {
  return Math.max(...r.tests.map((t) => t.attempts));
}

for (const mode of ['process', 'fork'] as Mode[]) {
  describe(`reward attacks, ${mode} mode`, () => {
    test('honest programs stay AC', async () => {
      for (const [p, code] of [
        [mbppLike, MBPP_OK],
        [heLike, HE_OK],
        [lcLike, LC_OK],
        [callLike, CALL_OK],
      ] as const) {
        const r = await sandbox.runTests(p, code, { tests: 'all', mode, limits: FAST });
        assert.equal(r.verdict, 'AC', `${p.id}: ${r.tests.find((t) => t.verdict !== 'AC')?.detail}`);
      }
    });
    for (const a of ATTACKS) {
      test(a.name, async () => {
        for (const p of a.on ?? [...ALL_ASSERT, callLike]) {
          const r = await sandbox.runTests(p, a.code, { tests: 'all', mode, limits: FAST });
          const bad = r.tests.find((t) => t.verdict !== 'AC');
          assert.notEqual(r.verdict, 'AC', `${p.id}: the attack passed`);
          assert.ok(a.expected.includes(r.verdict), `${p.id}: expected ${a.expected.join('/')}, got ${r.verdict}: ${bad?.detail}`);
          assert.equal(attempt(r), 1, `${p.id}: a program's run must never look like an infrastructure failure`);
        }
      });
    }
  });
}

// 5. provoking an infrastructure error (IE is retried, then scored as a failure — it must not be the
// program's to cause): IPC objects and files that outlive the program and squeeze the runner's memory.
const IPC = `${STUBS}
import ctypes, os, mmap
libc = ctypes.CDLL(None, use_errno=True)
made = []
for i in range(64):  # SysV shared memory: as many and as large segments as the kernel allows, touched
    sid = libc.shmget(0, 64 << 20, 0o1600)
    if sid < 0:
        sid = libc.shmget(0, 8 << 20, 0o1600)
    if sid < 0:
        break
    made.append(('shm', sid, ctypes.get_errno()))
    libc.shmat.restype = ctypes.c_void_p
    addr = libc.shmat(sid, None, 0)
    if addr not in (None, ctypes.c_void_p(-1).value):
        ctypes.memset(addr, 1, 8 << 20)
for i in range(32):  # SysV message queues, filled
    q = libc.msgget(0, 0o1600)
    if q < 0:
        break
    buf = ctypes.create_string_buffer(8 + 4096)
    buf[0] = 1
    while libc.msgsnd(q, buf, 4096, 0o4000) == 0:  # IPC_NOWAIT
        pass
for i in range(16):
    libc.semget(0, 8, 0o1600)
rt = ctypes.CDLL('librt.so.1', use_errno=True)
for i in range(8):  # POSIX message queues
    rt.mq_open(('/q%d' % i).encode(), os.O_CREAT | os.O_RDWR, 0o600, None)
for d in ('/tmp', '/work', '/dev/shm'):  # the tmpfs dirs, full
    try:
        with open(d + '/fill', 'wb') as f:
            while True:
                f.write(b'x' * (1 << 20))
    except OSError:
        pass
`;

const PROBE = String.raw`
import os
left = []
for k in ('shm', 'msg', 'sem'):
    left += ['sysv %s' % l.split()[1] for l in open('/proc/sysvipc/' + k).read().strip().split('\n')[1:]]
try:
    left += ['mqueue ' + n for n in os.listdir('/dev/mqueue')]
except OSError:
    pass
for d in ('/work', '/tmp', '/dev/shm'):
    left += ['%s/%s' % (d, n) for n in os.listdir(d)]
print('clean' if not left else 'LEFT ' + ' '.join(left))
`;
const probe = problemSchema.parse({ id: 'probe', prompt: '', style: 'stdio', public_tests: [{ input: '', output: 'clean\n' }], private_tests: [] });

describe('provoked infrastructure errors', () => {
  for (const mode of ['process', 'fork'] as Mode[]) {
    test(`IPC objects, message queues and full tmpfs dirs left behind, ${mode} mode: a verdict, not IE; the next run is clean`, async () => {
      for (const p of [mbppLike, callLike]) {
        const r = await sandbox.runTests(p, IPC, { mode, limits: { ...FAST, memoryBytes: 128 << 20 } });
        assert.ok(['WA', 'MLE', 'RE'].includes(r.verdict), `${p.id}: ${r.verdict}: ${r.tests[0]?.detail}`);
        assert.equal(attempt(r), 1, `${p.id}: provoked an infrastructure failure: ${r.tests[0]?.detail}`);
        for (let i = 0; i < 2; i++) {
          // both containers of the pool
          const clean = await sandbox.runTests(probe, PROBE, { mode });
          assert.equal(clean.verdict, "AC", `left behind: ${clean.tests[0]?.stdout} ${clean.tests[0]?.detail}`);
        }
        assert.equal((await sandbox.runTests(p, p === mbppLike ? MBPP_OK : CALL_OK, { mode })).verdict, 'AC');
      }
    });
  }
  test('no POSIX message queue can be made at all', async () => {
    const code = "import ctypes, os\nrt = ctypes.CDLL('librt.so.1', use_errno=True)\nq = rt.mq_open(b'/x', os.O_CREAT | os.O_RDWR, 0o600, None)\nprint('refused' if q < 0 else 'made')\n";
    const p = problemSchema.parse({ id: 'mq', prompt: '', style: 'stdio', public_tests: [{ input: '', output: 'refused\n' }], private_tests: [] });
    const r = await sandbox.runTests(p, code);
    assert.equal(r.verdict, 'AC', r.tests[0]?.stdout + r.tests[0]?.stderr);
  });
});

// Fork mode forks programs from the runner: nothing of an earlier run's tests may be left in its memory
// (the eval_* blobs and the evaluator's report, which quotes a failing assert, are zeroed after use).
const SCAN_OWN_MEMORY = String.raw`
import ctypes, re
found = set()
try:
    maps = open('/proc/self/maps').read().splitlines()
except OSError:
    maps = []
for line in maps:
    parts = line.split()
    if len(parts) < 5 or 'r' not in parts[1] or (len(parts) > 5 and parts[5].startswith('[v')):
        continue
    a, b = (int(x, 16) for x in parts[0].split('-'))
    if b - a > 1 << 28:
        continue
    try:
        chunk = ctypes.string_at(a, b - a)
    except Exception:
        continue
    found.update(m.group(0) for m in re.finditer(rb'leak-[0-9]{6}', chunk))
print(b' '.join(sorted(found)).decode() or 'nothing')
`;

/** A few forked programs (both containers of the pool) scan their memory for leak-NNNNNN. */
async function expectNothingInForkedMemory(): Promise<void> {
  const probe = problemSchema.parse({ id: 'scan', prompt: '', style: 'stdio', public_tests: [{ input: '', output: 'nothing\n' }], private_tests: [] });
  for (let i = 0; i < 4; i++) {
    const r = await sandbox.runTests(probe, SCAN_OWN_MEMORY, { mode: 'fork', limits: { cpuS: 5, wallS: 10 } });
    assert.equal(r.verdict, 'AC', `a forked program found ${r.tests[0]?.stdout.trim()} (${r.tests[0]?.detail})`);
  }
}

describe('what fork mode can find in its own memory', () => {
  test("no earlier run's test text (code, expected values, failure reports) in a forked program's memory", async () => {
    const secrets = Array.from({ length: 6 }, (_, i) => `leak-${String(314159 + i)}`);
    for (const s of secrets) {
      const p = problemSchema.parse({ id: 'leak', prompt: '', style: 'assert', test_code: `SETUP = "${s}"`, public_tests: [{ input: `assert f(1) == "${s}"`, output: '' }], private_tests: [] });
      const r = await sandbox.runTests(p, 'def f(x):\n    return "wrong"\n', { mode: 'fork' });
      assert.equal(r.verdict, 'WA'); // the report quotes the assert with the secret
      assert.match(r.tests[0].traceback ?? '', new RegExp(s));
    }
    await expectNothingInForkedMemory();
  });
});

describe('what fork mode can find of other programs', () => {
  test("no earlier program's output (a right answer to copy) in a forked program's memory", async () => {
    // Program A answers correctly on stdout (and in a call-style return value); program B, forked later on
    // the same containers, looks for A's answers in its own memory to print them.
    const secrets = Array.from({ length: 4 }, (_, i) => `leak-${String(271828 + i)}`);
    const stdio = problemSchema.parse({ id: 'out', prompt: '', style: 'stdio', public_tests: [{ input: '', output: 'x\n' }], private_tests: [] });
    const call = problemSchema.parse({ id: 'ret', prompt: '', style: 'call', fn_name: 'f', public_tests: [{ input: '1\n', output: '"x"' }], private_tests: [] });
    for (const s of secrets) {
      await sandbox.runTests(stdio, `print("${s}")\nimport sys\nprint("${s}", file=sys.stderr)\n`, { mode: 'fork' });
      await sandbox.runTests(call, `def f(x):\n    print("${s}")\n    return "${s}"\n`, { mode: 'fork' });
    }
    await expectNothingInForkedMemory();
  });
});

describe('strict selection', () => {
  test('zero tests is never a verdict', async () => {
    const none = problemSchema.parse({ ...mbppLike, private_tests: [] });
    await assert.rejects(sandbox.runTests(none, MBPP_OK, { tests: 'private' }), NoTestsError);
    await assert.rejects(sandbox.runTests(mbppLike, MBPP_OK, { indices: [] }), NoTestsError);
  });
});
