// The sandbox containers' seccomp profile (Docker's format: `SecurityOpt: ['seccomp=<json>']`, which replaces
// Docker's default profile). A deny list over defaultAction SCMP_ACT_ALLOW: acceptable here because the
// container runs with every capability dropped but SETUID, SETGID and KILL (the runner's), under
// no-new-privileges, so the kernel already refuses what Docker's allow list gates on a capability; this
// profile removes the kernel attack surface a Python program never needs, and blocks what an unprivileged
// process could still do (user namespaces through unshare/clone, io_uring, userfaultfd, bpf, keyrings).
//
// Denied with EPERM, on x86_64 and its x86/x32 sub-architectures (as Docker's profile lists them; a filter
// without them would let `int 0x80` reach the x86 table):
//   - everything Docker's default profile denies a container without CAP_SYS_ADMIN, CAP_SYS_PTRACE,
//     CAP_SYS_MODULE, CAP_SYS_TIME, CAP_SYS_NICE, CAP_SYS_RAWIO, CAP_SYS_BOOT, CAP_SYS_CHROOT, CAP_SYS_PACCT,
//     CAP_SYSLOG, CAP_SYS_TTY_CONFIG, CAP_DAC_READ_SEARCH, CAP_BPF, CAP_PERFMON, and every syscall it does
//     not list (moby profiles/seccomp/default.json, x86_64);
//   - beyond it: io_uring_* (allowed by Docker before 25.0; a steady source of kernel bugs), ptrace and
//     process_vm_* (allowed by Docker on kernels ≥ 4.8), name_to_handle_at, and the mount-API and
//     mount-listing calls newer than that profile;
//   - clone with any namespace flag (CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET, Docker's
//     mask 0x7E020000), one rule per flag since a rule can only test (arg & mask) == value;
//   - socket(AF_VSOCK, …), as Docker does.
// clone3 fails with ENOSYS, as in Docker's profile: seccomp cannot read its flags (they are in memory), and
// glibc falls back to clone only on ENOSYS, so threads and fork keep working.
// Not covered: personality() (Docker allows only a few values; a rule cannot express "none of these", and
// a changed personality affects only the program itself); syscalls unknown to the engine's libseccomp are
// skipped by runc, not refused, so on an old engine a newer call in the list is simply allowed.
// Needs Docker ≥ 20.10 (errnoRet). test/sandbox/seccomp.test.ts runs the denied calls in the real sandbox.

const EPERM = 1;
const ENOSYS = 38;
const AF_VSOCK = 40;

/** Namespace flags of clone(2) (arg 0 on x86): CLONE_NEWNS … CLONE_NEWNET, Docker's mask 0x7E020000. */
const CLONE_NAMESPACE_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];

/** Syscalls a Python program never needs, denied outright (EPERM). */
export const DENIED_SYSCALLS: readonly string[] = [
  // namespaces and mounts (CAP_SYS_ADMIN in Docker's profile; unshare/setns work unprivileged via user namespaces)
  'unshare', 'setns', 'mount', 'umount', 'umount2', 'pivot_root', 'chroot',
  'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount', 'open_tree', 'open_tree_attr', 'mount_setattr',
  'statmount', 'listmount',
  // kernel attack surface reachable without privileges
  'io_uring_setup', 'io_uring_enter', 'io_uring_register', 'bpf', 'userfaultfd', 'perf_event_open',
  'keyctl', 'add_key', 'request_key',
  // other processes' memory and files
  'ptrace', 'process_vm_readv', 'process_vm_writev', 'kcmp', 'pidfd_getfd', 'process_madvise',
  'open_by_handle_at', 'name_to_handle_at',
  // modules, kexec, reboot, accounting, swap, quotas, logs, host names
  'init_module', 'finit_module', 'delete_module', 'create_module', 'query_module', 'get_kernel_syms',
  'kexec_load', 'kexec_file_load', 'reboot', 'acct', 'swapon', 'swapoff', 'quotactl', 'quotactl_fd',
  'syslog', 'sethostname', 'setdomainname', 'lookup_dcookie', 'fanotify_init', 'vhangup',
  // clocks, raw I/O ports, NUMA policy (CAP_SYS_TIME, CAP_SYS_RAWIO, CAP_SYS_NICE in Docker's profile)
  'settimeofday', 'stime', 'clock_settime', 'clock_settime64', 'iopl', 'ioperm',
  'mbind', 'set_mempolicy', 'get_mempolicy', 'set_mempolicy_home_node', 'migrate_pages', 'move_pages',
  // obsolete or never implemented (not in Docker's list)
  '_sysctl', 'sysfs', 'uselib', 'ustat', 'nfsservctl', 'vm86', 'vm86old',
  'afs_syscall', 'getpmsg', 'putpmsg', 'tuxcall', 'security', 'vserver',
];

interface Rule {
  names: string[];
  action: 'SCMP_ACT_ERRNO';
  errnoRet: number;
  args?: { index: number; value: number; valueTwo: number; op: 'SCMP_CMP_MASKED_EQ' | 'SCMP_CMP_EQ' }[];
}

const rules: Rule[] = [
  { names: [...DENIED_SYSCALLS], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM },
  // MASKED_EQ: value is the mask, valueTwo what (arg & mask) must equal
  ...CLONE_NAMESPACE_FLAGS.map((flag): Rule => ({
    names: ['clone'],
    action: 'SCMP_ACT_ERRNO',
    errnoRet: EPERM,
    args: [{ index: 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' }],
  })),
  { names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, args: [{ index: 0, value: AF_VSOCK, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
  { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
];

export const SECCOMP_PROFILE: string = JSON.stringify({
  defaultAction: 'SCMP_ACT_ALLOW',
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  syscalls: rules,
});
