# The trusted in-container runner (mars2 sandbox, DESIGN §6.4, sandbox.md §9.1).
#
# It is the container's main process (under docker-init), running as root with only SETUID, SETGID and
# KILL. It speaks a framed protocol with the host over the container's attach stream (fd 0 in, fd 1 out;
# fd 2 is its log) and runs each program as uid 65534 in a new session, with rlimits, stdin from a file,
# stdout/stderr/result pipes read with caps, CPU time from the container's cgroup and a wall deadline.
# After every run it kills every other process in the container, wipes the scratch dirs and reports
# anything left behind as an anomaly (the pool then recycles the container).
# Assert-style tests run in a second child, the trusted evaluator (evaluator.py, its own uid): its code
# arrives in blobs named eval_* that are kept in this process's memory, never on disk, are handed to the
# evaluator by fork and zeroed here before the program is forked (fork mode must not find them in its heap).
#
# Frame (both directions): u32 BE header length, u32 BE payload length, JSON header, payload. The header's
# `blobs` lists [name, size] pairs; the payload is those blobs back to back. The host may send several run
# requests back to back; they wait in the stream, unread, and are read one at a time, each after the
# previous run's answer, so this process's memory holds one run's tests at a time. After a run with an
# anomaly or a setup error, later runs are answered `not_run` (the container is about to be recycled).
import json
import os
import resource
import select
import struct
import sys
import time

sys.path.insert(0, '/opt/mars2')
import harness  # noqa: E402  (trusted)
import evaluator  # noqa: E402  (trusted)
from container_state import (  # noqa: E402
    CPU_V1, CPU_V2, OOM_FILE, cgroup_cpu_s, drop_privileges, ipc_left, kill_all, kill_programs, oom_kills, remove_ipc, remove_run_dir,
    scratch_dirty, wipe_scratch)

# What fork mode keeps warm: imported once here, shared by every forked program.
import array, bisect, collections, copy, dataclasses, decimal, fractions, functools, heapq  # noqa: E401,E402,F401
import io, itertools, math, operator, random, re, statistics, string, threading, typing, atexit  # noqa: E401,E402,F401

PROTOCOL = 1
RUN_ROOT = '/run/sb'
PYTHON = '/usr/bin/python3'
ENV = {
    'PATH': '/usr/local/bin:/usr/bin:/bin',
    'HOME': '/tmp',
    'TMPDIR': '/tmp',
    'LANG': 'C.UTF-8',
    'OPENBLAS_NUM_THREADS': '1',
    'OMP_NUM_THREADS': '1',
}

proto_in = os.dup(0)
proto_out = os.dup(1)
_null = os.open('/dev/null', os.O_RDWR)
os.dup2(_null, 0)
os.dup2(_null, 1)
os.close(_null)
os.set_inheritable(proto_in, False)
os.set_inheritable(proto_out, False)


def log(msg):
    os.write(2, ('runner: %s\n' % msg).encode())


# ---- framing -------------------------------------------------------------------------------------

def read_exact(n):
    parts = []
    while n > 0:
        b = os.read(proto_in, min(n, 1 << 20))
        if not b:
            raise EOFError('host closed the stream')
        parts.append(b)
        n -= len(b)
    return b''.join(parts)


def write_all(parts):
    """One writev for the whole frame where the stream takes it (each write is a hop through Docker)."""
    views = [memoryview(p).cast('B') for p in parts if len(p)]
    while views:
        n = os.writev(proto_out, views)
        while views and n >= len(views[0]):
            n -= len(views[0])
            views.pop(0)
        if n:
            views[0] = views[0][n:]


def send(header, blobs=()):
    header = dict(header)
    header['blobs'] = [[name, len(data)] for name, data in blobs]
    h = json.dumps(header).encode()
    total = sum(len(d) for _, d in blobs)
    write_all([struct.pack('>II', len(h), total) + h] + [data for _, data in blobs])


def read_request(run_dir):
    """Reads one frame; blobs go straight to files in run_dir (created when the header has blobs), except
    eval_* blobs (the evaluator's test code), read into bytearrays in header['secret'] without copies."""
    hlen, plen = struct.unpack('>II', read_exact(8))
    header = json.loads(read_exact(hlen))
    blobs = header.get('blobs', [])
    if sum(size for _, size in blobs) != plen:
        raise ValueError('blob sizes do not add up to the payload length')
    os.mkdir(run_dir, 0o755)
    header['secret'] = {}
    for name, size in blobs:
        if '/' in name or name.startswith('.'):
            raise ValueError('bad blob name %r' % name)
        if name.startswith('eval_'):
            buf = bytearray(size)
            view = memoryview(buf)
            got = 0
            while got < size:
                n = os.readv(proto_in, [view[got:]])
                if n == 0:
                    raise EOFError('host closed the stream mid-frame')
                got += n
            header['secret'][name[5:]] = buf
            continue
        fd = os.open(os.path.join(run_dir, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        view = memoryview(STAGING)
        used = 0
        try:
            left = size
            while left > 0:
                n = os.readv(proto_in, [view[:min(left, len(STAGING))]])
                if n == 0:
                    raise EOFError('host closed the stream mid-frame')
                used = max(used, n)
                os.write(fd, view[:n])
                left -= n
        finally:
            os.close(fd)
            zero(STAGING, used)  # another program's source or input must not be found in a later fork
    return header


# Every byte of a program, its input or its output passes through buffers that are zeroed after use:
# fork mode forks programs from this process, and one must not find another's answer in its memory.
STAGING = bytearray(1 << 20)


_BUFFERS = {}


def buffer(name, size):
    """A buffer kept across runs (allocating and zeroing megabytes per run costs more than the run)."""
    buf = _BUFFERS.get(name)
    if buf is None or len(buf) < size:
        if buf is not None:
            zero(buf)
        buf = _BUFFERS[name] = bytearray(size)
    return buf


def zero(buf, n=None):
    n = len(buf) if n is None else n
    buf[:n] = bytes(n)


# ---- one run -------------------------------------------------------------------------------------

def child(req, run_dir, fds):
    """In the forked child: become the program. Never returns."""
    try:
        os.setsid()
        with open('/proc/self/oom_score_adj', 'w') as f:
            f.write('1000')  # the program, never the runner, is the OOM killer's choice
        stdin_path = os.path.join(run_dir, 'stdin')
        stdin_fd = os.open(stdin_path if os.path.exists(stdin_path) else '/dev/null', os.O_RDONLY)
        for target, fd in ((0, stdin_fd), (1, fds['out']), (2, fds['err']), (3, fds['res']), (4, fds['nonce']),
                           (5, fds['ctl'])):
            os.dup2(fd, target)
        os.closerange(6, 65536)
        os.set_inheritable(5, False)  # the setup-error channel closes at execve, before the program runs
        lim = req['limits']
        cpu = int(lim['cpu_s']) + 2  # backstop only; the runner enforces the exact limit from the cgroup
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (lim['fsize_bytes'], lim['fsize_bytes']))
        resource.setrlimit(resource.RLIMIT_NOFILE, (lim['nofile'], lim['nofile']))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_STACK, (lim['stack_bytes'], lim['stack_bytes']))
        resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))  # no POSIX message queues (they outlive the run)
        os.chdir('/work')
        drop_privileges()
        spec = {k: req.get(k) for k in ('style', 'fn_name', 'entry_point')}
        if spec['style'] in ('assert', 'call'):  # the program answers the trusted evaluator's calls
            if spec['style'] == 'call':
                spec['entry_point'] = spec['fn_name']
            spec['style'] = 'serve'
        spec['dir'] = run_dir
        if req.get('mode') == 'fork':
            os.environ.clear()
            os.environ.update(ENV)
            os.close(5)
            harness.run_forked(spec)  # exits
        argv = [spec['style'], run_dir, spec.get('fn_name') or '', spec.get('entry_point') or '']
        os.execve(PYTHON, [PYTHON, '-I', '-B', '/opt/mars2/harness.py'] + argv, ENV)
    except BaseException as e:  # noqa: BLE001 — report on the setup channel (not the program's stderr) and leave
        try:
            os.write(5, ('%r' % (e,)).encode()[:2000])
        finally:
            os._exit(127)
    os._exit(127)


def evaluator_child(req, secret, fds, keep):
    """In the forked child: become the trusted evaluator (its own uid, no program code). Never returns."""
    try:
        null = os.open('/dev/null', os.O_RDWR)
        for target in (0, 1, 2):
            os.dup2(null, target)
        lo = 3
        for fd in sorted(keep):
            os.closerange(lo, fd)
            lo = fd + 1
        os.closerange(lo, 65536)
        cpu = int(req['limits']['cpu_s']) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.setgroups([])
        os.setgid(evaluator.EVAL_UID)
        os.setuid(evaluator.EVAL_UID)
        blobs = {k: bytes(v).decode('utf-8', 'replace') for k, v in secret.items()}
        spec = {'style': req['style'], 'tests': int(req.get('tests', 1)), 'result_bytes': req['limits']['result_bytes'],
                'entry_point': req.get('fn_name') if req['style'] == 'call' else req.get('entry_point')}
        evaluator.main(spec, blobs, fds)  # exits
    finally:
        os._exit(126)


class Evaluator:
    """The trusted evaluator of the requests the host names alike (`evaluator`: the same tests, limits and
    entry point), forked with their eval_* blobs and kept for the next such request, so that a program costs
    one fork, not two. It serves one program at a time, over channel pipes sent on its control socket, and is
    replaced after a run that did not end cleanly (a limit, a death, an anomaly), after MAX_SERVED programs,
    or when it has used EVAL_CPU_S of CPU (its RLIMIT_CPU backstop stays out of reach of the next run)."""
    MAX_SERVED = 64
    EVAL_CPU_S = 1.0
    current = None

    def __init__(self, req):
        import socket
        self.socket = socket
        self.token = req.get('evaluator')
        self.served = 0
        control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        report = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            fds = {'control': theirs.fileno(), 'report': report[1]}
            evaluator_child(req, req['secret'], fds, set(fds.values()))
        theirs.close()
        os.close(report[1])
        self.control = control
        self.report = report[0]
        self.pidfd = os.pidfd_open(self.pid)
        self.status = None

    @classmethod
    def for_request(cls, req):
        """The kept evaluator if this request shares its name and it has room, else a new one. Either way
        the request's eval_* blobs are zeroed here, before any program is forked."""
        ev = cls.current
        if ev is not None and not (req.get('evaluator') and ev.token == req.get('evaluator') and ev.served < cls.MAX_SERVED
                                   and ev.alive() and ev.cpu_s() < cls.EVAL_CPU_S):
            ev.stop()
            ev = None
        if ev is None:
            ev = cls.current = cls(req)
        for buf in req['secret'].values():
            buf[:] = bytes(len(buf))  # zeroed before the program is forked
        req['secret'].clear()
        ev.served += 1
        return ev

    def alive(self):
        return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None

    def give(self, to_program, from_program):
        self.socket.send_fds(self.control, [b'p'], [to_program, from_program])

    def cpu_s(self):
        try:
            with open('/proc/%d/stat' % self.pid) as f:
                fields = f.read().rsplit(')', 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
        except (OSError, IndexError, ValueError):
            return float('inf')

    def reaped(self, status):
        """Its status, once the run loop has reaped it (it died, or was killed with the run)."""
        self.status = status
        self.stop()

    def stop(self):
        if Evaluator.current is self:
            Evaluator.current = None
        if self.status is None:
            try:
                os.kill(self.pid, 9)
            except OSError:
                pass
            _, self.status, _ = os.wait4(self.pid, 0)
        for close in (self.control.close, lambda: os.close(self.report), lambda: os.close(self.pidfd)):
            try:
                close()
            except OSError:
                pass


def run(req, run_dir):
    lim = req['limits']
    assert_style = req.get('style') in ('assert', 'call')  # tests driven by the trusted evaluator
    n_tests = int(req.get('tests', 1))
    caps = {'out': lim['stdout_bytes'], 'err': lim['stderr_bytes'], 'res': lim['result_bytes'], 'report': 64 << 10}
    pipes = {k: os.pipe() for k in ('out', 'err', 'ctl')}
    eval_pid = None
    ev = None
    if not assert_style and Evaluator.current is not None:
        Evaluator.current.stop()  # this run's clean-up kills every process
    if assert_style:
        to_prog, from_prog = os.pipe(), os.pipe()
        cpu0 = cgroup_cpu_s()
        oom0 = oom_kills()
        t0 = time.monotonic()
        ev = Evaluator.for_request(req)
        eval_pid = ev.pid
        ev.give(to_prog[1], from_prog[0])
        os.close(to_prog[1])
        os.close(from_prog[0])
        child_fds = {'out': pipes['out'][1], 'err': pipes['err'][1], 'res': to_prog[0], 'nonce': from_prog[1],
                     'ctl': pipes['ctl'][1]}
        after_fork = (to_prog[0], from_prog[1])
        readers_src = {'out': pipes['out'][0], 'err': pipes['err'][0], 'report': ev.report}
    else:
        for k in ('res', 'nonce'):
            pipes[k] = os.pipe()
        os.write(pipes['nonce'][1], req['nonce'].encode())
        os.close(pipes['nonce'][1])
        cpu0 = cgroup_cpu_s()
        oom0 = oom_kills()
        t0 = time.monotonic()
        child_fds = {'out': pipes['out'][1], 'err': pipes['err'][1], 'res': pipes['res'][1], 'nonce': pipes['nonce'][0],
                     'ctl': pipes['ctl'][1]}
        after_fork = (pipes['res'][1], pipes['nonce'][0])
        readers_src = {'out': pipes['out'][0], 'err': pipes['err'][0], 'res': pipes['res'][0]}
    pid = os.fork()
    if pid == 0:
        child(req, run_dir, child_fds)
    for fd in (pipes['out'][1], pipes['err'][1], pipes['ctl'][1]) + after_fork:
        os.close(fd)
    readers = {fd: k for k, fd in readers_src.items()}
    report_buf = buffer('report', caps['report'])
    report_len = 0
    bufs = {k: buffer(k, caps[k]) for k in readers_src if k != 'report'}
    lens = {k: 0 for k in bufs}
    totals = {k: 0 for k in readers_src}
    pidfd = os.pidfd_open(pid)
    eval_pidfd = os.pidfd_open(eval_pid) if eval_pid else None
    poller = select.poll()
    for fd in readers:
        poller.register(fd, select.POLLIN)
    poller.register(pidfd, select.POLLIN)
    if eval_pidfd is not None:
        poller.register(eval_pidfd, select.POLLIN)
    killed = None
    status = None  # the program's, when it ended by itself
    rusage = None
    eval_status = None
    done = False  # the run is over (stdio/call: the program ended; assert: the evaluator did)
    t_end = None
    wall_deadline = t0 + lim['wall_s']
    open_fds = set(readers)

    def kill(reason):
        nonlocal killed
        if killed is None:
            killed = reason
        try:
            os.killpg(pid, 9)
        except OSError:
            pass
        try:
            os.kill(-1, 9)
        except OSError:
            pass

    marks = []  # [test, wall s, cpu s] at each {"start": i} of the evaluator, relative to t0 and cpu0
    scanned = [0]

    def scan_marks():
        """New start lines in the report (found in place: the report also holds test text)."""
        while True:
            at = report_buf.find(b'{"start": ', scanned[0], report_len)
            if at < 0:
                return
            end = report_buf.find(b'}', at, report_len)
            if end < 0:
                return
            i = int(report_buf[at + 10:end])
            cpu = cgroup_cpu_s()
            marks.append([i, time.monotonic() - t0, (cpu - cpu0) if cpu is not None and cpu0 is not None else 0.0])
            scanned[0] = end + 1

    def program_gone():
        """The evaluator (dead by now) said the program's process went away: its report, drained."""
        nonlocal report_len
        fd = readers_src['report']
        while fd in open_fds and report_len < caps['report']:
            n = os.readv(fd, [memoryview(report_buf)[report_len:caps['report']]])
            if n == 0:
                break
            report_len += n
        return report_buf.find(b'"program_gone"', 0, report_len) >= 0  # no copy of the text

    spare = lambda: eval_pid if clean[0] else None  # noqa: E731
    clean = [False]  # the evaluator said this program is done, with no limit hit: it is kept for the next

    def finish():
        nonlocal done, t_end, rusage, eval_status, status
        if not done:
            done = True
            t_end = time.monotonic()
            # The program may have ended by itself before its pidfd was read: then its status is its own.
            # One that closed the evaluator's channel (exiting) gets a moment to finish doing so.
            if rusage is None and assert_style and killed is None and program_gone():
                select.select([pidfd], [], [], 0.25)
            ended = rusage is None and os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
            clean[0] = clean[0] and killed is None
            if clean[0]:
                kill_programs()
            else:
                try:
                    os.kill(-1, 9)
                except OSError:
                    pass
            # Reap our two children by pid first: kill_all() reaps whatever is left, statuses unseen.
            if rusage is None:
                _, st, rusage = os.wait4(pid, 0)
                if ended:
                    status = st
            if eval_pid and eval_status is None and not clean[0]:
                _, eval_status, _ = os.wait4(eval_pid, 0)
            kill_all(spare())  # background children must not hold the pipes open (sandbox.md §5.2)

    while open_fds or not done:
        now = time.monotonic()
        # Each test has its own limits, from its start line on (the first from the program's start).
        base_t, base_cpu = (t0 + marks[-1][1], cpu0 + marks[-1][2]) if len(marks) > 1 and cpu0 is not None else (t0, cpu0)
        wall_deadline = base_t + lim['wall_s']
        if not done and now >= wall_deadline:
            kill('wall')
        if not done and cpu0 is not None:
            cpu = cgroup_cpu_s()
            if cpu is not None and cpu - base_cpu > lim['cpu_s']:
                kill('cpu')
        timeout_ms = 50 if not done else 200
        if not done:
            timeout_ms = max(1, min(timeout_ms, int((wall_deadline - now) * 1000) + 1))
        for fd, _ in poller.poll(timeout_ms):
            if fd == pidfd:
                poller.unregister(pidfd)
                if rusage is None:
                    _, status, rusage = os.wait4(pid, 0)
                if not assert_style or killed is not None:
                    finish()
                continue
            if fd == eval_pidfd:
                poller.unregister(eval_pidfd)
                if eval_status is None:
                    _, eval_status, _ = os.wait4(eval_pid, 0)
                finish()
                continue
            if fd not in open_fds:
                continue
            k = readers[fd]
            if k == 'report':  # test text (a failing assert's line): read in place, zeroed after sending
                n = os.readv(fd, [memoryview(report_buf)[report_len:caps['report']]]) if report_len < caps['report'] else 0
                report_len += n
                scan_marks()
                # The evaluator's last line for this program; the pipe is its own (closed when it stops).
                if n == 0 or report_buf.find(b'{"done": true}\n', max(0, report_len - 15), report_len) >= 0:
                    poller.unregister(fd)
                    open_fds.discard(fd)
                    if n:
                        clean[0] = True
                        finish()
                continue
            room = caps[k] - lens[k]
            n = os.readv(fd, [memoryview(bufs[k])[lens[k]:caps[k]] if room > 0 else memoryview(STAGING)])
            if n == 0:
                poller.unregister(fd)
                os.close(fd)
                open_fds.discard(fd)
                continue
            totals[k] += n
            if room > 0:
                lens[k] += n
            if k == 'out' and totals[k] > caps[k]:
                kill('stdout')
            elif k == 'err' and totals[k] > lim['stderr_kill_bytes']:
                kill('stderr')
            elif k == 'res' and totals[k] > caps[k]:
                kill('result')
        if done and open_fds and time.monotonic() > t_end + 2.0:
            kill_all(spare())  # something kept a pipe open after everything was killed: give up on the rest
            for fd in list(open_fds):
                poller.unregister(fd)
                if readers[fd] != 'report':  # the evaluator's, closed when it stops
                    os.close(fd)
            open_fds.clear()
    os.close(pidfd)
    if eval_pidfd is not None:
        os.close(eval_pidfd)
    setup_error = b''
    while True:  # every writer is dead by now, so this ends
        chunk = os.read(pipes['ctl'][0], 4096)
        if not chunk:
            break
        setup_error += chunk
    os.close(pipes['ctl'][0])
    # The program's leftovers go before anything is allocated for the answer: files in the tmpfs dirs and
    # IPC objects are charged to this container's memory, and the answer must not depend on room for it.
    cpu1 = cgroup_cpu_s()
    anomalies = []
    if not kill_all(spare()):
        anomalies.append('processes survived SIGKILL')
    removed_ipc = remove_ipc()
    oom1 = oom_kills()
    oom = oom0 is not None and oom1 is not None and oom1 > oom0
    if oom:
        anomalies.append('oom kill')
    if scratch_dirty():
        wipe_scratch()
        if scratch_dirty():
            anomalies.append('scratch not empty after wipe')
    if removed_ipc and ipc_left():  # none there before the removal: none now (every process is dead)
        anomalies.append('IPC objects left')
    rus_cpu = rusage.ru_utime + rusage.ru_stime
    result = {
        'type': 'result',
        'id': req['id'],
        'exit_code': os.WEXITSTATUS(status) if status is not None and os.WIFEXITED(status) else None,
        'signal': os.WTERMSIG(status) if status is not None and os.WIFSIGNALED(status) else None,
        'cpu_s': max(rus_cpu, cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else rus_cpu,
        'wall_s': (t_end or time.monotonic()) - t0,
        'max_rss_bytes': rusage.ru_maxrss * 1024,
        'killed': killed,
        'oom': oom,
        'stdout_total': totals['out'],
        'stderr_total': totals['err'],
        'anomalies': anomalies,
        'ipc_removed': removed_ipc,
        'setup_error': setup_error.decode('utf-8', 'replace') or None,
    }
    if assert_style:
        result['program_ended'] = status is not None  # by itself, before the evaluator was done
        result['marks'] = marks
        result['tests'] = n_tests
        if eval_status is not None:
            result['evaluator_exit'] = os.WEXITSTATUS(eval_status) if os.WIFEXITED(eval_status) else -os.WTERMSIG(eval_status)
        if clean[0] and not anomalies:
            pass  # kept for the next request with its name
        elif eval_status is not None:
            ev.reaped(eval_status)
        else:
            ev.stop()
    blobs = [('stdout', memoryview(bufs['out'])[:lens['out']]), ('stderr', memoryview(bufs['err'])[:lens['err']])]
    blobs.append(('report', memoryview(report_buf)[:report_len]) if assert_style else ('result', memoryview(bufs['res'])[:lens['res']]))
    if any(totals[k] > caps[k] for k in totals):
        zero(STAGING)  # output past the caps went through it
    result['secret_buffers'] = [(report_buf, report_len)] + [(bufs[k], lens[k]) for k in bufs]
    return result, blobs


def main():
    os.makedirs(RUN_ROOT, exist_ok=True)
    send({'type': 'hello', 'protocol': PROTOCOL, 'python': sys.version.split()[0],
          'cgroup_cpu': bool(CPU_V1 or CPU_V2), 'cgroup_oom': OOM_FILE is not None})
    n = 0
    tainted = None  # why this container runs nothing more (the pool recycles it)
    while True:
        n += 1
        run_dir = os.path.join(RUN_ROOT, str(n))
        try:
            req = read_request(run_dir)
        except EOFError:
            return
        op = req.get('op')
        if op == 'run' and tainted:
            # The host sends several requests back to back (src/sandbox/dispatch.ts); after a run that left
            # the container in doubt, the ones behind it are refused unrun and go to another container.
            remove_run_dir(run_dir)
            for buf in req['secret'].values():
                zero(buf)
            send({'type': 'not_run', 'id': req.get('id'), 'why': tainted})
        elif op == 'run':
            try:
                header, blobs = run(req, run_dir)
            finally:
                remove_run_dir(run_dir)
            secrets = header.pop('secret_buffers', [])
            if header['anomalies'] or header['setup_error']:
                tainted = ', '.join(header['anomalies']) or 'setup error'
            send(header, blobs)
            del blobs
            for buf, n in secrets:
                zero(buf, n)  # a later fork-mode program must not find this run's tests or outputs
        elif op == 'ping':
            send({'type': 'pong', 'id': req.get('id')})
        elif op == 'exit':
            return
        else:
            send({'type': 'error', 'id': req.get('id'), 'message': 'unknown op %r' % (op,)})


if __name__ == '__main__':
    try:
        main()
    except BaseException as e:  # noqa: BLE001
        log('fatal: %r' % (e,))
        raise
