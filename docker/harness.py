# The test harness that wraps a model's program (mars2 sandbox). It runs as the program's uid, either as
# `python3 -I -B harness.py SPEC` (process mode: a fresh interpreter per test) or called in a child forked
# from the warm runner (fork mode). Files are read from SPEC.dir: program, prelude, test_code, extra, stdin.
#
# Styles:
#   stdio   prelude + program run as __main__; the host compares stdout.
#   call    stdin holds JSON lines, one positional argument each; fn_name ('Solution().twoSum', or a plain
#           name, looked up as a global or on Solution()) is called; the return value goes to the result fd.
#   assert  prelude + program, then test_code, then check(<entry_point>) if entry_point is set, then the
#           test case's code (`extra`) if any; reaching the end writes the completion record.
# Records on the result fd (fd 3 at start): "<nonce> <kind> <json>\n". The nonce arrives on fd 4 before the
# program runs, so exiting early (os._exit(0), sys.exit) or printing a marker cannot produce a pass; the
# host trusts only records with the right nonce and compares values itself.
# Not covered: a program that deliberately introspects this harness's frames or memory to find the nonce.
import os
import sys


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


# Serialisation uses only references taken here, before any program runs: a program may replace
# json.dumps, builtins or the json module's internals (sandbox.md §8 #35), but not these.
_isinstance, _type, _repr, _len, _sorted, _callable, _getattr = isinstance, type, repr, len, sorted, callable, getattr
_int_repr, _float_repr, _str_translate, _join = int.__repr__, float.__repr__, str.translate, str.join
_INF = float('inf')
_ESCAPES = {i: '\\u%04x' % i for i in range(32)}
_ESCAPES.update({ord('"'): '\\"', ord('\\'): '\\\\', ord('\n'): '\\n', ord('\t'): '\\t', ord('\r'): '\\r'})


def _enc_str(s):
    return '"' + _str_translate(s, _ESCAPES) + '"'


def _enc(v, depth=0):
    """JSON text for a return value; the host compares these, never the objects (sandbox.md §8 #33)."""
    if depth > 200:
        return '{"__repr__":"nesting too deep"}'
    t = _type(v)
    if v is None:
        return 'null'
    if t is bool:
        return 'true' if v else 'false'
    if _isinstance(v, bool):
        return 'true' if bool.__bool__(v) else 'false'
    if _isinstance(v, int):
        return _int_repr(v)
    if _isinstance(v, float):
        if v != v:
            return '{"__float__":"nan"}'
        if v == _INF or v == -_INF:
            return '{"__float__":"%s"}' % ('inf' if v > 0 else '-inf')
        return _float_repr(v)
    if _isinstance(v, str):
        return _enc_str(str.__str__(v))
    if _isinstance(v, (list, tuple)):
        return '[' + _join(',', [_enc(x, depth + 1) for x in (list.__iter__(v) if _isinstance(v, list) else tuple.__iter__(v))]) + ']'
    if _isinstance(v, dict):
        parts = []
        for k, x in dict.items(v):
            key = str.__str__(k) if _isinstance(k, str) else _enc(k, depth + 1)
            parts.append(_enc_str(key) + ':' + _enc(x, depth + 1))
        return '{' + _join(',', parts) + '}'
    if _isinstance(v, (set, frozenset)):
        return '[' + _join(',', _sorted([_enc(x, depth + 1) for x in v])) + ']'
    tolist = _getattr(v, 'tolist', None)  # numpy arrays and scalars
    if _callable(tolist) and _type(v).__module__ == 'numpy':
        return _enc(tolist(), depth + 1)
    return '{"__repr__":%s}' % _enc_str(_repr(v)[:1000])


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
        result.record('ce', _enc({'file': name, 'type': type(e).__name__, 'message': message}))
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
        message = '' if _isinstance(e, MemoryError) else str(e)[:2000]
    except BaseException:  # noqa: BLE001 — a program's exception may refuse to print
        message = ''
    result.record('exc', _enc({'type': _type(e).__name__, 'message': message}))
    sys.stderr.write(text)


def _resolve(ns, name):
    if '(' in name or '.' in name:
        return eval(name, ns)  # 'Solution().twoSum' (trusted: it comes from the dataset)
    if name in ns:
        return ns[name]
    if 'Solution' in ns:
        return getattr(ns['Solution'](), name)  # LiveCodeBench: fn_name is a method of Solution
    raise NameError('the program defines no %r (nor Solution().%s)' % (name, name))


def run(spec):
    """Runs one test; returns the exit status. Exceptions from the program are reported, not raised."""
    nonce = os.read(4, 256).decode()
    _close(4)
    rfd = os.dup(3)  # keep the record fd away from fd 3, where a program might scribble
    _close(3)
    result = _Result(nonce, rfd)
    d = spec['dir']
    program = _read(os.path.join(d, 'program')) or ''
    prelude = _read(os.path.join(d, 'prelude'))
    style = spec['style']
    args = None
    if style == 'call':
        import json
        args = [json.loads(line) for line in sys.stdin.read().splitlines() if line.strip()]
    codes = []
    if prelude:
        codes.append(_compile(prelude, 'prelude.py', result))
    codes.append(_compile(program, 'main.py', result))
    test_codes = []
    if style == 'assert':
        test = _read(os.path.join(d, 'test_code'))
        if test:
            test_codes.append(_compile(test, 'test.py', result))
        extra = _read(os.path.join(d, 'extra'))
        if extra:
            extra_code = _compile(extra, 'test_case.py', result)
    module = type(sys)('__main__')
    module.__file__ = 'main.py'
    module.__builtins__ = __builtins__
    ns = module.__dict__
    sys.modules['__main__'] = module
    sys.argv = ['main.py']
    try:
        for code in codes:
            exec(code, ns)
        if style == 'call':
            fn = _resolve(ns, spec['fn_name'])
            value = fn(*args)
            result.record('ret', _enc(value))
        elif style == 'assert':
            for code in test_codes:
                exec(code, ns)
            if spec.get('entry_point'):
                ns['check'](_resolve(ns, spec['entry_point']))
            if extra:
                exec(extra_code, ns)
            result.record('ok', 'true')
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
