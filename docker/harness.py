# The program's side of the sandbox (mars2 sandbox). It runs as the program's uid, either as
# `python3 -I -B harness.py STYLE DIR FN ENTRY` (process mode: a fresh interpreter) or called in a child forked
# from the warm runner (fork mode). Files are read from DIR: program, prelude, stdin. This process is the
# adversary's: nothing in it decides a verdict, and it holds no test code and no expected value.
#
# Styles:
#   stdio   prelude + program run as __main__; the host compares stdout.
#   serve   (assert and call style) prelude + program, then answer the trusted evaluator's calls on fds 3/4
#           (evaluator.py): arguments arrive and results leave as typed JSON, so what the tests compare are
#           values the evaluator built itself, never the program's objects. The entry point ('Solution().
#           twoSum', or a plain name, looked up as a global or on Solution()) is resolved once, on first call.
# Records on the result fd (stdio: a compile error, the exception): "<nonce> <kind> <json>\n"; the host keeps
# only this run's nonce.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import values  # noqa: E402


_write = os.write
_close = os.close
_THIS = os.path.abspath(__file__)
_SOURCES = {}  # file name -> source, for tracebacks (linecache is filled only when one is printed)


def _read(path):
    try:
        with open(path, 'rb') as f:
            return f.read().decode('utf-8', 'replace')
    except FileNotFoundError:
        return None


_str_translate, _str_str = str.translate, str.__str__
_ESCAPES = {i: '\\u%04x' % i for i in range(32)}
_ESCAPES.update({ord('"'): '\\"', ord('\\'): '\\\\'})


def _plain(d):
    """A flat {str: str} record as JSON, with references taken before the program ran."""
    return '{' + ','.join('"%s":"%s"' % (k, _str_translate(_str_str(v), _ESCAPES)) for k, v in d.items()) + '}'


class _Result:
    def __init__(self, nonce, fd):
        self.nonce = nonce
        self.fd = fd

    def record(self, kind, json_text):
        data = ('%s %s %s\n' % (self.nonce, kind, json_text)).encode('utf-8', 'replace')
        while data:
            n = _write(self.fd, data)
            data = data[n:]


def _compile(src, name, result):
    _SOURCES[name] = src
    try:
        return compile(src, name, 'exec', dont_inherit=True)
    except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError) as e:
        import traceback
        message = ''.join(traceback.format_exception_only(type(e), e)).strip()
        result.record('ce', _plain({'file': name, 'type': type(e).__name__, 'message': message}))
        sys.stderr.write(''.join(traceback.format_exception_only(type(e), e)))
        sys.stderr.flush()
        os._exit(1)


def _report_exception(e, result):
    import linecache
    import traceback
    for name, src in _SOURCES.items():
        linecache.cache[name] = (len(src), None, src.splitlines(True), name)  # tracebacks show program lines
    tb = e.__traceback__
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) == _THIS:
        tb = tb.tb_next  # hide the harness's own frames
    text = ''.join(traceback.format_exception(type(e), e, tb))
    try:
        message = '' if isinstance(e, MemoryError) else str(e)[:2000]
    except BaseException:  # noqa: BLE001 — a program's exception may refuse to print
        message = ''
    result.record('exc', _plain({'type': type(e).__name__, 'message': message, 'traceback': text[-4000:]}))
    sys.stderr.write(text)


def _resolve(ns, name):
    if '(' in name or '.' in name:
        return eval(name, ns)  # 'Solution().twoSum' (trusted: it comes from the dataset)
    if name in ns:
        return ns[name]
    if 'Solution' in ns:
        return getattr(ns['Solution'](), name)  # LiveCodeBench: fn_name is a method of Solution
    raise NameError('the program defines no %r (nor Solution().%s)' % (name, name))


def _load(spec, result):
    """Compiles prelude and program (CE on failure) and returns the __main__ namespace and the code objects."""
    d = spec['dir']
    program = _read(os.path.join(d, 'program')) or ''
    prelude = _read(os.path.join(d, 'prelude'))
    codes = []
    if prelude:
        codes.append(_compile(prelude, 'prelude.py', result))
    codes.append(_compile(program, 'main.py', result))
    module = type(sys)('__main__')
    module.__file__ = 'main.py'
    module.__builtins__ = __builtins__
    sys.modules['__main__'] = module
    sys.argv = ['main.py']
    return module.__dict__, codes


def run(spec):
    """Runs the program once (stdio) or serves the evaluator (serve); returns the exit status.
    Exceptions from the program are reported, not raised."""
    style = spec['style']
    if style == 'serve':
        return serve(spec)
    nonce = os.read(4, 256).decode()
    _close(4)
    rfd = os.dup(3)  # keep the record fd away from fd 3, where a program might scribble
    _close(3)
    result = _Result(nonce, rfd)
    ns, codes = _load(spec, result)
    return _exec_program(codes, ns, result)


def _exec_program(codes, ns, result):
    """Runs the program's module code; 1 (reported) if it raised, else 0. SystemExit leaves as it is."""
    try:
        for code in codes:
            exec(code, ns)
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001 — the program's failure is data
        try:
            sys.stdout.flush()
        except BaseException:  # noqa: BLE001
            pass
        _report_exception(e, result)
        return 1
    return 0


# ---- serve: the program's end of the evaluator channel ---------------------------------------------

def _send(fd, text):
    data = text.encode('utf-8', 'surrogatepass')
    data = len(data).to_bytes(4, 'big') + data
    while data:
        n = _write(fd, data)
        data = data[n:]


def _recv(fd):
    head = _read_n(fd, 4)
    if head is None:
        return None
    return _read_n(fd, int.from_bytes(head, 'big'))


def _read_n(fd, n):
    parts = []
    while n > 0:
        b = os.read(fd, min(n, 1 << 20))
        if not b:
            return None
        parts.append(b)
        n -= len(b)
    return b''.join(parts)


class _ExcRecord:
    """Exceptions on the serve channel: type and message, the traceback to stderr (the host shows it)."""

    def __init__(self, fd):
        self.fd = fd

    def record(self, kind, json_text):
        _send(self.fd, '{"%s":%s}' % (kind, json_text))


# Builtins as they were before the program ran (it may replace them: builtins.isinstance = ...).
_B_isinstance, _B_getattr, _B_setattr, _B_bool, _B_len = isinstance, getattr, setattr, bool, len
_B_enumerate, _B_zip, _B_NameError = enumerate, zip, NameError


def serve(spec):
    loads = values._loads  # taken before the program ran: it may replace json's functions
    rfd, wfd = os.dup(3), os.dup(4)
    _close(3)
    _close(4)
    channel = _ExcRecord(wfd)
    ns, codes = _load(spec, channel)
    if _exec_program(codes, ns, channel):
        return 1
    _send(wfd, '{"ready":true}')
    refs = []
    entry = []
    classes = {k: ns[k] for k in ('ListNode', 'TreeNode') if _B_isinstance(ns.get(k), type)}

    def remote(i, _type):
        if not 0 <= i < _B_len(refs):
            raise values.Malformed('no object %d' % i)
        return refs[i]

    while True:
        msg = _recv(rfd)
        if msg is None:
            return 0  # the evaluator is done
        req = loads(msg.decode("utf-8", "surrogatepass"))
        try:
            target = req['target']
            if 'entry' in target:
                if not entry:
                    entry.append(_resolve(ns, spec['entry_point']))
                obj = entry[0]
            elif 'ref' in target:
                obj = remote(target['ref'], None)
            elif target['name'] in ns:
                obj = ns[target['name']]
            else:
                raise _B_NameError('the program defines no %r' % target['name'])
            if req.get('attr') is not None and req['op'] != 'setattr':
                obj = _B_getattr(obj, req['attr'])
            if req['op'] == 'bool':
                _send(wfd, '{"ret":%s}' % ('true' if _B_bool(obj) else 'false'))
                continue
            if req['op'] == 'getattr':
                _send(wfd, '{"ret":%s}' % values.encode_safe(obj, refs))
                continue
            args = [values.decode(a, classes, remote) for a in req['args']]
            if req['op'] == 'setattr':
                _B_setattr(obj, req['attr'], args[0])
                _send(wfd, '{"ret":null}')
                continue
            kwargs = {k: values.decode(v, classes, remote) for k, v in req['kwargs']}
            value = obj(*args, **kwargs)
            reply = '{"ret":%s' % values.encode_safe(value, refs)
            muts = []
            for i, (a, before) in _B_enumerate(_B_zip(args, req['args'])):
                if _B_isinstance(a, (list, dict, set)):
                    now = values.encode_safe(a, refs)
                    if loads(now) != before:
                        muts.append('[%d,%s]' % (i, now))
            if muts:
                reply += ',"mut":[%s]' % ','.join(muts)
            _send(wfd, reply + '}')
        except SystemExit:
            raise
        except BaseException as e:  # noqa: BLE001 — the program's failure is data, sent to the evaluator
            try:
                sys.stdout.flush()
            except BaseException:  # noqa: BLE001
                pass
            _report_exception(e, channel)


def wipe_tree(root):
    """Removes everything under root that this uid owns, whatever modes the program left (runner cleanup)."""
    for name in os.listdir(root):
        path = os.path.join(root, name)
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                os.chmod(path, 0o700)
                wipe_tree(path)
                os.rmdir(path)
            else:
                os.unlink(path)
        except OSError:
            pass


def _finish_threads():
    import threading
    main = threading.main_thread()
    for t in threading.enumerate():
        if t is not main and not t.daemon:
            t.join()


def run_forked(spec):
    """Fork mode: called in the runner's child after it became the program's uid. Never returns."""
    import atexit
    import io
    import random
    code = 1
    try:
        sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, 'rb', closefd=False)), encoding='utf-8')
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, 'wb', closefd=False)), encoding='utf-8')
        sys.stderr = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, 'wb', closefd=False)), encoding='utf-8',
                                      errors='backslashreplace', line_buffering=True)
        random.seed()  # the runner's state would otherwise repeat in every fork
        try:
            code = run(spec)
            _finish_threads()
            atexit._run_exitfuncs()
        except SystemExit as e:
            c = e.code
            code = 0 if c is None else c if isinstance(c, int) else 1
            if not isinstance(c, (int, type(None))):
                sys.stderr.write('%s\n' % (c,))
        try:
            sys.stdout.flush()
        except BaseException:  # noqa: BLE001
            code = code or 120
        try:
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(code & 0xFF if isinstance(code, int) else 1)


if __name__ == '__main__':
    # argv: style dir fn_name entry_point ('' when unset); no json parse, to keep start-up cheap
    sys.exit(run(dict(zip(('style', 'dir', 'fn_name', 'entry_point'), sys.argv[1:5]))))
