# The trusted evaluator for assert-style tests (mars2 sandbox, DESIGN §6.4). Forked from the runner before
# the program starts, as its own uid (65533): the program (65534) can neither signal it nor read its memory
# or files, and its test code never touches the disk. It runs the dataset's code — prelude, the prompt's
# helper functions (HumanEval), test_code, the test — with its own builtins, and `candidate` (and every other
# name the tests take from the program) is a proxy: a call sends typed arguments to the program's process
# over a pipe and gets a typed value back (values.py), so everything the test compares is a builtin value
# this process built. Objects that are not values stay in the program's process and arrive as Remote
# stand-ins: callable, with attributes and a truth value asked of the program, never equal to anything.
# Exceptions the program raises come back as exceptions of the same builtin type (tests that expect ValueError see one), marked as
# the program's; uncaught, they are an RE.
#
# Report (one JSON line on the report fd): {"kind": ...}
#   ok | fail (an assertion in the test failed) | error (the test raised: a wrong value made it crash) |
#   missing (the program lacks a name the test calls) | program_exc (the program raised, uncaught) |
#   program_gone (its process ended mid-test) | ce | ole (a reply over the cap) | malformed (a reply that is
#   not typed JSON) | test_error (the dataset's own code failed before any call: not the program's doing)
import builtins
import json
import os
import sys
import traceback

import values

EVAL_UID = 65533


class ProgramGone(Exception):
    pass


class ProgramReplyError(Exception):
    def __init__(self, kind, why):
        super().__init__(why)
        self.kind = kind


class FromProgram(Exception):
    """Mixed into the exceptions re-raised for the program, so an uncaught one is told apart."""


_EXC_TYPES = {}


def program_exception(type_name, message):
    base = getattr(builtins, type_name, None)
    if not (isinstance(base, type) and issubclass(base, Exception)) or base in (AssertionError,):
        base = Exception
    cls = _EXC_TYPES.get((base, type_name))
    if cls is None:
        try:
            cls = type(type_name, (base, FromProgram), {})
        except TypeError:  # a base whose layout cannot be mixed
            cls = type(type_name, (Exception, FromProgram), {})
        _EXC_TYPES[(base, type_name)] = cls
    e = cls(message)
    e.mars2_type = type_name
    return e


class Channel:
    def __init__(self, wfd, rfd, cap):
        self.wfd, self.rfd, self.cap = wfd, rfd, cap
        self.last_unsupported = None

    def send(self, text):
        data = text.encode('utf-8', 'surrogatepass')
        data = len(data).to_bytes(4, 'big') + data
        try:
            while data:
                n = os.write(self.wfd, data)
                data = data[n:]
        except (BrokenPipeError, OSError):
            raise ProgramGone()

    def _read_n(self, n):
        buf = bytearray()
        while len(buf) < n:
            try:
                b = os.read(self.rfd, min(n - len(buf), 1 << 20))
            except OSError:
                b = b''
            if not b:
                raise ProgramGone()
            buf += b
        return bytes(buf)

    def recv(self):
        n = int.from_bytes(self._read_n(4), 'big')
        if n > self.cap:
            raise ProgramReplyError('ole', 'a reply of %d bytes (the cap is %d)' % (n, self.cap))
        text = self._read_n(n)
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as e:
            raise ProgramReplyError('malformed', 'a reply that is not JSON (%s)' % (str(e)[:200],))


class Remote:
    """An object that stayed in the program's process."""
    __slots__ = ('_m2_channel', '_m2_target', '_m2_type')

    def __init__(self, channel, target, type_name):
        object.__setattr__(self, '_m2_channel', channel)
        object.__setattr__(self, '_m2_target', target)
        object.__setattr__(self, '_m2_type', type_name)

    def __call__(self, *args, **kwargs):
        return _call(self._m2_channel, self._m2_target, None, args, kwargs)

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return _getattr(self, name)

    def __setattr__(self, name, value):
        ch = self._m2_channel
        ch.send('{"op":"setattr","target":%s,"attr":%s,"args":[%s],"kwargs":[]}' % (
            json.dumps(self._m2_target), json.dumps(name), _encode_arg(value)))
        _reply(ch, None)

    @staticmethod
    def ref_of(obj):
        return obj._m2_target['ref']

    @staticmethod
    def type_of(obj):
        return obj._m2_type

    def __eq__(self, other):
        raise TypeError('a test compared %s, which is not a value' % self.describe())

    __ne__ = __eq__

    def __hash__(self):
        return id(self)

    def __bool__(self):
        # `assert f(x)` on a re.Match, say: the program's own truth value, which it could as well have
        # returned as a bool — so asking it gives the program nothing it did not have.
        ch = self._m2_channel
        ch.send('{"op":"bool","target":%s,"attr":null,"args":[],"kwargs":[]}' % json.dumps(self._m2_target))
        v = _reply(ch, None)
        if type(v) is not bool:
            raise ProgramReplyError('malformed', 'a truth value that is not a bool')
        return v

    def __repr__(self):
        return '<%s>' % self.describe()

    def describe(self):
        return 'a %s object' % self._m2_type


values.REMOTE = Remote


class Bound(Remote):
    """A name or attribute path on the program side, resolved when called (candidate, program functions)."""
    __slots__ = ('_m2_attr',)

    def __init__(self, channel, target, label, attr=None):
        Remote.__init__(self, channel, target, label)
        object.__setattr__(self, '_m2_attr', attr)

    def __call__(self, *args, **kwargs):
        return _call(self._m2_channel, self._m2_target, self._m2_attr, args, kwargs)

    def __getattr__(self, name):
        if name.startswith('__') or self._m2_attr is not None:
            raise AttributeError(name)
        return Bound(self._m2_channel, self._m2_target, '%s.%s' % (self._m2_type, name), name)

    def describe(self):
        return 'the program\'s %s' % self._m2_type


def _getattr(obj, name):
    ch = obj._m2_channel
    ch.send('{"op":"getattr","target":%s,"attr":%s}' % (json.dumps(obj._m2_target), json.dumps(name)))
    return _reply(ch, None)


def _encode_arg(v):
    try:
        return values.encode(v)
    except values.Unencodable as e:
        raise TypeError('a test argument cannot be sent to the program: %s' % e.args[0])


def _call(ch, target, attr, args, kwargs):
    enc_args = [_encode_arg(a) for a in args]
    enc_kwargs = ['[%s,%s]' % (json.dumps(k), _encode_arg(v)) for k, v in kwargs.items()]
    ch.send('{"op":"call","target":%s,"attr":%s,"args":[%s],"kwargs":[%s]}' % (
        json.dumps(target), json.dumps(attr), ','.join(enc_args), ','.join(enc_kwargs)))
    return _reply(ch, args)


def _reply(ch, args):
    msg = ch.recv()
    if not isinstance(msg, dict):
        raise ProgramReplyError('malformed', 'a reply that is not an object')
    if 'exc' in msg and len(msg) == 1:
        e = msg['exc'] if isinstance(msg['exc'], dict) else {}
        t = e.get('type') if isinstance(e.get('type'), str) else 'Exception'
        m = e.get('message') if isinstance(e.get('message'), str) else ''
        err = program_exception(t[:100], m[:2000])
        err.mars2_traceback = e['traceback'][-4000:] if isinstance(e.get('traceback'), str) else None
        raise err
    if 'ret' not in msg or not set(msg) <= {'ret', 'mut'}:
        raise ProgramReplyError('malformed', 'a reply with keys %s' % sorted(msg)[:5])
    value = _decode(ch, msg['ret'])
    muts = msg.get('mut')
    if muts is not None and args is not None:
        if not isinstance(muts, list):
            raise ProgramReplyError('malformed', 'a bad mutation list')
        for m in muts:
            if not (isinstance(m, list) and len(m) == 2 and type(m[0]) is int and 0 <= m[0] < len(args)):
                raise ProgramReplyError('malformed', 'a bad mutation entry')
            _apply_mutation(args[m[0]], _decode(ch, m[1]))
    return value


def _decode(ch, obj):
    try:
        return values.decode(obj, CLASSES, lambda i, t: Remote(ch, {'ref': i}, t))
    except values.Unsupported as u:
        what = u.describe()
        ch.last_unsupported = what
        return Unsupported(what)
    except values.Malformed as e:
        raise ProgramReplyError('malformed', 'a value that is not typed JSON: %s' % e.args[0])
    except RecursionError:
        raise ProgramReplyError('malformed', 'a value nested too deeply')


class Unsupported:
    """What the program returned when it could not be carried: equal to nothing, never truthy."""
    __slots__ = ('what',)

    def __init__(self, what):
        self.what = what

    def __eq__(self, other):
        raise TypeError('the program returned %s, not a value a test can compare' % self.what)

    __ne__ = __eq__

    def __hash__(self):
        raise TypeError('the program returned %s, not a value a test can compare' % self.what)

    def __bool__(self):
        raise TypeError('the program returned %s, not a value a test can compare' % self.what)

    def __repr__(self):
        return '<%s>' % self.what


def _apply_mutation(arg, new):
    """An argument the program changed in place: the test's own object takes the new contents."""
    if type(arg) is list and type(new) is list:
        arg[:] = new
    elif type(arg) is dict and type(new) is dict:
        arg.clear()
        arg.update(new)
    elif type(arg) is set and type(new) is set:
        arg.clear()
        arg.update(new)


CLASSES = {}


def _names(code):
    out = set(code.co_names)
    for c in code.co_consts:
        if hasattr(c, 'co_names'):
            out |= _names(c)
    return out


def _compile(src, name):
    return compile(src, name, 'exec', dont_inherit=True)


def _test_line(tb, sources):
    """The last line of the dataset's code on the traceback: the assert that failed."""
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        name = frame.f_code.co_filename
        if name in sources:
            lines = sources[name].splitlines()
            if 0 < lineno <= len(lines):
                line = '%s:%d: %s' % (name, lineno, lines[lineno - 1].strip()[:500])
    return line


def handshake(ch):
    """The program's first message: None when it is ready, else the report that ends the run."""
    try:
        first = ch.recv()
    except ProgramGone:
        return {'kind': 'program_gone', 'when': 'start'}
    except ProgramReplyError as e:
        return {'kind': e.kind, 'why': str(e)}
    if not isinstance(first, dict) or len(first) != 1:
        return {'kind': 'malformed', 'why': 'a first message that is not ready/ce/exc'}
    if 'ce' in first:
        return {'kind': 'ce', 'ce': first['ce'] if isinstance(first['ce'], dict) else {}}
    if 'exc' in first:
        e = first['exc'] if isinstance(first['exc'], dict) else {}
        return {'kind': 'program_exc', 'type': str(e.get('type', 'Exception'))[:100], 'message': str(e.get('message', ''))[:2000],
                'when': 'start'}
    if first != {'ready': True}:
        return {'kind': 'malformed', 'why': 'a first message that is not ready/ce/exc'}
    return None


def _program_failure(e, ch, sources):
    """The report for an exception out of a test: the program's doing, or the test's on a wrong value."""
    if isinstance(e, ProgramGone):
        return {'kind': 'program_gone', 'when': 'test'}
    if isinstance(e, ProgramReplyError):
        return {'kind': e.kind, 'why': str(e)}
    if isinstance(e, FromProgram):
        if getattr(e, 'mars2_type', '') == 'NameError' and str(e).startswith('the program defines no '):
            return {'kind': 'missing', 'message': str(e)}
        return {'kind': 'program_exc', 'type': e.mars2_type, 'message': str(e)[:2000], 'line': _test_line(e.__traceback__, sources),
                'traceback': getattr(e, 'mars2_traceback', None)}
    if isinstance(e, AssertionError):
        return {'kind': 'fail', 'message': str(e)[:500], 'line': _test_line(e.__traceback__, sources), 'returned': ch.last_unsupported}
    if isinstance(e, MemoryError):
        return {'kind': 'memory'}
    if isinstance(e, RecursionError) and not sources:
        return {'kind': 'error', 'type': 'RecursionError', 'message': 'the test recursed too deeply'}
    return {'kind': 'error', 'type': type(e).__name__, 'message': str(e)[:500], 'line': _test_line(e.__traceback__, sources),
            'returned': ch.last_unsupported}


def evaluate(spec, blobs, ch, test_src):
    """Runs one assert-style test in a fresh namespace; returns its report (a dict)."""
    ns = {'__name__': '__mars2_test__', '__builtins__': builtins}
    sources = {}
    ch.last_unsupported = None

    def run_dataset_code(name, text):
        sources[name] = text
        exec(_compile(text, name), ns)

    entry = spec.get('entry_point') or None
    try:
        if blobs.get('prelude'):
            run_dataset_code('prelude.py', blobs['prelude'])
        for k in ('ListNode', 'TreeNode'):
            if isinstance(ns.get(k), type):
                CLASSES[k] = ns[k]
        if blobs.get('prompt'):
            run_dataset_code('prompt.py', blobs['prompt'])
        setup_src = blobs.get('test_code') or ''
        sources['test_setup.py'] = setup_src
        setup = _compile(setup_src, 'test_setup.py')
        sources['test.py'] = test_src
        test = _compile(test_src, 'test.py')
    except BaseException as e:  # noqa: BLE001
        return {'kind': 'test_error', 'type': type(e).__name__, 'message': str(e)[:1000]}

    candidate = Bound(ch, {'entry': True}, entry) if entry else None
    if candidate is not None:
        ns['candidate'] = candidate
        if entry.isidentifier():
            ns[entry] = candidate  # HumanEval: the prompt's stub of the entry point is the program's function
    for name in _names(setup) | _names(test):
        if name not in ns and not hasattr(builtins, name):
            ns[name] = Bound(ch, {'name': name}, name)
    try:
        exec(setup, ns)  # MBPP's test_setup_code may build its inputs with the program's classes
        exec(test, ns)
        check = ns.get('check')
        if candidate is not None and callable(check) and not isinstance(check, Remote):
            check(candidate)
    except BaseException as e:  # noqa: BLE001 — classified: the program's failure is data
        return _program_failure(e, ch, sources)
    return {'kind': 'ok'}


def call(spec, ch, args_text):
    """A call-style test: the program's function on the test's arguments (JSON lines); the value, typed."""
    ch.last_unsupported = None
    try:
        args = [json.loads(line) for line in args_text.splitlines() if line.strip()]
    except ValueError as e:
        return {'kind': 'test_error', 'type': 'ValueError', 'message': 'arguments that are not JSON: %s' % (str(e)[:200],)}
    try:
        value = Bound(ch, {'entry': True}, spec.get('entry_point') or '?')(*args)
    except BaseException as e:  # noqa: BLE001
        return _program_failure(e, ch, {})
    if isinstance(value, Unsupported):
        typed = '{"$unsupported":{"type":"?","repr":%s}}' % json.dumps(value.what[:200])
    elif isinstance(value, Remote):
        typed = '{"$unsupported":{"type":%s,"repr":""}}' % json.dumps(value._m2_type)
    else:
        typed = values.encode_safe(value)
    return {'kind': 'ret', 'value': typed}


# Reports that leave the program's process unusable for the tests after them: the run stops there.
_FINAL = ('program_gone', 'ole', 'malformed', 'memory', 'ce')


def serve_program(spec, blobs, ch, emit):
    """One program's tests, in order: {"start": i} before each and its report with "i" after it (the
    runner times each test from its start line and applies that test's limits)."""
    first = handshake(ch)
    if first is not None:
        first['i'] = 0
        emit(first)
        return
    for i in range(spec['tests']):
        emit({'start': i})
        text = blobs.get('test_%d' % i, '')
        try:
            report = call(spec, ch, text) if spec['style'] == 'call' else evaluate(spec, blobs, ch, text)
        except RecursionError:
            report = {'kind': 'error', 'type': 'RecursionError', 'message': 'the test recursed too deeply'}
        report['i'] = i
        emit(report)
        if report['kind'] in _FINAL:
            return


def main(spec, blobs, fds):
    """In the runner's forked child, already uid EVAL_UID. Never returns. Serves the programs of the requests
    that share these tests, one after the other: the runner sends each program's two channel fds on the
    control socket; after its tests this closes them (the program's end sees EOF and exits) and writes
    {"done": true}. EOF on the control socket: exit."""
    import socket
    code = 0

    def emit(obj):
        data = (json.dumps(obj, ensure_ascii=True) + '\n').encode()
        while data:
            n = os.write(fds['report'], data)
            data = data[n:]

    try:
        sys.setrecursionlimit(10000)
        control = socket.socket(fileno=fds['control'])
        while True:
            _, channel_fds, _, _ = socket.recv_fds(control, 1, 2)
            if len(channel_fds) != 2:
                return
            to_program, from_program = channel_fds
            try:
                serve_program(spec, blobs, Channel(to_program, from_program, spec['result_bytes']), emit)
            finally:
                os.close(to_program)
                os.close(from_program)
            emit({'done': True})
    except BaseException:  # noqa: BLE001
        code = 1
    finally:
        os._exit(code)
