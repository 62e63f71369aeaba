// The sandbox's seccomp profile (src/sandbox/seccomp.ts) in the real sandbox: the engine accepts it, each
// denied call a program makes through ctypes fails with EPERM (where Docker's default profile would let
// io_uring and ptrace through), clone3 says ENOSYS so glibc falls back to clone, and an ordinary program
// with threads, a multiprocessing Pool and numpy is unaffected.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox } from '../../src/sandbox';
import { DENIED_SYSCALLS, SECCOMP_PROFILE } from '../../src/sandbox/seccomp';
import { problemSchema, type Problem } from '../../src/data/problem';

let sandbox: Sandbox;
before(async () => {
  sandbox = await Sandbox.start({ size: 1 });
});
after(async () => {
  await sandbox?.close();
});

function stdio(output: string): Problem {
  return problemSchema.parse({ id: 'seccomp', prompt: '', style: 'stdio', public_tests: [{ input: '', output }], private_tests: [] });
}

/** A program that makes one raw syscall and prints its return value and errno. */
function syscall(nr: number, args: string): string {
  return [
    'import ctypes',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'buf = ctypes.create_string_buffer(256)',
    `r = libc.syscall(${nr}, ${args})`,
    `if r == 0 and ${nr} == 56:`,
    '    import os; os._exit(0)  # a clone child, should the call ever succeed',
    'print(r, ctypes.get_errno())',
  ].join('\n');
}

const EPERM = '-1 1\n';

// x86_64 numbers; arguments a real caller would pass (without the filter most would succeed or fail otherwise).
const DENIED: [string, number, string][] = [
  ['io_uring_setup', 425, '8, buf'],
  ['io_uring_enter', 426, '-1, 0, 0, 0, 0, 0'],
  ['io_uring_register', 427, '-1, 0, 0, 0'],
  ['bpf', 321, '0, buf, 48'],
  ['userfaultfd', 323, '0'],
  ['perf_event_open', 298, 'buf, 0, -1, -1, 0'],
  ['ptrace (PTRACE_TRACEME)', 101, '0, 0, 0, 0'],
  ['unshare (CLONE_NEWUSER)', 272, '0x10000000'],
  ['clone (CLONE_NEWUSER | SIGCHLD)', 56, '0x10000011, 0, 0, 0, 0'],
  ['keyctl', 250, '0, 0, 0, 0, 0'],
  ['process_vm_readv', 310, '1, buf, 1, buf, 1, 0'],
];

test('the profile is Docker seccomp JSON: allow by default, the brief\'s calls denied with EPERM on x86_64/x86/x32', () => {
  const p = JSON.parse(SECCOMP_PROFILE);
  assert.equal(p.defaultAction, 'SCMP_ACT_ALLOW');
  assert.deepEqual(p.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  const eperm = new Set(p.syscalls.filter((r: any) => r.errnoRet === 1 && !r.args).flatMap((r: any) => r.names));
  for (const name of 'io_uring_setup io_uring_enter io_uring_register bpf userfaultfd perf_event_open keyctl add_key request_key ptrace process_vm_readv process_vm_writev unshare setns mount umount2 pivot_root kexec_load kexec_file_load init_module finit_module delete_module open_by_handle_at name_to_handle_at'.split(' '))
    assert.ok(eperm.has(name), name);
  assert.equal(new Set(DENIED_SYSCALLS).size, DENIED_SYSCALLS.length, 'no name twice');
  assert.deepEqual(p.syscalls.find((r: any) => r.names.includes('clone3')), { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
});

describe('seccomp in the sandbox', () => {
  for (const [name, nr, args] of DENIED) {
    test(`${name} fails with EPERM`, async () => {
      const r = await sandbox.runTests(stdio(EPERM), syscall(nr, args));
      assert.equal(r.verdict, 'AC', `${name}: ${r.tests[0].detail}\nstdout: ${r.tests[0].stdout}\nstderr: ${r.tests[0].stderr}`);
    });
  }

  test('clone3 fails with ENOSYS (so glibc falls back to clone)', async () => {
    const r = await sandbox.runTests(stdio('-1 38\n'), syscall(435, '0, 0'));
    assert.equal(r.verdict, 'AC', `${r.tests[0].detail}\nstdout: ${r.tests[0].stdout}\nstderr: ${r.tests[0].stderr}`);
  });

  test('an ordinary program (threads, a multiprocessing Pool, numpy, subprocess) still gets AC', async () => {
    const code = [
      'import multiprocessing, subprocess, threading',
      'import numpy as np',
      'out = []',
      't = threading.Thread(target=lambda: out.append(sum(range(10))))',
      't.start(); t.join()',
      'with multiprocessing.Pool(2) as pool:',
      '    squares = pool.map(abs, [-1, -2, -3])',
      'a = np.arange(12).reshape(3, 4)',
      "echo = subprocess.run(['echo', 'ok'], capture_output=True, text=True).stdout.strip()",
      'print(out[0], sum(squares), int((a @ a.T).trace()), echo)',
    ].join('\n');
    const r = await sandbox.runTests(stdio('45 6 506 ok\n'), code);
    assert.equal(r.verdict, 'AC', `${r.tests[0].detail}\nstdout: ${r.tests[0].stdout}\nstderr: ${r.tests[0].stderr}`);
  });
});
