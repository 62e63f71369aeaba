# The container's state as the runner sees it (mars2 sandbox): CPU time and OOM kills from the container's
# cgroup (v1 or v2), and the cleanup after every run — kill every other process (but a kept evaluator), wipe the scratch dirs as
# the program's uid, remove the SysV IPC objects and POSIX message queues it left. Imported by docker/runner.py.
import os
import time

import harness

PROGRAM_UID = 65534
EVAL_UID = 65533  # evaluator.EVAL_UID
SCRATCH_DIRS = ('/work', '/tmp', '/dev/shm')


# ---- cgroup counters -----------------------------------------------------------------------------

def _first(paths):
    for p in paths:
        if os.path.exists(p):
            return p
    return None


CPU_V1 = _first(['/sys/fs/cgroup/cpuacct/cpuacct.usage', '/sys/fs/cgroup/cpu,cpuacct/cpuacct.usage'])
CPU_V2 = None if CPU_V1 else _first(['/sys/fs/cgroup/cpu.stat'])
OOM_FILE = _first(['/sys/fs/cgroup/memory/memory.oom_control', '/sys/fs/cgroup/memory.events'])


_FDS = {}


def _pread(path):
    """The file's contents, read through a descriptor kept open (an open per read costs ~50 µs here, and
    the runner reads the CPU counter at every wake-up). Close-on-exec, and closed in every child."""
    fd = _FDS.get(path)
    if fd is None:
        fd = _FDS[path] = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    return os.pread(fd, 4096, 0).decode()


def cgroup_cpu_s():
    try:
        if CPU_V1:
            return int(_pread(CPU_V1)) / 1e9
        if CPU_V2:
            for line in _pread(CPU_V2).splitlines():
                if line.startswith('usage_usec '):
                    return int(line.split()[1]) / 1e6
    except (OSError, ValueError):
        pass
    return None


def oom_kills():
    if not OOM_FILE:
        return None
    try:
        for line in _pread(OOM_FILE).splitlines():
            if line.startswith('oom_kill '):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


# ---- cleanup -------------------------------------------------------------------------------------

def other_processes(spare=None):
    me = os.getpid()
    out = []
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        pid = int(name)
        if pid in (1, me, spare):
            continue
        try:
            with open('/proc/%d/stat' % pid) as f:
                state = f.read().rsplit(')', 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ('Z', 'X'):
            out.append(pid)
    return out


def kill_programs():
    """SIGKILL to every process of the program's uid and to none of the evaluator's: kill(-1) with the
    program's euid, hence no effective capabilities; the real and saved uids stay root, so no program can
    signal us meanwhile."""
    os.setresuid(0, PROGRAM_UID, 0)
    try:
        os.kill(-1, 9)
    except OSError:
        pass
    finally:
        os.setresuid(0, 0, 0)


def kill_all(spare=None):
    """SIGKILLs every process but docker-init, us and `spare` (a kept evaluator: then only the program's uid
    is signalled). Root + CAP_KILL: kill(-1) reaches them all."""
    deadline = time.monotonic() + 2.0
    while True:
        if spare:
            kill_programs()
        else:
            try:
                os.kill(-1, 9)
            except ProcessLookupError:
                pass
        reap()
        left = other_processes(spare)
        if not left:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def scratch_dirty():
    for d in SCRATCH_DIRS:
        try:
            if os.listdir(d):
                return True
        except OSError:
            return True
    return False


def wipe_scratch():
    """Removes the files of a run as their owners (the program's uid, the evaluator's), whatever modes."""
    for uid in (PROGRAM_UID, EVAL_UID):
        as_uid(uid, lambda _: [harness.wipe_tree(d) for d in SCRATCH_DIRS])


MQUEUE_DIR = '/dev/mqueue'


def _sysv_objects():
    """(kind, id, uid) of every SysV IPC object in the container's IPC namespace."""
    out = []
    for kind in ('shm', 'msg', 'sem'):
        try:
            with open('/proc/sysvipc/' + kind) as f:
                lines = f.read().strip().split('\n')
        except OSError:
            continue
        head = lines[0].split()
        if 'uid' not in head:
            continue
        i_id, i_uid = 1, head.index('uid')
        for line in lines[1:]:
            cols = line.split()
            if len(cols) > i_uid:
                out.append((kind, int(cols[i_id]), int(cols[i_uid])))
    return out


def _mqueues():
    try:
        return os.listdir(MQUEUE_DIR)
    except OSError:
        return []


def ipc_left():
    return bool(_sysv_objects() or _mqueues())


def remove_ipc():
    """Removes the SysV objects and POSIX message queues a run left, each as its owner (IPC_RMID needs the
    owner's uid; the runner has no CAP_IPC_OWNER). Returns how many there were."""
    objs = _sysv_objects()
    queues = _mqueues()
    if not objs and not queues:
        return 0
    uids = {uid for _, _, uid in objs}
    for name in queues:
        try:
            uids.add(os.stat(os.path.join(MQUEUE_DIR, name)).st_uid)
        except OSError:
            pass
    def remove_own(uid):
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        for kind, ident, owner in objs:
            if owner != uid:
                continue
            if kind == 'shm':
                libc.shmctl(ident, 0, None)  # IPC_RMID
            elif kind == 'msg':
                libc.msgctl(ident, 0, None)
            else:
                libc.semctl(ident, 0, 0)
        for name in queues:
            try:
                os.unlink(os.path.join(MQUEUE_DIR, name))
            except OSError:
                pass

    for uid in uids:
        as_uid(uid, remove_own)
    return len(objs) + len(queues)


def as_uid(uid, fn):
    """fn(uid) in a forked child that has become uid; waits for it."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            fn(uid)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def remove_run_dir(run_dir):
    if not os.path.isdir(run_dir):
        return
    for name in os.listdir(run_dir):
        os.unlink(os.path.join(run_dir, name))
    os.rmdir(run_dir)


def drop_privileges():
    os.setgroups([])
    os.setgid(PROGRAM_UID)
    os.setuid(PROGRAM_UID)
